"""Inter-annotator agreement between two annotation passes, and adjudication into gold."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from ..labels import technique_labels, voice_labels
from .builder import read_annotations

Key = tuple[str, str, int, int]
LABEL_FIELDS = ("voice", "speaker", "cue", "nested_speaker", "techniques", "spans")


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters' labels for the same items.

    Returns:
        ``(p_o - p_e) / (1 - p_e)``; None when undefined (no items, or both raters used one and
        the same category for every item, so chance agreement is 1).
    """
    if len(a) != len(b):
        raise ValueError("both raters must label the same items")
    n = len(a)
    if n == 0:
        return None
    p_o = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if math.isclose(p_e, 1.0):
        return None
    return (p_o - p_e) / (1 - p_e)


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data, from the coincidence matrix.

    Args:
        data: Reliability data, one row per coder, one column per unit; None = not coded.
            Units coded by fewer than two coders are not pairable and are ignored.

    Returns:
        ``1 - D_o / D_e``; None when undefined (fewer than two pairable values, or one value only).
    """
    if not data:
        return None
    n_units = len(data[0])
    if any(len(row) != n_units for row in data):
        raise ValueError("every coder row must have one entry per unit")
    o: Counter = Counter()
    for u in range(n_units):
        vals = [row[u] for row in data if row[u] is not None]
        m = len(vals)
        if m < 2:
            continue
        for i, c in enumerate(vals):
            for j, k in enumerate(vals):
                if i != j:
                    o[(c, k)] += 1.0 / (m - 1)
    n_c: Counter = Counter()
    for (c, _k), v in o.items():
        n_c[c] += v
    n = sum(n_c.values())
    if n <= 1:
        return None
    disagree_obs = sum(v for (c, k), v in o.items() if c != k)
    disagree_exp = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if disagree_exp == 0:
        return None
    return 1.0 - (n - 1) * disagree_obs / disagree_exp


def char_overlap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> tuple[int, int, int]:
    """Characters covered by ``a``, by ``b``, and by both (each span set's union)."""
    ca = {i for s, e in a for i in range(s, e)}
    cb = {i for s, e in b for i in range(s, e)}
    return len(ca), len(cb), len(ca & cb)


def _key(rec: Mapping) -> Key:
    return (str(rec["dataset"]), str(rec["article_id"]), int(rec["start"]), int(rec["end"]))


def _index(records: Sequence[Mapping]) -> dict[Key, Mapping]:
    out: dict[Key, Mapping] = {}
    for r in records:
        out.setdefault(_key(r), r)
    return out


def _f1(n_a: int, n_b: int, both: int) -> float | None:
    return None if n_a + n_b == 0 else 2 * both / (n_a + n_b)


def agreement_report(pass1: Sequence[Mapping], pass2: Sequence[Mapping]) -> dict[str, Any]:
    """Agreement of two passes over the sentences both annotated.

    Args:
        pass1, pass2: Annotation records (SCHEMA.md); sentences match on dataset, article_id,
            start, end.

    Returns:
        A dict with ``sentences`` (common sentences), ``technique_sentences`` (those both gave
        technique labels), ``voice_sentences``; ``techniques``: per technique ``kappa``,
        ``agreement`` (observed), ``positives_pass1``/``positives_pass2`` and span-level
        ``span_f1`` (character-overlap F1 between the passes' spans); ``voice_kappa``,
        ``voice_alpha``, ``voice_agreement``; ``alpha_techniques``: Krippendorff's alpha over all
        sentence x technique binary decisions; ``mean_kappa`` (macro over defined kappas);
        ``span_f1`` over all techniques. Undefined values are None.
    """
    i1, i2 = _index(pass1), _index(pass2)
    common = sorted(set(i1) & set(i2))
    techs = technique_labels()
    tech_keys = [k for k in common if i1[k].get("techniques") is not None and i2[k].get("techniques") is not None]
    per: dict[str, dict[str, Any]] = {}
    units1, units2 = [], []
    for t in techs:
        a = [int(t in i1[k]["techniques"]) for k in tech_keys]
        b = [int(t in i2[k]["techniques"]) for k in tech_keys]
        units1 += a
        units2 += b
        per[t] = {
            "kappa": cohen_kappa(a, b),
            "agreement": (sum(x == y for x, y in zip(a, b)) / len(a)) if a else None,
            "positives_pass1": sum(a),
            "positives_pass2": sum(b),
        }
    # Span agreement: characters each pass marked with a technique, within the common sentences.
    chars: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for k in tech_keys:
        for t in techs:
            sa = [(s["start"], s["end"]) for s in i1[k].get("spans") or [] if s.get("technique") == t]
            sb = [(s["start"], s["end"]) for s in i2[k].get("spans") or [] if s.get("technique") == t]
            na, nb, both = char_overlap(sa, sb)
            for acc in (chars[t], chars["__all__"]):
                acc[0] += na
                acc[1] += nb
                acc[2] += both
    for t in techs:
        per[t]["span_f1"] = _f1(*chars[t])
    voice_keys = [k for k in common if i1[k].get("voice") is not None and i2[k].get("voice") is not None]
    va = [i1[k]["voice"] for k in voice_keys]
    vb = [i2[k]["voice"] for k in voice_keys]
    kappas = [v["kappa"] for v in per.values() if v["kappa"] is not None]
    return {
        "sentences": len(common),
        "technique_sentences": len(tech_keys),
        "voice_sentences": len(voice_keys),
        "articles": len({k[:2] for k in common}),
        "techniques": per,
        "mean_kappa": sum(kappas) / len(kappas) if kappas else None,
        "alpha_techniques": krippendorff_alpha_nominal([units1, units2]) if units1 else None,
        "voice_kappa": cohen_kappa(va, vb),
        "voice_alpha": krippendorff_alpha_nominal([va, vb]) if va else None,
        "voice_agreement": (sum(x == y for x, y in zip(va, vb)) / len(va)) if va else None,
        "voice_confusion": {f"{x}|{y}": n for (x, y), n in sorted(Counter(zip(va, vb)).items())},
        "span_f1": _f1(*chars["__all__"]),
    }


def agreement_from_files(pass1: str | Path, pass2: str | Path) -> dict[str, Any]:
    """:func:`agreement_report` of two annotation JSONL files."""
    for p in (pass1, pass2):
        if not Path(p).is_file():
            raise CorpusError(f"{p}: annotation file not found (agreement needs both passes)")
    return agreement_report(
        [ln.record for ln in read_annotations(pass1)], [ln.record for ln in read_annotations(pass2)]
    )


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def agreement_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown: a summary line and one table row per technique."""
    lines = [
        f"Sentences annotated in both passes: {report['sentences']} from {report['articles']} articles "
        f"({report['technique_sentences']} with techniques in both, {report['voice_sentences']} with voice in both).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| Krippendorff's alpha, all technique decisions (sentence x technique, nominal) | "
        f"{_fmt(report['alpha_techniques'])} |",
        f"| mean Cohen's kappa over techniques (where defined) | {_fmt(report['mean_kappa'])} |",
        f"| Cohen's kappa, voice | {_fmt(report['voice_kappa'])} |",
        f"| Krippendorff's alpha, voice | {_fmt(report['voice_alpha'])} |",
        f"| observed agreement, voice | {_fmt(report['voice_agreement'])} |",
        f"| span character-overlap F1, all techniques | {_fmt(report['span_f1'])} |",
        "",
        "| technique | pass 1 + | pass 2 + | agreement | Cohen's kappa | span char F1 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t, v in report["techniques"].items():
        lines.append(
            f"| {t} | {v['positives_pass1']} | {v['positives_pass2']} | {_fmt(v['agreement'])} | "
            f"{_fmt(v['kappa'])} | {_fmt(v['span_f1'])} |"
        )
    lines.append("")
    lines.append(
        "n/a: undefined: both passes gave every sentence one and the same label (chance agreement is 1, "
        "e.g. no sentence with the technique, or every sentence `state_media`), or neither pass marked spans."
    )
    return "\n".join(lines)


def _labels_of(rec: Mapping) -> dict[str, Any]:
    out = {k: rec.get(k) for k in LABEL_FIELDS}
    if out["techniques"] is not None:
        out["techniques"] = sorted(out["techniques"])
    out["spans"] = sorted(
        ((s.get("technique"), s.get("start"), s.get("end")) for s in out["spans"] or []),
        key=lambda x: (str(x[0]), x[1], x[2]),
    )
    return out


def disagreements(pass1: Sequence[Mapping], pass2: Sequence[Mapping]) -> list[dict[str, Any]]:
    """Sentences of both passes whose labels differ, ready to adjudicate.

    Returns:
        One dict per disagreement: ``dataset``, ``article_id``, ``start``, ``end``, ``fields``
        (the label fields that differ), ``pass1`` and ``pass2`` (those fields' values).
    """
    i1, i2 = _index(pass1), _index(pass2)
    out = []
    for k in sorted(set(i1) & set(i2)):
        l1, l2 = _labels_of(i1[k]), _labels_of(i2[k])
        diff = [f for f in LABEL_FIELDS if l1[f] != l2[f]]
        if diff:
            out.append(
                {
                    "dataset": k[0],
                    "article_id": k[1],
                    "start": k[2],
                    "end": k[3],
                    "fields": diff,
                    "pass1": {f: i1[k].get(f) for f in diff},
                    "pass2": {f: i2[k].get(f) for f in diff},
                }
            )
    return out


def adjudicate(
    pass1: Sequence[Mapping],
    pass2: Sequence[Mapping],
    decisions: Sequence[Mapping],
    *,
    require_all: bool = True,
) -> list[dict[str, Any]]:
    """Gold records: pass 1 with each adjudicated sentence's fields replaced by the decision.

    Args:
        pass1, pass2: The two passes.
        decisions: Lines of ``nk.adjudication.jsonl``: ``dataset``, ``article_id``, ``start``,
            ``end``, ``decision`` (the label fields of the adjudicated answer), and, for the
            record, ``pass1``/``pass2``/``reason``.
        require_all: Raise when a disagreement has no decision.

    Returns:
        The gold records, in pass-1 order, with ``annotator`` set to ``"adjudicated"`` where a
        decision applied.

    Raises:
        CorpusError: naming the sentence, when a disagreement is left undecided (``require_all``)
            or a decision refers to a sentence pass 1 lacks, or carries an unknown label.
    """
    i1 = _index(pass1)
    by_key: dict[Key, Mapping] = {}
    for d in decisions:
        k = _key(d)
        if k not in i1:
            raise CorpusError(f"decision for {k[0]}/{k[1]} {k[2]}-{k[3]}: sentence is not in pass 1")
        dec = d.get("decision")
        if not isinstance(dec, Mapping):
            raise CorpusError(f"decision for {k[0]}/{k[1]} {k[2]}-{k[3]}: no 'decision' object")
        bad = [f for f in dec if f not in LABEL_FIELDS]
        if bad:
            raise CorpusError(f"decision for {k[0]}/{k[1]} {k[2]}-{k[3]}: unknown field(s) {bad}")
        if dec.get("voice") is not None and dec["voice"] not in voice_labels():
            raise CorpusError(f"decision for {k[0]}/{k[1]} {k[2]}-{k[3]}: unknown voice {dec['voice']!r}")
        unknown = [t for t in dec.get("techniques") or [] if t not in technique_labels()]
        if unknown:
            raise CorpusError(f"decision for {k[0]}/{k[1]} {k[2]}-{k[3]}: unknown technique(s) {unknown}")
        by_key[k] = dec
    if require_all:
        for d in disagreements(pass1, pass2):
            k = (d["dataset"], d["article_id"], d["start"], d["end"])
            if k not in by_key:
                raise CorpusError(
                    f"{k[0]}/{k[1]} {k[2]}-{k[3]}: passes disagree on {', '.join(d['fields'])} and no decision "
                    "is recorded; add a line to nk.adjudication.jsonl"
                )
    gold = []
    for r in pass1:
        dec = by_key.get(_key(r))
        rec = dict(r)
        if dec is not None:
            rec.update(dec)
            rec["annotator"] = "adjudicated"
        gold.append(rec)
    return gold
