"""spaCy sentence segmentation with exact character offsets, paragraphs and quotation state."""

from .nlp import DEFAULT_MODEL, load_nlp
from .quotes import quote_states
from .sentences import Unit, segment_article, segment_articles, segment_units, sentence_spans

__all__ = [
    "DEFAULT_MODEL",
    "Unit",
    "load_nlp",
    "quote_states",
    "segment_article",
    "segment_articles",
    "segment_units",
    "sentence_spans",
]
