"""Who is speaking in each sentence of an article: rules, quote chains, resolution and voices."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..records import Article, Sentence, Span
from ..segment import load_nlp, segment_units, sentence_spans
from ..segment.nlp import PARSE_EXCLUDE
from ..segment.quotes import quote_regions, quote_states
from ..segment.sentences import build_sentences
from .registry import Match, Registry, load_registry
from .rules import RawAttribution, SentenceRules, analyse_sentence

# Confidence of each way of deciding a voice, before the learned model adjusts it. Named speakers
# the registry knows are sure; a speaker the registry does not know is a low-confidence "other".
SCORES = {
    "direct": 0.95,
    "according": 0.92,
    "indirect": 0.88,
    "delivered": 0.8,
    "continued": 0.9,
    "inherited": 0.8,
    "speech_body": 0.8,
    "narration": 0.85,
    "outlet": 0.9,
    "unknown_speaker": 0.45,
    "unattributed_quote": 0.35,
}
# How many paragraphs back a speakerless quote may look for the speaker it continues.
INHERIT_PARAGRAPHS = 3
STATE_DATASETS = ("kcna", "rodong")


@dataclass(frozen=True)
class Entity:
    """A resolved speaker or outlet mention: what it is and where it was named."""

    category: str
    name: str | None
    kind: str
    span: tuple[int, int]
    known: bool


@dataclass(frozen=True)
class VoiceResult:
    """The voice of one sentence, with its evidence.

    ``speaker``/``cue`` are article spans (the speaker may lie in an earlier sentence when a quote
    continues without one); ``nested_speaker`` is the speaker of a claim the main speaker reports.
    ``attributed`` is the probability that the sentence carries attributed content (PolNeAR sense).
    """

    article_id: str
    index: int
    voice: str
    voice_score: float
    speaker: Span | None = None
    cue: Span | None = None
    nested_speaker: Span | None = None
    speaker_category: str | None = None
    speaker_name: str | None = None
    method: str = "narration"
    attributed: float = 0.0
    content: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; spans as ``{"text", "start", "end"}`` or null."""
        return {
            "voice": self.voice,
            "voice_score": round(self.voice_score, 4),
            "speaker": _span_dict(self.speaker),
            "cue": _span_dict(self.cue),
            "nested_speaker": _span_dict(self.nested_speaker),
            "speaker_category": self.speaker_category,
            "speaker_name": self.speaker_name,
            "voice_method": self.method,
            "attributed": round(self.attributed, 4),
        }


def _span_dict(span: Span | None) -> dict | None:
    return None if span is None else {"text": span.text, "start": span.start, "end": span.end}


@dataclass
class ArticleAnalysis:
    """Rules output for a whole article: its sentences and, per sentence, what the rules saw."""

    article: Article
    sentences: list[Sentence]
    rules: list[SentenceRules]
    quote: list[str] = field(default_factory=list)
    speakers: list[dict[int, Entity]] = field(default_factory=list)


def analyse_article(
    article: Article, nlp=None, registry: Registry | None = None, timings: dict[str, float] | None = None
) -> ArticleAnalysis:
    """Parse the article once and run the sentence rules and speaker resolution over it.

    Args:
        article: The article.
        nlp: A loaded spaCy pipeline (default: :func:`pipeline.segment.load_nlp`).
        registry: Outlet and speaker registry (default: the packaged one).
        timings: When given, ``timings["parse"]`` accumulates the seconds spent inside spaCy,
            so callers can compare the voice stage with parsing in the same run.
    """
    nlp = nlp or load_nlp(exclude=PARSE_EXCLUDE)
    units = (
        (unit, doc, sentence_spans(article.text, unit, doc))
        for unit, doc in _timed(segment_units(article, nlp), timings)
    )
    if "pw_voice" in nlp.pipe_names:
        # A pipeline that already carries the voice component would run it on every paragraph.
        with nlp.select_pipes(disable=["pw_voice"]):
            return analyse_parsed(article, units, registry)
    return analyse_parsed(article, units, registry)


