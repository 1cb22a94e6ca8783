"""Propaganda-technique classifiers behind one protocol, their registry, training and SemEval TC tools."""

from .apply import classify_sentences, classify_spans, predict_tc
from .base import BaseClassifier, TechniqueClassifier, tune_thresholds
from .examples import Example, GoldSpan, read_tc_file, sentence_examples, span_examples, write_tc_file
from .metrics import decode_tc, multilabel_scores, tc_scores
from .registry import create_model, get_model_class, load_model, register, registered_names

__all__ = [
    "BaseClassifier",
    "Example",
    "GoldSpan",
    "TechniqueClassifier",
    "classify_sentences",
    "classify_spans",
    "create_model",
    "decode_tc",
    "get_model_class",
    "load_model",
    "multilabel_scores",
    "predict_tc",
    "read_tc_file",
    "register",
    "registered_names",
    "sentence_examples",
    "span_examples",
    "tc_scores",
    "tune_thresholds",
    "write_tc_file",
]
