"""``python -m pipeline``: the same command line as the ``propwatch`` script."""

from .cli import main

main()