def analyse_parsed(article: Article, units, registry: Registry | None = None) -> ArticleAnalysis:
    """Run the sentence rules and speaker resolution over already-parsed text (no parsing here).

    Args:
        article: The article the Docs were parsed from.
        units: ``(unit, doc, sentence_spans)`` per paragraph, in text order: a
            :class:`~pipeline.segment.Unit`, its spaCy Doc (covering ``article.text[unit.start:
            unit.end]``), and the ``(start, end)`` article offsets of its sentences. A fourth item,
            when present, is the article offset where ``doc`` starts (a Doc covering the whole text
            shared by every paragraph: ``0``).
        registry: Outlet and speaker registry (default: the packaged one).
    """
    registry = registry or load_registry()
    text = article.text
    spans: list[tuple[int, int, int]] = []
    rules: list[SentenceRules] = []
    for item in units:
        unit, doc, sent_spans = item[:3]
        base = item[3] if len(item) > 3 else unit.start
        regions = quote_regions(text, unit.start, unit.end)
        for s, e in sent_spans:
            cs = doc.char_span(s - base, e - base, alignment_mode="expand")
            a, b = (cs.start, cs.end) if cs is not None else (0, 0)
            info = analyse_sentence(doc, a, b, base, regions)
            # Offsets always follow the segmenter, whatever the token alignment did.
            info.start, info.end = s, e
            spans.append((s, e, unit.paragraph))
            rules.append(info)
    sentences = build_sentences(article, spans)
    analysis = ArticleAnalysis(article, sentences, rules, quote=quote_states(text, spans))
    analysis.speakers = _resolve(analysis, registry)
    return analysis


def _timed(items, timings: dict[str, float] | None):
    """Yield from ``items``, adding the time spent producing them to ``timings["parse"]``."""
    if timings is None:
        yield from items
        return
    it = iter(items)
    while True:
        t0 = time.perf_counter()
        try:
            item = next(it)
        except StopIteration:
            timings["parse"] = timings.get("parse", 0.0) + time.perf_counter() - t0
            return
        timings["parse"] = timings.get("parse", 0.0) + time.perf_counter() - t0
        yield item


def _resolve(analysis: ArticleAnalysis, registry: Registry) -> list[dict[int, Entity]]:
    """Resolve every attribution's speaker to an entity, reading the article in order.

    Returns, per sentence, a map from attribution index to the entity that speaks.
    """
    text = analysis.article.text
    outlets: list[Entity] = []  # registry outlet mentions, in text order
    speakers: list[Entity] = []  # resolved speakers, in text order
    out: list[dict[int, Entity]] = []
    for sent, info in zip(analysis.sentences, analysis.rules):
        events: list[tuple[int, int, Any]] = []
        for s, e, m in registry.mentions(sent.text):
            if m.generic:
                continue
            ent = Entity(m.category, m.name, m.kind, (sent.start + s, sent.start + e), True)
            if m.kind:
                events.append((ent.span[0], 0, ent))
            elif not any(qs <= ent.span[0] < qe for qs, qe in info.quote_regions):
                # A named organ or leader outside quotes ("Kim Jong Un inspected ...") is what a
                # later "he" or "it" may stand for, even if it did not speak yet.
                events.append((ent.span[0], 2, ent))
        for k, att in enumerate(info.attributions):
            if att.speaker is not None:
                events.append((att.speaker[0], 1, k))
        events.sort(key=lambda x: (x[0], x[1]))
        resolved: dict[int, Entity] = {}
        for _pos, typ, item in events:
            if typ == 0:
                outlets.append(item)
                continue
            if typ == 2:
                speakers.append(item)
                continue
            att = info.attributions[item]
            s, e = att.speaker
            ent = _entity(registry, registry.classify(text[s:e]), att, outlets, speakers, text)
            resolved[item] = ent
            if not att.inside:
                speakers.append(ent)
        out.append(resolved)
    return out


