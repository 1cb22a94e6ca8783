"""Attribution rules over a parsed spaCy Doc: reporting cues, their speakers and their content.

Everything here reads one already-parsed Doc (one paragraph) and returns plain records with article
offsets; the article-level pass (:mod:`pipeline.voice.attribute`) links quotes across sentences,
resolves "the source" and "he" and turns speakers into voices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Verbs of saying: a sentence that reports one of these with content speaks in the speaker's voice.
SPEECH_CUES = frozenset(
    """say tell add write ask report state claim remark conclude explain note announce declare insist
    argue warn tweet reply respond suggest acknowledge admit deny confirm reveal predict promise vow pledge
    recall complain boast brag assert allege maintain emphasize emphasise stress urge comment mention quote
    cite indicate testify describe disclose inform answer agree contend lament observe recount relate
    whisper shout joke proclaim caution counter criticize criticise accuse blame praise question dismiss
    concede estimate propose demand order instruct charge retort elaborate specify underline underscore hint
    imply clarify repeat reiterate reaffirm affirm assure guarantee threaten swear hail denounce condemn
    slam blast publish post broadcast air print carry continue point call tout trumpet laud extol
    highlight assess forecast project calculate quip muse concur object protest reason advise recommend
    remind share""".split()
)
# Verbs of thinking, wanting and perceiving: attributions in PolNeAR's sense, but the sentence stays
# in the narrator's voice (the reporter describes a state of mind; nobody is quoted).
COGNITION_CUES = frozenset(
    """think believe feel know hope fear want expect worry doubt wonder suspect consider see view plan
    wish understand learn realize realise recognize recognise imagine assume figure guess reckon intend
    decide seem appear support oppose prefer need seek refuse favor favour endorse agree regard find
    acknowledge anticipate estimate hear notice perceive sense trust envision conclude remember forget
    insist aim try vow""".split()
)
# Speech verbs whose infinitive complement is the reported content ("vowed to retaliate").
_XCOMP_SPEECH = frozenset(
    "claim promise vow pledge threaten agree refuse offer ask urge tell order warn demand propose swear call".split()
)
# Verbs that report speech only next to quoted words: '"...," he continued.'
_QUOTE_ONLY = frozenset({"continue", "carry", "air", "post", "publish", "broadcast", "print"})
# Speech verbs that report a statement through a plain object, the way state media summarise speeches.
_STATEMENT_VERBS = frozenset(
    "stress underline underscore emphasize emphasise express refer appeal call urge highlight "
    "reaffirm reiterate affirm declare".split()
)
# "made a speech", "delivered a report": the object noun is the speech act.
_DELIVER = frozenset({"make", "deliver", "give", "issue", "send", "release", "contribute"})
_SPEECH_NOUNS = frozenset(
    "speech report address remark statement conclusion letter message lecture talk interview commentary article".split()
)
_COMPLEMENTISERS = frozenset({"that", "how", "what", "why", "whether", "if", "when", "where", "who"})


@dataclass(frozen=True)
class RawAttribution:
    """One reporting relation found in a sentence (article offsets, end exclusive).

    ``kind`` is ``direct`` (the cue introduces quoted words), ``indirect`` (a reported clause),
    ``according`` ("according to X, ..."), ``delivered`` ("made a speech": a speech act named, its
    words not given) or ``cognition`` (think/believe/want ...). ``inside`` is
    True when the cue itself stands inside quotation marks: a claim reported by the quoted speaker.
    """

    kind: str
    cue: tuple[int, int]
    speaker: tuple[int, int] | None
    content: tuple[tuple[int, int], ...]
    lemma: str
    depth: int
    inside: bool = False
    referent: tuple[int, int] | None = None


@dataclass(frozen=True)
class Candidate:
    """A possible speaker: the subject of a verb outside quotes, with features for the ranker.

    ``rule`` names the attribution kind when the rules accepted this verb as a cue, else ``""``.
    """

    speaker: tuple[int, int]
    cue: tuple[int, int]
    lemma: str
    feats: tuple[str, ...]
    rule: str = ""


@dataclass
class SentenceRules:
    """What the rules saw in one sentence; plain data, no spaCy objects."""

    start: int
    end: int
    attributions: list[RawAttribution] = field(default_factory=list)
    quote_chars: int = 0
    text_chars: int = 1
    quote_regions: list[tuple[int, int]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    verb_lemmas: list[str] = field(default_factory=list)
    root_lemma: str = ""
    n_tokens: int = 0
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def quote_cover(self) -> float:
        """Share of the sentence's non-space characters inside quotation marks."""
        return self.quote_chars / max(self.text_chars, 1)


