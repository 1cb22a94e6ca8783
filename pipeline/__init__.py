"""propwatch: who is speaking in each sentence of a news article, and which propaganda techniques it uses."""

__version__ = "0.1.0"