def _entity(
    registry: Registry, m: Match, att: RawAttribution, outlets: list[Entity], speakers: list[Entity], text: str
) -> Entity:
    span = att.speaker
    if m.generic and m.generic != "state_media":
        for o in reversed(outlets):
            if o.kind == m.generic:
                return Entity(o.category, o.name, o.kind, span, True)
        return Entity(m.category, None, m.kind, span, m.known)
    if m.pronoun:
        if m.pronoun == "relative" and att.referent is not None:
            # "officials who said": the relative pronoun stands for the noun it modifies.
            r = registry.classify(text[att.referent[0] : att.referent[1]])
            return Entity(r.category, r.name, r.kind, span, r.known)
        for prev in reversed(speakers):
            if m.pronoun == "outlet" and not (prev.kind or prev.category != "source"):
                continue
            if m.pronoun == "person" and prev.kind:
                continue
            return Entity(prev.category, prev.name, prev.kind, span, prev.known)
        return Entity("other", None, "", span, False)
    return Entity(m.category, m.name, m.kind, span, m.known)


def _chains(states: list[str], rules: list[SentenceRules]) -> list[int | None]:
    """Quote chain id per sentence: a quote running over several sentences is one chain.

    ``states`` are the sentences' quotation states (``Sentence.quote`` semantics).
    """
    ids: list[int | None] = []
    current = None
    n = 0
    for q, info in zip(states, rules):
        if q == "opens":
            n += 1
            current = n
            ids.append(current)
        elif q in ("continues", "closes") and current is not None:
            ids.append(current)
            if q == "closes":
                current = None
        elif q in ("continues", "closes"):
            n += 1
            ids.append(n)
        elif q in ("contains", "whole") and info.quote_cover >= 0.5:
            n += 1
            ids.append(n)
            current = None
        else:
            ids.append(None)
            current = None
    return ids


def _is_state_article(article: Article, registry: Registry) -> bool:
    if (article.dataset or "").lower() in STATE_DATASETS:
        return True
    return registry.outlet_category(article.outlet) == "nk_state_media"


def _owner(info: SentenceRules, sent: Sentence, state_article: bool = False) -> int | None:
    """Index of the attribution that speaks for the whole sentence (outside quotes), if any.

    "He made a speech" names a speech without giving its words: the reporter's narration
    (guidelines V6), except in a state outlet's article, where it marks the speaker of what follows.
    """
    best = None
    span = max(sent.end - sent.start, 1)
    for k, att in enumerate(info.attributions):
        if att.kind == "cognition" or att.inside or (att.kind == "delivered" and not state_article):
            continue
        covered = sum(e - s for s, e in att.content)
        covered += (att.speaker[1] - att.speaker[0]) if att.speaker else 0
        covered += att.cue[1] - att.cue[0]
        # Elsewhere a cue must speak for most of the sentence to make it the speaker's words; in a
        # state outlet the voice is the state's anyway and the guidelines want every speaker named.
        if att.kind != "direct" and covered / span < 0.5 and not state_article:
            continue
        if best is None or att.depth < info.attributions[best].depth:
            best = k
    return best


def _nested(info: SentenceRules, owner: int | None, in_quote: bool) -> int | None:
    """A speech attribution reported inside the owner's words (a source quoting a government claim)."""
    for k, att in enumerate(info.attributions):
        if k == owner or att.kind in ("cognition", "delivered") or att.speaker is None:
            continue
        if in_quote and att.inside:
            return k
        if owner is not None:
            o = info.attributions[owner]
            if any(s <= att.cue[0] < e for s, e in o.content):
                return k
    return None


def _span(text: str, se: tuple[int, int] | None) -> Span | None:
    return None if se is None else Span(se[0], se[1], text[se[0] : se[1]])


