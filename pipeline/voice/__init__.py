"""Who is speaking: the outlet registry, attribution rules, the learned model and sentence voices.

Main entry points: :func:`attribute_article` (one :class:`VoiceResult` per sentence),
:func:`voice_records` (JSON-ready rows for ``propwatch voice``), :func:`load_registry`,
:func:`load_model`, and the spaCy component ``pw_voice`` (:mod:`pipeline.voice.component`).
"""

from .attribute import (
    ArticleAnalysis,
    VoiceResult,
    analyse_article,
    attribute_article,
    decide_voices,
    predicted_sentences,
    voice_records,
    voices_from_analysis,
)
from .model import REGISTRY_NAME, AttributionModel, load_model
from .registry import Registry, load_registry

DEFAULT_MODEL_DIR = "models/voice-attribution"

__all__ = [
    "DEFAULT_MODEL_DIR",
    "REGISTRY_NAME",
    "ArticleAnalysis",
    "AttributionModel",
    "Registry",
    "VoiceResult",
    "analyse_article",
    "attribute_article",
    "decide_voices",
    "load_model",
    "load_registry",
    "predicted_sentences",
    "voice_records",
    "voices_from_analysis",
]