def _in_regions(pos: int, regions: list[tuple[int, int]]) -> bool:
    for s, e in regions:
        if s <= pos < e:
            return True
        if s > pos:
            break
    return False


def _depth(tok) -> int:
    d = 0
    while tok.head is not tok and d < 50:
        tok = tok.head
        d += 1
    return d


def _subject(verb):
    """The subject token of ``verb``, following conjuncts and participle clauses ("..., adding")."""
    for _ in range(4):
        for c in verb.children:
            if c.dep_ in ("nsubj", "nsubjpass") and not (c.dep_ == "nsubjpass" and verb.lemma_ != "quote"):
                return c
        if verb.dep_ in ("conj", "advcl", "xcomp", "acl") and verb.head is not verb:
            verb = verb.head
            continue
        return None
    return None


def _phrase_span(tok, lo: int, hi: int, inq: list[bool] | None = None) -> tuple[int, int]:
    """Token index range ``[a, b)`` of the phrase headed by ``tok``, within ``[lo, hi)``.

    The whole subtree, as PolNeAR marks sources with their appositions and relative clauses
    ("Corey Lewandowski, Trump's campaign manager,"); it never runs into quoted words when the
    head is outside them, and edge punctuation is dropped.
    """
    left, right = max(tok.left_edge.i, lo), min(tok.right_edge.i, hi - 1)
    if inq is not None and not inq[tok.i - lo]:
        k = tok.i
        while k > left and not inq[k - 1 - lo]:
            k -= 1
        left = k
        k = tok.i
        while k < right and not inq[k + 1 - lo]:
            k += 1
        right = k
    doc = tok.doc
    # A parenthesis after the head is an aside, not part of the name: "Attendees (at the ceremony)".
    for k in range(tok.i + 1, right + 1):
        if doc[k].text in ("(", "["):
            right = k - 1
            break
    while left < right and (doc[left].is_punct or doc[left].is_space):
        left += 1
    while right > left and (doc[right].is_punct or doc[right].is_space):
        right -= 1
    return left, right + 1


def _subtree_range(tok, lo: int, hi: int) -> tuple[int, int]:
    return max(tok.left_edge.i, lo), min(tok.right_edge.i + 1, hi)


def _chars(doc, a: int, b: int, offset: int) -> tuple[int, int]:
    """Article offsets of tokens ``[a, b)``."""
    return offset + doc[a].idx, offset + doc[b - 1].idx + len(doc[b - 1].text)