def decide_voices(
    analysis: ArticleAnalysis, registry: Registry | None = None, attributed: list[float] | None = None
) -> list[VoiceResult]:
    """Voice of every sentence from the rules' analysis, optionally adjusted by model probabilities.

    Args:
        analysis: Output of :func:`analyse_article`.
        registry: The registry used for the analysis.
        attributed: Per sentence, the model's probability that it carries attributed content;
            it lowers the confidence of rule decisions the model disagrees with.
    """
    registry = registry or load_registry()
    sents, rules = analysis.sentences, analysis.rules
    state_article = _is_state_article(analysis.article, registry)
    chains = _chains(analysis.quote, rules)
    # Per chain: the attribution (sentence index, attribution index) that names its speaker.
    chain_owner: dict[int, tuple[int, int]] = {}
    for i, cid in enumerate(chains):
        if cid is None:
            continue
        for k, att in enumerate(rules[i].attributions):
            if att.kind == "direct" and att.speaker is not None and not att.inside:
                chain_owner[cid] = (i, k)  # the last one wins: "...," the source said.
    results: list[VoiceResult] = []
    last_quote: tuple[int, int, int] | None = None  # (sentence, attribution, paragraph)
    # State outlets: the speech, letter or article being given ("made a speech", "sent a letter");
    # the sentences after it are its body and take its speaker (guidelines §4).
    body_owner: tuple[int, int] | None = None
    chain_inherit: dict[int, tuple[int, int]] = {}
    chain_nested: dict[int, Span] = {}
    for i, (sent, info) in enumerate(zip(sents, rules)):
        cid = chains[i]
        owner_ref: tuple[int, int] | None = None
        method = "narration"
        if cid is not None:
            if cid in chain_owner:
                owner_ref = chain_owner[cid]
                method = "direct" if owner_ref[0] == i else "continued"
            elif cid in chain_inherit:
                owner_ref, method = chain_inherit[cid], "inherited"
            elif last_quote is not None and sent.paragraph - last_quote[2] <= INHERIT_PARAGRAPHS:
                # A quoted paragraph without a speaker continues the previous quote's speaker.
                owner_ref, method = (last_quote[0], last_quote[1]), "inherited"
                chain_inherit[cid] = owner_ref
            else:
                method = "unattributed_quote"
        if owner_ref is None and method == "narration":
            k = _owner(info, sent, state_article)
            if k is not None:
                owner_ref, method = (i, k), info.attributions[k].kind
                if state_article and method in ("delivered", "according"):
                    body_owner = owner_ref
            elif state_article and body_owner is not None:
                owner_ref, method = body_owner, "speech_body"
        nested_k = _nested(info, owner_ref[1] if owner_ref and owner_ref[0] == i else None, cid is not None)
        nested = _span(analysis.article.text, info.attributions[nested_k].speaker) if nested_k is not None else None
        if cid is not None:
            # Words a nested speaker began to report go on in the rest of the quote ("Locals say ...").
            nested = nested or chain_nested.get(cid)
            if nested is not None:
                chain_nested[cid] = nested
        p = attributed[i] if attributed is not None else None
        results.append(_result(analysis, registry, i, owner_ref, method, nested, p))
        if owner_ref is not None and method in ("direct", "continued", "inherited"):
            last_quote = (owner_ref[0], owner_ref[1], sent.paragraph)
    return results


