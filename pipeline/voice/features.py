"""Sentence features for the learned attribution model: rule outputs, cue lemmas and words.

Built from :class:`~pipeline.voice.attribute.ArticleAnalysis` (plain records), so the classifier
never sees a spaCy ``Doc``.
"""

from __future__ import annotations

from .rules import COGNITION_CUES, SPEECH_CUES, SentenceRules

FeatureDict = dict[str, float]


def _own(info: SentenceRules) -> list[str]:
    """Rule flags of one sentence, also used (prefixed) as context for its neighbours."""
    f = []
    kinds = {a.kind for a in info.attributions}
    if kinds:
        f.append("r_any")
    for a in info.attributions:
        f.append(f"r_{a.kind}{'_in' if a.inside else ''}")
        f.append(f"rl_{a.kind}_{a.lemma}")
        if a.speaker is None:
            f.append("r_nospeaker")
    cover = info.quote_cover
    f.append(f"qc{min(int(cover * 4), 4)}")
    return f


def sentence_features(analysis, i: int, chain_ids: list[int | None] | None = None) -> FeatureDict:
    """Features of sentence ``i`` of an analysed article (binary features as 1.0)."""
    sents, rules = analysis.sentences, analysis.rules
    sent, info = sents[i], rules[i]
    feats: FeatureDict = {}
    for tok in info.tokens:
        feats["w=" + tok] = 1.0
    for lem in info.verb_lemmas:
        feats["v=" + lem] = 1.0
        if lem in SPEECH_CUES:
            feats["cue_speech"] = 1.0
        elif lem in COGNITION_CUES:
            feats["cue_cog"] = 1.0
    feats["root=" + info.root_lemma] = 1.0
    for f in _own(info):
        feats[f] = 1.0
    feats["qs=" + analysis.quote[i]] = 1.0
    if chain_ids is not None and chain_ids[i] is not None:
        feats["in_chain"] = 1.0
    n = info.n_tokens
    feats["len" + str(0 if n < 6 else 1 if n < 12 else 2 if n < 25 else 3 if n < 40 else 4)] = 1.0
    if i == 0:
        feats["first"] = 1.0
    if i == 0 or sents[i - 1].paragraph != sent.paragraph:
        feats["para_first"] = 1.0
    for off, tag in ((-1, "p"), (1, "n")):
        j = i + off
        if 0 <= j < len(sents) and sents[j].paragraph == sent.paragraph:
            for f in _own(rules[j]):
                feats[f"{tag}:{f}"] = 1.0
            feats[f"{tag}:qs={analysis.quote[j]}"] = 1.0
        else:
            feats[f"{tag}:none"] = 1.0
    return feats


def article_features(analysis) -> list[FeatureDict]:
    """Features of every sentence of an analysed article, in order."""
    from .attribute import _chains

    chains = _chains(analysis.quote, analysis.rules)
    return [sentence_features(analysis, i, chains) for i in range(len(analysis.sentences))]


def rule_attributed(analysis) -> list[bool]:
    """The rules' own answer to "does this sentence carry attributed content?"."""
    from .attribute import _chains

    chains = _chains(analysis.quote, analysis.rules)
    out = []
    for i, info in enumerate(analysis.rules):
        out.append(bool(info.attributions) or chains[i] is not None)
    return out


def article_examples(analysis) -> list:
    """Model inputs (:class:`~pipeline.voice.model.Example`) for every sentence of an article."""
    from .model import Example

    feats = article_features(analysis)
    gid = analysis.article.id
    return [Example(f, tuple(c.feats for c in info.candidates), gid) for f, info in zip(feats, analysis.rules)]