def analyse_sentence(doc, a: int, b: int, offset: int, regions: list[tuple[int, int]]) -> SentenceRules:
    """Find reporting relations among the tokens ``doc[a:b]`` of one sentence.

    Args:
        doc: The parsed paragraph.
        a: First token index of the sentence.
        b: Token index after its last token.
        offset: Article offset of ``doc`` (so ``offset + token.idx`` addresses the article text).
        regions: Quoted stretches of the paragraph, article offsets, sorted.

    Returns:
        The sentence's attributions and the counts the model uses as features.
    """
    start = offset + doc[a].idx if b > a else offset
    end = offset + doc[b - 1].idx + len(doc[b - 1].text) if b > a else offset
    info = SentenceRules(start, end)
    sent_regions = [(max(s, start), min(e, end)) for s, e in regions if s < end and e > start]
    info.quote_regions = sent_regions
    inq = [False] * (b - a)
    qchars = tchars = 0
    for k in range(a, b):
        tok = doc[k]
        pos = offset + tok.idx
        q = _in_regions(pos, sent_regions)
        inq[k - a] = q
        n = len(tok.text)
        tchars += n
        if q:
            qchars += n
        info.tokens.append(tok.lower_ if not q else "q:" + tok.lower_)
        if tok.pos_ in ("VERB", "AUX") and not q:
            info.verb_lemmas.append(tok.lemma_.lower())
        if tok.dep_ == "ROOT" and not q:
            info.root_lemma = tok.lemma_.lower()
    info.quote_chars, info.text_chars, info.n_tokens = qchars, max(tchars, 1), b - a

    for k in range(a, b):
        tok = doc[k]
        lemma = tok.lemma_.lower()
        inside = inq[k - a]
        if lemma == "accord" and k + 1 < b and doc[k + 1].lower_ == "to":
            att = _according(doc, tok, a, b, offset, inside)
        elif tok.pos_ == "VERB" and (lemma in SPEECH_CUES or lemma in COGNITION_CUES or lemma in _DELIVER):
            att = _verb_cue(doc, tok, lemma, a, b, offset, inside, inq, sent_regions)
        else:
            att = None
        if att is not None:
            info.attributions.append(att)
        if not inside and (tok.pos_ in ("VERB", "AUX") or lemma == "accord"):
            cand = _candidate(doc, tok, lemma, a, b, offset, inq, bool(sent_regions), att)
            if cand is not None:
                info.candidates.append(cand)
            # Passive: "was asked by the committee", "being nominated by Obama".
            for c in tok.children:
                if c.dep_ == "agent":
                    pobj = next((g for g in c.children if g.dep_ == "pobj"), None)
                    if pobj is not None and a <= pobj.i < b and not inq[pobj.i - a]:
                        cand = _candidate(doc, tok, lemma, a, b, offset, inq, bool(sent_regions), None, pobj, "agent")
                        if cand is not None:
                            info.candidates.append(cand)
        elif not inside and tok.pos_ == "NOUN":
            # Noun cues with a possessor: "her claim", "his attacks on Clinton".
            poss = next((c for c in tok.children if c.dep_ == "poss"), None)
            if poss is not None and a <= poss.i < b:
                cand = _candidate(doc, tok, lemma, a, b, offset, inq, bool(sent_regions), None, poss, "poss")
                if cand is not None:
                    info.candidates.append(cand)
    return info


def _candidate(doc, tok, lemma, a, b, offset, inq, has_quote, att, subj=None, role: str = "subj") -> Candidate | None:
    """A speaker candidate for the cue-like word ``tok``, described by plain string features.

    The candidate is the rules' speaker when they accepted ``tok`` as a cue, else ``subj`` when
    given (a passive agent or a possessor), else the subject of ``tok``.
    """
    if att is not None and att.speaker is not None and not att.inside:
        speaker = att.speaker
        subj = None
    else:
        if subj is None:
            subj = _subject(tok) if lemma != "accord" else None
        if subj is None or not (a <= subj.i < b) or inq[subj.i - a]:
            return None
        sa, sb = _phrase_span(subj, a, b, inq)
        speaker = _chars(doc, sa, sb, offset)
    deps = sorted({c.dep_ for c in tok.children})
    f = [f"role={role}", f"lem={lemma}", f"dep={tok.dep_}", f"tag={tok.tag_}", f"head={tok.head.lemma_.lower()}"]
    f += [f"ch={d}" for d in deps]
    f += [f"prep={c.lower_}" for c in tok.children if c.dep_ in ("prep", "prt", "agent")]
    f.append(f"lemdep={lemma}|{tok.dep_}")
    if subj is not None:
        f += [f"sdep={subj.dep_}", f"spos={subj.pos_}", f"slow={subj.lower_ if subj.pos_ == 'PRON' else '*'}"]
        n = speaker[1] - speaker[0]
        f.append("slen" + ("1" if n < 8 else "2" if n < 20 else "3" if n < 40 else "4"))
        f.append("sbefore" if subj.i < tok.i else "safter")
    if has_quote:
        f.append("quote")
    nxt = doc[tok.i + 1] if tok.i + 1 < b else None
    if nxt is not None and nxt.text == ":":
        f.append("colon")
    if lemma in SPEECH_CUES:
        f.append("lex_speech")
    elif lemma in COGNITION_CUES:
        f.append("lex_cog")
    if att is not None:
        f.append(f"rule={att.kind}")
    return Candidate(speaker, _cue_span(doc, tok, offset), lemma, tuple(f), att.kind if att is not None else "")