def _result(analysis, registry, i, owner_ref, method, nested, p) -> VoiceResult:
    art = analysis.article
    text = art.text
    state_article = _is_state_article(art, registry)
    if owner_ref is None:
        speaker = None
        if state_article:
            # Guidelines V1: a state outlet's article is state media throughout; a dateline's
            # "(KCNA)" names the speaker.
            voice, score, method = "state_media", SCORES["outlet"], "outlet"
            speaker = _dateline(analysis, i, registry)
        elif method == "unattributed_quote":
            voice, score = "other", SCORES[method]
        else:
            voice, score = "narration", SCORES["narration"]
            if p is not None:
                # The model thinks someone is reported here though no rule found who: less sure.
                score = min(score, max(0.5, 1.0 - p))
        return VoiceResult(art.id, i, voice, score, speaker, None, nested, None, None, method, p or 0.0)
    si, k = owner_ref
    att = analysis.rules[si].attributions[k]
    ent = analysis.speakers[si].get(k)
    if ent is None:  # a speaker-less cue ("it was reported that ...")
        ent = Entity("other", None, "", att.cue, False)
    voice = registry.voice(ent.category)
    score = SCORES[method]
    if state_article:
        voice, score = "state_media", SCORES["outlet"]
        dateline = _dateline(analysis, i, registry)
        if dateline is not None:
            # Adjudicated convention: in "Pyongyang, May 3 (KCNA) -- ..." the outlet speaks.
            return VoiceResult(
                art.id, i, voice, score, dateline, None, nested, "nk_state_media", None, "outlet", p or 0.0
            )
    elif not ent.known:
        voice, score = "other", SCORES["unknown_speaker"]
    if p is not None and p < 0.5 and not state_article:
        # The model doubting that anything is attributed here lowers the rules' confidence.
        score = min(score, 0.5 + 0.5 * p)
    content = tuple(_span(text, c) for c in att.content) if si == i else ()
    return VoiceResult(
        art.id,
        i,
        voice,
        score,
        _span(text, att.speaker) if att.speaker else None,
        _span(text, att.cue),
        nested,
        ent.category,
        ent.name,
        method,
        p if p is not None else 1.0,
        content,
    )


def _dateline(analysis: ArticleAnalysis, i: int, registry: Registry) -> Span | None:
    """The outlet named in a dateline ("Pyongyang, May 3 (KCNA) --"), as the sentence's speaker."""
    sent = analysis.sentences[i]
    for s, e, m in registry.mentions(sent.text):
        if m.category == "nk_state_media" and not m.generic and sent.text[max(s - 1, 0) : s] == "(":
            return Span(sent.start + s, sent.start + e, sent.text[s:e])
    return None


def attribute_article(article: Article, nlp=None, model=None, registry: Registry | None = None) -> list[VoiceResult]:
    """The voice of every sentence of ``article`` (sentence order of :func:`segment_article`).

    Args:
        article: The article; never modified.
        nlp: A loaded spaCy pipeline (default: the cached English pipeline).
        model: A fitted :class:`~pipeline.voice.model.AttributionModel`, or None for rules alone.
        registry: Outlet and speaker registry (default: the packaged one).

    Returns:
        One :class:`VoiceResult` per sentence.
    """
    registry = registry or load_registry()
    analysis = analyse_article(article, nlp, registry)
    return voices_from_analysis(analysis, model, registry)


def voices_from_analysis(analysis: ArticleAnalysis, model=None, registry: Registry | None = None) -> list[VoiceResult]:
    """Voices from an existing analysis (rules, plus the model's probabilities when given)."""
    registry = registry or load_registry()
    probs = None
    if model is not None and analysis.sentences:
        from .features import article_examples

        probs = [float(x) for x in model.predict_proba(article_examples(analysis))[:, 1]]
    return decide_voices(analysis, registry, probs)


def voice_records(article: Article, nlp=None, model=None, registry: Registry | None = None) -> list[dict]:
    """One JSON-ready dict per sentence: the segmentation fields plus the voice fields.

    ``voice``, ``speaker`` and ``cue`` replace the sentence's (empty) gold fields with predictions;
    the article and its sentences are not modified.
    """
    registry = registry or load_registry()
    analysis = analyse_article(article, nlp, registry)
    results = voices_from_analysis(analysis, model, registry)
    rows = []
    for sent, res in zip(analysis.sentences, results):
        row = sent.to_dict()
        row.update(res.to_dict())
        rows.append(row)
    return rows


def predicted_sentences(article: Article, nlp=None, model=None, registry: Registry | None = None) -> list[Sentence]:
    """New :class:`Sentence` records carrying the predicted voice, speaker and cue."""
    from dataclasses import replace

    registry = registry or load_registry()
    analysis = analyse_article(article, nlp, registry)
    results = voices_from_analysis(analysis, model, registry)
    return [replace(s, voice=r.voice, speaker=r.speaker, cue=r.cue) for s, r in zip(analysis.sentences, results)]