def _according(doc, tok, a, b, offset, inside) -> RawAttribution | None:
    to = doc[tok.i + 1]
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
    if pobj is None:
        return None
    sa, sb = _phrase_span(pobj, a, b)
    head = tok.head if tok.head is not tok else tok
    # The content is the clause the "according to" phrase modifies, without the phrase itself.
    lo, hi = _subtree_range(head, a, b)
    parts = []
    skip_lo, skip_hi = tok.i, max(sb, to.i + 1)
    if lo < skip_lo:
        parts.append((lo, skip_lo))
    if skip_hi < hi:
        parts.append((skip_hi, hi))
    content = tuple(_chars(doc, x, y, offset) for x, y in _trim_all(doc, parts))
    return RawAttribution(
        "according",
        _chars(doc, tok.i, to.i + 1, offset),
        _chars(doc, sa, sb, offset),
        content,
        "according to",
        _depth(tok),
        inside,
    )


def _trim_all(doc, parts):
    out = []
    for x, y in parts:
        while x < y and doc[x].is_punct:
            x += 1
        while y > x and doc[y - 1].is_punct:
            y -= 1
        if y > x:
            out.append((x, y))
    return out


def _verb_cue(doc, tok, lemma, a, b, offset, inside, inq, regions) -> RawAttribution | None:
    if lemma in _DELIVER:
        return _delivered(doc, tok, lemma, a, b, offset, inside, inq)
    speech = lemma in SPEECH_CUES
    # "continues to discharge" is not speech; "claimed to be", "vowed to fight" report a claim.
    deps = ("ccomp", "xcomp") if not speech or lemma in _XCOMP_SPEECH else ("ccomp",)
    comp = [c for c in tok.children if c.dep_ in deps and a <= c.i < b]
    if speech and lemma in _QUOTE_ONLY and not (bool(regions) and not inside):
        return None
    if tok.dep_ == "parataxis" and a <= tok.head.i < b:
        comp.append(tok.head)
    has_quote = bool(regions) and not inside
    if not speech and not comp:
        # "She wants a recount": a mental-state verb with a plain object still reports an attitude.
        obj = [c for c in tok.children if c.dep_ == "dobj"]
        if not obj or lemma not in ("want", "support", "oppose", "endorse", "favor", "favour", "prefer", "seek"):
            return None
        comp = obj
    rest = None
    if speech and not comp and not has_quote:
        nxt = doc[tok.i + 1] if tok.i + 1 < b else None
        if nxt is not None and nxt.lower_ in _COMPLEMENTISERS:
            # The parser often loses the clause of "shared how thrilled they were": take the rest
            # of the sentence after a complementiser as the content.
            comp, rest = [nxt], (nxt.i, b)
        elif nxt is not None and nxt.text == ":":
            # "The message said:" introduces what follows; the colon stands in for the content.
            comp, rest = [nxt], (nxt.i, nxt.i + 1)
        elif lemma in _STATEMENT_VERBS:
            # Statement reports with a plain object: "He stressed the need to ...", "called for ...".
            obj = [c for c in tok.children if c.dep_ in ("dobj", "prep") and a <= c.i < b]
            obj = [c for c in obj if c.dep_ == "dobj" or c.lower_ in ("for", "on", "upon", "to")]
            if not obj:
                return None
            comp = obj
        else:
            return None
    kind = "cognition" if not speech else ("direct" if has_quote and not inside else "indirect")
    subj = _subject(tok)
    speaker = referent = None
    if subj is not None and a <= subj.i < b and (inside or not inq[subj.i - a]):
        sa, sb = _phrase_span(subj, a, b, inq)
        speaker = _chars(doc, sa, sb, offset)
        if subj.lower_ in ("who", "which", "that") and subj.head.dep_ == "relcl":
            noun = subj.head.head
            ra, rb = max(noun.left_edge.i, a), noun.i + 1
            if rb <= sa:
                referent = _chars(doc, ra, rb, offset)
    if speaker is None and kind != "cognition":
        speaker = _adjacent_speaker(doc, tok, a, b, offset, inq)
    if kind == "direct":
        content = tuple(regions)
    else:
        spans = [rest] if rest is not None else []
        for c in comp if rest is None else ():
            lo, hi = _subtree_range(c, a, b)
            if c is tok.head:  # parataxis: the host clause minus the "he said" aside
                ta, tb = _subtree_range(tok, a, b)
                spans.extend([(lo, ta), (tb, hi)])
            else:
                spans.append((lo, hi))
        content = tuple(_chars(doc, x, y, offset) for x, y in _trim_all(doc, spans))
        if not content and rest is not None and doc[rest[0]].text == ":":
            content = (_chars(doc, rest[0], rest[1], offset),)
    if not content:
        return None
    return RawAttribution(kind, _cue_span(doc, tok, offset), speaker, content, lemma, _depth(tok), inside, referent)


def _delivered(doc, tok, lemma, a, b, offset, inside, inq) -> RawAttribution | None:
    """ "made a speech", "delivered a report", "an article issued by ...": the speech is the content."""
    obj = next((c for c in tok.children if c.dep_ == "dobj" and c.lemma_.lower() in _SPEECH_NOUNS), None)
    passive = obj is None and tok.dep_ == "acl" and tok.head.lemma_.lower() in _SPEECH_NOUNS
    if passive:
        obj = tok.head
    if obj is None or not (a <= obj.i < b):
        return None
    if passive:
        agent = next((c for c in tok.children if c.dep_ == "agent"), None)
        subj = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
    else:
        subj = _subject(tok)
    speaker = None
    if subj is not None and a <= subj.i < b and (inside or not inq[subj.i - a]):
        speaker = _chars(doc, *_phrase_span(subj, a, b, inq), offset)
    if passive:
        cue = _cue_span(doc, tok, offset)
    else:
        # The guidelines' introducing cue names the speech: "made a speech", "sent a letter".
        lo, _ = _cue_span_tokens(tok)
        cue = _chars(doc, lo, obj.i + 1, offset)
    content = _chars(doc, *_subtree_range(obj, a, b), offset)
    return RawAttribution("delivered", cue, speaker, (content,), lemma, _depth(tok), inside)


# Prepositional speech verbs whose preposition belongs to the cue: "called for", "appealed to".
_CUE_PREPOSITIONS = {"call": ("on", "for", "upon"), "appeal": ("to", "for")}


def _cue_span_tokens(tok) -> tuple[int, int]:
    lo = hi = tok.i
    preps = _CUE_PREPOSITIONS.get(tok.lemma_.lower(), ())
    for c in tok.children:
        if c.dep_ in ("aux", "auxpass", "neg") and c.i < tok.i and tok.i - c.i <= 3:
            lo = min(lo, c.i)
        if c.i == tok.i + 1 and (c.dep_ == "prt" or (c.dep_ == "prep" and c.lower_ in preps)):
            hi = c.i
    return lo, hi + 1


def _cue_span(doc, tok, offset) -> tuple[int, int]:
    """The cue: the verb with its auxiliaries and particle ("has claimed", "pointed out")."""
    return _chars(doc, *_cue_span_tokens(tok), offset)


def _adjacent_speaker(doc, tok, a, b, offset, inq) -> tuple[int, int] | None:
    """Speaker next to the cue when the parse gave none: '..." said the source' / '," the source said'."""
    # Right side, only in the inverted order after a quote or comma: '..." said the source.'
    k = tok.i + 1
    prev = doc[tok.i - 1] if tok.i > a else None
    inverted = prev is not None and (prev.is_punct or inq[prev.i - a])
    if inverted and k < b and not inq[k - a] and doc[k].pos_ in ("DET", "PROPN", "NOUN", "PRON", "NUM", "ADJ"):
        j = k
        while j < b and not inq[j - a] and not doc[j].is_punct and doc[j].pos_ not in ("VERB", "AUX", "SCONJ"):
            j += 1
        if j > k and any(doc[x].pos_ in ("NOUN", "PROPN", "PRON") for x in range(k, j)):
            return _chars(doc, k, j, offset)
    # Left side: '," a source in the province told'
    j = tok.i - 1
    while j >= a and doc[j].dep_ in ("aux", "auxpass", "neg", "advmod"):
        j -= 1
    i = j
    while i >= a and not inq[i - a] and not doc[i].is_punct and doc[i].pos_ not in ("VERB", "AUX", "SCONJ"):
        i -= 1
    if i < j and any(doc[x].pos_ in ("NOUN", "PROPN", "PRON") for x in range(i + 1, j + 1)):
        return _chars(doc, i + 1, j + 1, offset)
    return None
