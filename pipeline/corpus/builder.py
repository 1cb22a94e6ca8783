"""Build the labeled sentence corpus (NK annotations, seed, PTC, PolNeAR) as a ``datasets.DatasetDict``.

Every source becomes rows of one sentence schema (:data:`FEATURES`); the rows of all sources are
split at article level into ``train`` / ``validation`` / ``test``, each split holding every source
(``ds["test"].filter(lambda r: r["source"] == "nk")`` selects one). Third-party text is read from
the data directory at build time and never written into the repository; the built dataset is
cached under a directory the caller names (``out/corpus/`` by the command line).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import CorpusError, InputError

# BRAT parsing lives in ingest.brat; its names stay importable from here, where scripts import them.
from ..ingest.brat import BratAttribution as BratAttribution
from ..ingest.brat import BratDocument, brat_offset_mismatches, polnear_annotation_files, read_brat
from ..ingest.brat import BratEntity as BratEntity
from ..labels import technique_labels, voice_labels
from ..records import Article, Sentence
from ..segment.nlp import SEGMENT_EXCLUDE

SOURCES = ("nk", "seed", "ptc", "polnear")
SPLITS = ("train", "validation", "test")
NK_DATASETS = ("kcna-2024", "rodong-2021")
# Bump when the row schema or the way rows are derived changes: it invalidates every cache.
FORMAT_VERSION = "propwatch.corpus.v2"
NOT_ANNOTATED = -1


def _features():
    from datasets import ClassLabel, Features, Sequence, Value

    offsets = {"start": Value("int32"), "end": Value("int32")}
    return Features(
        {
            "source": Value("string"),
            "dataset": Value("string"),
            "article_id": Value("string"),
            "article_sha256": Value("string"),
            "index": Value("int32"),
            "start": Value("int32"),
            "end": Value("int32"),
            "text": Value("string"),
            "paragraph": Value("int32"),
            "quote": Value("string"),
            "voice": ClassLabel(names=list(voice_labels())),
            "techniques": Sequence(ClassLabel(names=list(technique_labels()))),
            "techniques_annotated": Value("bool"),
            "has_attribution": Value("int8"),
            "speaker_spans": [offsets],
            "cue_spans": [offsets],
            "nested_speaker_spans": [offsets],
            "spans": [
                {
                    "technique": ClassLabel(names=list(technique_labels())),
                    "start": Value("int32"),
                    "end": Value("int32"),
                    "text": Value("string"),
                }
            ],
            "annotator": Value("string"),
            "split": Value("string"),
        }
    )


def _dataset(rows: list[dict], features):
    from datasets import Dataset

    # from_list([]) loses the columns; an empty source must still have the schema.
    if not rows:
        return Dataset.from_dict({k: [] for k in features}, features=features)
    return Dataset.from_list(rows, features=features)


def sha256_text(text: str) -> str:
    """SHA-256 hex digest of ``text`` encoded as UTF-8 (the checksum annotation records carry)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Splits


def assign_split(key: str, seed: int = 13, fractions: Sequence[float] = (0.7, 0.15, 0.15)) -> str:
    """The split of one article, from a hash of ``(seed, key)``.

    A hash rather than a shuffle keeps every article in its split when articles are added or
    removed, so annotating more never moves an article from test into train.

    Args:
        key: The grouping key of the article (the builder uses the SHA-256 of its text, so that
            identical texts under different ids, e.g. KCNA stories listed under two topics, share
            a split).
        seed: Changes the assignment as a whole.
        fractions: Shares of ``train``, ``validation``, ``test``; normalised, zeros allowed.

    Returns:
        ``"train"``, ``"validation"`` or ``"test"``.
    """
    total = float(sum(fractions))
    if total <= 0 or any(f < 0 for f in fractions) or len(fractions) != 3:
        raise CorpusError(f"split fractions {tuple(fractions)} must be three non-negative numbers, not all 0")
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    acc = 0.0
    for name, f in zip(SPLITS, fractions):
        acc += f / total
        if u < acc:
            return name
    return next(name for name, f in zip(reversed(SPLITS), reversed(fractions)) if f > 0)


# --------------------------------------------------------------------------------------------
# Annotation files


@dataclass(frozen=True)
class AnnotationLine:
    """One JSON record of an annotation file and where it was read."""

    path: str
    line: int
    record: dict

    @property
    def key(self) -> tuple[str, str, int, int]:
        r = self.record
        return (str(r.get("dataset")), str(r.get("article_id")), r.get("start"), r.get("end"))

    def describe(self) -> str:
        """``dataset/article_id start-end``, how messages name a record."""
        r = self.record
        return f"{r.get('dataset')}/{r.get('article_id')} {r.get('start')}-{r.get('end')}"


def iter_annotation_file(path: str | Path) -> Iterable[tuple[int, dict | None, str | None]]:
    """Yield ``(line_number, record, error)`` for each non-blank line; ``record`` is None on error."""
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                yield n, None, f"line is not valid JSON ({e.msg} at column {e.colno})"
                continue
            if not isinstance(obj, dict):
                yield n, None, f"expected a JSON object, got {type(obj).__name__}"
                continue
            yield n, obj, None


def read_annotations(path: str | Path) -> list[AnnotationLine]:
    """Read an annotation JSONL file; raises CorpusError naming the first unreadable line."""
    out = []
    for n, obj, err in iter_annotation_file(path):
        if err:
            raise CorpusError(f"{path}:{n}: {err}")
        out.append(AnnotationLine(str(path), n, obj))
    return out


def nk_annotation_file(annotations_dir: str | Path) -> Path | None:
    """The NK annotations the builder uses: ``nk.gold.jsonl``, else ``nk.pass1.jsonl``, else None."""
    d = Path(annotations_dir)
    for name in ("nk.gold.jsonl", "nk.pass1.jsonl"):
        if (d / name).is_file():
            return d / name
    return None


# --------------------------------------------------------------------------------------------
# Article texts


def nk_articles(data_dir: str | Path, datasets: Iterable[str] = NK_DATASETS) -> dict[tuple[str, str], Article]:
    """KCNA and Rodong Sinmun articles keyed by ``(dataset, article_id)``.

    ``dataset`` is the data folder's name (``kcna-2024``, ``rodong-2021``); ids and texts are
    those of :func:`pipeline.ingest.read_jsonl`. Lines that are not articles (e.g. a Rodong entry
    with no paragraphs) are skipped: no annotation can refer to them.
    """
    from ..ingest import read_jsonl

    out: dict[tuple[str, str], Article] = {}
    for name in datasets:
        folder = Path(data_dir) / name
        for path in sorted(folder.glob("*.jsonl")):
            for item in read_jsonl(str(path)):
                if isinstance(item, InputError):
                    continue
                out.setdefault((name, item.id), item)
    return out


def seed_articles(seed_dir: str | Path) -> dict[tuple[str, str], Article]:
    """The seed article(s) of ``corpus/seed/``, keyed by ``("seed", file stem)``."""
    from ..ingest import read_text

    out = {}
    for path in sorted(Path(seed_dir).glob("*.txt")):
        art = read_text(str(path))
        out[("seed", art.id)] = replace(art, dataset="seed")
    return out


# --------------------------------------------------------------------------------------------
# PTC and PolNeAR


def read_ptc_labels(path: str | Path) -> dict[str, list[tuple[str, int, int]]]:
    """PTC technique spans ``(technique, start, end)`` by article id, from ``*-task-flc-tc.labels``."""
    known = set(technique_labels())
    out: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    with Path(path).open(encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            parts = raw.rstrip("\n").split("\t")
            if len(parts) != 4:
                raise CorpusError(f"{path}:{n}: expected 4 tab-separated columns, got {len(parts)}")
            aid, tech, s, e = parts
            if tech not in known:
                raise CorpusError(f"{path}:{n}: unknown technique {tech!r}")
            out[aid].append((tech, int(s), int(e)))
    return dict(out)


# --------------------------------------------------------------------------------------------
# Rows


def _row(source: str, dataset: str, article: Article, sent: Sentence, split: str, **labels) -> dict:
    row = {
        "source": source,
        "dataset": dataset,
        "article_id": article.id,
        "article_sha256": labels.pop("article_sha256", None) or sha256_text(article.text),
        "index": sent.index,
        "start": sent.start,
        "end": sent.end,
        "text": sent.text,
        "paragraph": sent.paragraph,
        "quote": sent.quote,
        "voice": NOT_ANNOTATED,
        "techniques": [],
        "techniques_annotated": False,
        "has_attribution": NOT_ANNOTATED,
        "speaker_spans": [],
        "cue_spans": [],
        "nested_speaker_spans": [],
        "spans": [],
        "annotator": "",
        "split": split,
    }
    row.update(labels)
    return row


def _technique_ids(names: Iterable[str]) -> list[int]:
    order = {t: i for i, t in enumerate(technique_labels())}
    return sorted({order[n] for n in names})


def _span_dict(text: str, technique: str, start: int, end: int) -> dict:
    order = {t: i for i, t in enumerate(technique_labels())}
    return {"technique": order[technique], "start": start, "end": end, "text": text[start:end]}


def _offsets(obj: Any) -> list[dict]:
    if isinstance(obj, dict) and isinstance(obj.get("start"), int) and isinstance(obj.get("end"), int):
        return [{"start": obj["start"], "end": obj["end"]}]
    return []


def _fallback_sentence(article: Article, sents: list[Sentence], start: int, end: int) -> Sentence:
    """A Sentence for a record whose boundaries differ from the segmenter's (validate flags it)."""
    from ..segment.quotes import quote_states
    from ..segment.sentences import body_units

    para = next((u.paragraph for u in body_units(article) if u.start <= start < u.end), -1)
    quote = quote_states(article.text, [(start, end, para)])[0]
    index = next((s.index for s in sents if s.end > start), len(sents))
    return Sentence(article.id, index, start, end, article.text[start:end], para, quote)


@dataclass
class BuildReport:
    """What a build read, skipped and found wrong, per source; printed by ``corpus stats``."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"sources": self.sources}

    @classmethod
    def from_dict(cls, d: dict) -> BuildReport:
        return cls(sources=dict(d.get("sources", {})))


def _annotated_rows(
    source: str,
    path: Path,
    articles: dict[tuple[str, str], Article],
    nlp,
    split_of: Callable[[Article], str],
    strict: bool,
    info: dict,
) -> list[dict]:
    from ..segment import segment_article
    from .validate import check_annotation_lines

    lines = []
    parse_problems = []
    for n, obj, err in iter_annotation_file(path):
        if err:
            parse_problems.append(f"{path}:{n}: {err}")
        else:
            lines.append(AnnotationLine(str(path), n, obj))
    good, problems = check_annotation_lines(lines, articles)
    messages = parse_problems + [str(p) for p in problems]
    if messages and strict:
        raise CorpusError(f"{messages[0]} ({len(messages)} problem(s) in {path}; run `propwatch corpus validate`)")
    info.update(file=str(path), records=len(lines), skipped_records=len(lines) - len(good), problems=messages)

    by_article: dict[tuple[str, str], list[AnnotationLine]] = defaultdict(list)
    for ln in good:
        by_article[(ln.record["dataset"], ln.record["article_id"])].append(ln)
    rows = []
    mismatched = 0
    for key in sorted(by_article):
        art = articles[key]
        sents = segment_article(art, nlp)
        by_offsets = {(s.start, s.end): s for s in sents}
        split = split_of(art)
        for ln in sorted(by_article[key], key=lambda x: x.record["start"]):
            r = ln.record
            sent = by_offsets.get((r["start"], r["end"]))
            if sent is None:
                mismatched += 1
                sent = _fallback_sentence(art, sents, r["start"], r["end"])
            techs = r.get("techniques")
            spans = r.get("spans") or []
            voice = r.get("voice")
            rows.append(
                _row(
                    source,
                    key[0],
                    art,
                    sent,
                    split,
                    article_sha256=r["article_sha256"],
                    voice=voice_labels().index(voice) if voice is not None else NOT_ANNOTATED,
                    techniques=_technique_ids(list(techs or []) + [s["technique"] for s in spans]),
                    techniques_annotated=techs is not None,
                    speaker_spans=_offsets(r.get("speaker")),
                    cue_spans=_offsets(r.get("cue")),
                    nested_speaker_spans=_offsets(r.get("nested_speaker")),
                    spans=[_span_dict(art.text, s["technique"], s["start"], s["end"]) for s in spans],
                    annotator=str(r.get("annotator") or ""),
                )
            )
    info.update(sentences=len(rows), articles=len(by_article), boundary_mismatches=mismatched)
    return rows


def build_nk_rows(
    annotations_dir: str | Path,
    data_dir: str | Path,
    nlp,
    *,
    seed: int,
    fractions: Sequence[float],
    strict: bool = True,
    info: dict | None = None,
) -> list[dict]:
    """Rows of the NK annotations (gold, else pass 1) joined with the KCNA/Rodong texts."""
    info = {} if info is None else info
    path = nk_annotation_file(annotations_dir)
    if path is None:
        info.update(file=None, note=f"no nk.gold.jsonl or nk.pass1.jsonl in {annotations_dir}", sentences=0)
        return []
    articles = nk_articles(data_dir)
    return _annotated_rows(
        "nk", path, articles, nlp, lambda a: assign_split(sha256_text(a.text), seed, fractions), strict, info
    )


def build_seed_rows(
    annotations_dir: str | Path, seed_dir: str | Path, nlp, *, strict: bool = True, info: dict | None = None
) -> list[dict]:
    """Rows of ``seed.gold.jsonl`` over the seed article; always in ``test`` (it is the reference)."""
    info = {} if info is None else info
    path = Path(annotations_dir) / "seed.gold.jsonl"
    if not path.is_file():
        info.update(file=None, note=f"no seed.gold.jsonl in {annotations_dir}", sentences=0)
        return []
    return _annotated_rows("seed", path, seed_articles(seed_dir), nlp, lambda a: "test", strict, info)


def build_ptc_rows(
    data_dir: str | Path,
    nlp,
    *,
    seed: int,
    fractions: Sequence[float],
    limit: int | None = None,
    info: dict | None = None,
) -> list[dict]:
    """Sentences of every PTC train article, each with the techniques of the gold spans overlapping it.

    ``spans`` lists every gold span overlapping the sentence (article offsets, not clipped), so a
    span crossing a sentence boundary appears in both sentences; :func:`span_table` deduplicates.
    """
    from ..ingest import read_ptc
    from ..segment import segment_article

    info = {} if info is None else info
    root = Path(data_dir) / "ptc"
    gold = read_ptc_labels(root / "train-task-flc-tc.labels")
    paths = sorted((root / "train-articles").glob("article*.txt"))[:limit]
    rows = []
    outside = orphan = crossing = n_spans = 0
    for p in paths:
        art = read_ptc(str(p))
        sents = segment_article(art, nlp)
        split = assign_split(sha256_text(art.text), seed, fractions)
        spans = gold.get(art.id, [])
        n_spans += len(spans)
        for _tech, s, e in spans:
            if not (0 <= s < e <= len(art.text)):
                outside += 1
            hits = [x for x in sents if s < x.end and e > x.start]
            orphan += not hits
            crossing += len(hits) > 1
        for sent in sents:
            hits = [(t, s, e) for t, s, e in spans if s < sent.end and e > sent.start]
            rows.append(
                _row(
                    "ptc",
                    "ptc-train",
                    art,
                    sent,
                    split,
                    techniques=_technique_ids(t for t, _, _ in hits),
                    techniques_annotated=True,
                    spans=[_span_dict(art.text, t, s, e) for t, s, e in sorted(hits, key=lambda h: (h[1], h[2]))],
                )
            )
    info.update(
        articles=len(paths),
        sentences=len(rows),
        gold_spans=n_spans,
        spans_outside_text=outside,
        spans_in_no_sentence=orphan,
        spans_crossing_sentences=crossing,
    )
    return rows


def build_polnear_rows(
    data_dir: str | Path,
    nlp,
    *,
    seed: int,
    fractions: Sequence[float],
    limit: int | None = None,
    info: dict | None = None,
) -> list[dict]:
    """Sentences of PolNeAR train and dev with attribution flags and gold source/cue spans.

    One annotation file per article: the first annotator id in sorted order (a few articles were
    annotated by all six annotators for agreement studies). ``has_attribution`` is 1 when a
    Content span of the chosen annotation overlaps the sentence; ``speaker_spans``/``cue_spans``
    are the Source/Cue fragments of those attributions (article offsets, possibly outside the
    sentence). PolNeAR dev goes to ``test`` (the benchmark split); train is split by article into
    ``train``/``validation`` in the ratio of ``fractions``.
    """
    from ..ingest import read_polnear
    from ..segment import segment_article

    info = {} if info is None else info
    root = Path(data_dir) / "polnear"
    rows = []
    mismatches: list[str] = []
    stats = Counter()
    for sub in ("train", "dev"):
        anns = polnear_annotation_files(root / sub / "attributions")
        texts = sorted((root / sub / "text").glob("*.txt"))[:limit]
        for tp in texts:
            files = anns.get(tp.stem)
            if not files:
                stats["articles_without_annotation"] += 1
                continue
            stats[f"{sub}_articles"] += 1
            stats["multi_annotated_articles"] += len(files) > 1
            chosen = files[0]
            annotator = chosen.stem.rpartition("_")[2]
            doc = read_brat(chosen)
            art = read_polnear(str(tp))
            mismatches.extend(doc.problems)
            mismatches.extend(brat_offset_mismatches(doc, art.text))
            sents = segment_article(art, nlp)
            split = (
                "test" if sub == "dev" else assign_split(sha256_text(art.text), seed, (fractions[0], fractions[1], 0.0))
            )

            def frags(ids: Iterable[str], doc: BratDocument = doc) -> list[tuple[int, int]]:
                return [f for i in ids if i in doc.entities for f in doc.entities[i].fragments]

            attrs = [(frags(a.contents), frags(a.sources), frags(a.cues)) for a in doc.attributions]
            stats["attributions"] += len(attrs)
            for sent in sents:
                hit = [a for a in attrs if any(s < sent.end and e > sent.start for s, e in a[0])]
                speakers = sorted({f for a in hit for f in a[1]})
                cues = sorted({f for a in hit for f in a[2]})
                rows.append(
                    _row(
                        "polnear",
                        f"polnear-{sub}",
                        art,
                        sent,
                        split,
                        has_attribution=int(bool(hit)),
                        speaker_spans=[{"start": s, "end": e} for s, e in speakers],
                        cue_spans=[{"start": s, "end": e} for s, e in cues],
                        annotator=annotator,
                    )
                )
    info.update(
        articles=stats["train_articles"] + stats["dev_articles"],
        sentences=len(rows),
        **{k: v for k, v in stats.items()},
        brat_offset_mismatches=len(mismatches),
        brat_offset_mismatch_examples=mismatches[:20],
    )
    return rows


# --------------------------------------------------------------------------------------------
# Caching and assembly


def _hash_files(paths: Iterable[Path], h=None) -> str:
    h = h or hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.name).encode())
        h.update(b"\0")
        h.update(p.read_bytes() if p.is_file() else b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def _code_fingerprint() -> str:
    from .. import __version__

    here = Path(__file__).resolve().parent
    pkg = here.parent
    files = [here / "builder.py", here / "validate.py", pkg / "records.py"]
    files += [pkg / "ingest" / "readers.py", pkg / "ingest" / "brat.py"]
    files += sorted((pkg / "segment").glob("*.py")) + sorted((pkg / "data").glob("*.txt"))
    return _hash_files(files, hashlib.sha256(f"{FORMAT_VERSION}|{__version__}".encode()))


def _source_inputs(source: str, data_dir: Path, annotations_dir: Path, seed_dir: Path) -> list[Path]:
    if source == "nk":
        f = nk_annotation_file(annotations_dir)
        data = [p for name in NK_DATASETS for p in (data_dir / name).glob("*.jsonl")]
        return ([f] if f else [annotations_dir / "nk.gold.jsonl"]) + data
    if source == "seed":
        return [annotations_dir / "seed.gold.jsonl", *seed_dir.glob("*.txt")]
    if source == "ptc":
        root = data_dir / "ptc"
        return [root / "train-task-flc-tc.labels", *(root / "train-articles").glob("*.txt")]
    if source == "polnear":
        root = data_dir / "polnear"
        return [root / "metadata.tsv", *root.glob("*/text/*.txt"), *root.glob("*/attributions/*.ann")]
    raise CorpusError(f"unknown corpus source {source!r}; choose from {', '.join(SOURCES)}")


def source_fingerprint(
    source: str,
    data_dir: str | Path,
    annotations_dir: str | Path,
    seed_dir: str | Path,
    *,
    seed: int,
    fractions: Sequence[float],
    limit: int | None,
    nlp_name: str,
) -> str:
    """SHA-256 over a source's input files, the code that derives rows, and the build settings."""
    inputs = _source_inputs(source, Path(data_dir), Path(annotations_dir), Path(seed_dir))
    settings = json.dumps(
        {
            "source": source,
            "seed": seed,
            "fractions": list(fractions),
            "limit": limit,
            "nlp": nlp_name,
            "code": _code_fingerprint(),
        },
        sort_keys=True,
    )
    return _hash_files(inputs, hashlib.sha256(settings.encode()))


@dataclass
class BuildResult:
    """A built corpus, its span table, and the build report."""

    corpus: Any  # datasets.DatasetDict
    report: BuildReport
    timings: dict[str, float] = field(default_factory=dict)

    def spans(self):
        """The span-level table of :func:`span_table`."""
        return span_table(self.corpus)


def _nlp_name(nlp) -> str:
    meta = getattr(nlp, "meta", {}) or {}
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}|{','.join(getattr(nlp, 'pipe_names', []))}"


def build(
    data_dir: str | Path,
    annotations_dir: str | Path = "corpus/annotations",
    seed_dir: str | Path = "corpus/seed",
    seed: int = 13,
    split_fractions: Sequence[float] = (0.7, 0.15, 0.15),
    sources: Sequence[str] = SOURCES,
    *,
    cache_dir: str | Path | None = None,
    nlp=None,
    limit: int | None = None,
    strict: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the corpus and say what the build found; see :func:`build_corpus`.

    Args:
        cache_dir: Where each source's rows are kept (``<source>-<fingerprint>/``); a source
            whose inputs, code and settings are unchanged is loaded instead of re-parsed.
        nlp: spaCy pipeline for sentence boundaries; default: the project's pipeline without
            NER and lemmatizer.
        limit: Only the first ``limit`` PTC / PolNeAR articles of each folder (tests).
        strict: Raise CorpusError on the first bad annotation record; otherwise skip bad records
            and list them in the report.
        progress: Called with one line per step (the command line prints them).
    """
    from datasets import DatasetDict, concatenate_datasets, load_from_disk

    from ..segment import load_nlp

    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise CorpusError(f"unknown corpus source(s) {unknown}; choose from {', '.join(SOURCES)}")
    if len(split_fractions) != 3:
        raise CorpusError("split_fractions must be (train, validation, test)")
    nlp = nlp or load_nlp(exclude=SEGMENT_EXCLUDE)
    say = progress or (lambda msg: None)
    features = _features()
    report = BuildReport()
    timings: dict[str, float] = {}
    parts = []
    for source in sources:
        t0 = time.perf_counter()
        fp = source_fingerprint(
            source,
            data_dir,
            annotations_dir,
            seed_dir,
            seed=seed,
            fractions=split_fractions,
            limit=limit,
            nlp_name=_nlp_name(nlp),
        )
        target = Path(cache_dir) / f"{source}-{fp[:16]}" if cache_dir else None
        if target is not None and (target / "report.json").is_file():
            ds = load_from_disk(str(target / "rows"))
            info = json.loads((target / "report.json").read_text(encoding="utf-8"))
            info["cached"] = True
            if strict and info.get("problems"):
                # The cache was written by a lenient build (validate); a strict build still refuses.
                msgs = info["problems"]
                raise CorpusError(f"{msgs[0]} ({len(msgs)} problem(s); run `propwatch corpus validate`)")
            say(f"{source}: {len(ds)} sentences from cache {target}")
        else:
            info: dict[str, Any] = {}
            if source == "nk":
                rows = build_nk_rows(
                    annotations_dir, data_dir, nlp, seed=seed, fractions=split_fractions, strict=strict, info=info
                )
            elif source == "seed":
                rows = build_seed_rows(annotations_dir, seed_dir, nlp, strict=strict, info=info)
            elif source == "ptc":
                rows = build_ptc_rows(data_dir, nlp, seed=seed, fractions=split_fractions, limit=limit, info=info)
            else:
                rows = build_polnear_rows(data_dir, nlp, seed=seed, fractions=split_fractions, limit=limit, info=info)
            ds = _dataset(rows, features)
            info["fingerprint"] = fp
            if target is not None:
                _save_source(ds, info, target)
            say(f"{source}: {len(ds)} sentences built in {time.perf_counter() - t0:.1f} s")
        timings[source] = round(time.perf_counter() - t0, 2)
        report.sources[source] = info
        parts.append(ds)
    all_rows = concatenate_datasets(parts) if parts else _dataset([], features)
    split_col = all_rows["split"]
    corpus = DatasetDict(
        {name: all_rows.select([i for i, s in enumerate(split_col) if s == name]).flatten_indices() for name in SPLITS}
    )
    return BuildResult(corpus, report, timings)


def _save_source(ds, info: dict, target: Path) -> None:
    # Write beside the final place and rename, so a killed build never leaves a half cache that
    # a later run would trust; older fingerprints of the same source are dropped.
    tmp = target.with_name(target.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    ds.save_to_disk(str(tmp / "rows"))
    (tmp / "report.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    source = target.name.rsplit("-", 1)[0]
    for old in target.parent.glob(f"{source}-*"):
        if old != tmp and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    tmp.rename(target)


def save_build(result: BuildResult, out_dir: str | Path) -> Path:
    """Write ``dataset/`` (the DatasetDict), ``spans/`` (:func:`span_table`) and ``build.json`` under ``out_dir``.

    Load with ``datasets.load_from_disk("<out_dir>/dataset")``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, dd in (("dataset", result.corpus), ("spans", result.spans())):
        tmp = out / f".{name}.part"
        shutil.rmtree(tmp, ignore_errors=True)
        dd.save_to_disk(str(tmp))
        shutil.rmtree(out / name, ignore_errors=True)
        tmp.rename(out / name)
    from ..io import atomic_write

    with atomic_write(out / "build.json") as f:
        json.dump({"format": FORMAT_VERSION, "timings_s": result.timings, **result.report.to_dict()}, f, indent=1)
    return out / "dataset"


def build_corpus(
    data_dir: str | Path,
    annotations_dir: str | Path = "corpus/annotations",
    seed_dir: str | Path = "corpus/seed",
    seed: int = 13,
    split_fractions: Sequence[float] = (0.7, 0.15, 0.15),
    sources: Sequence[str] = SOURCES,
    *,
    cache_dir: str | Path | None = None,
    nlp=None,
    limit: int | None = None,
    strict: bool = True,
):
    """Join annotations and data-directory texts into one sentence corpus.

    Args:
        data_dir: The third-party data directory (``ptc/``, ``polnear/``, ``kcna-2024/``, ...).
        annotations_dir: ``corpus/annotations`` (nk.gold/nk.pass1, seed.gold).
        seed_dir: ``corpus/seed`` with the seed article's text.
        seed: Seed of the article-level split.
        split_fractions: Shares of train / validation / test for NK and PTC articles; PolNeAR
            train uses the first two, PolNeAR dev and the seed article are always ``test``.
        sources: Any of ``nk``, ``seed``, ``ptc``, ``polnear``.
        cache_dir, nlp, limit, strict: see :func:`build`.

    Returns:
        ``datasets.DatasetDict`` with keys ``train``, ``validation``, ``test``; each holds the
        rows of every selected source in the schema of :data:`FEATURES` (``source`` column tells
        them apart). ``voice == -1`` / ``has_attribution == -1`` / ``techniques_annotated ==
        False`` mean "not annotated in this source".

    Raises:
        CorpusError: an annotation record does not match its text or label set (``strict``).
    """
    return build(
        data_dir,
        annotations_dir,
        seed_dir,
        seed,
        split_fractions,
        sources,
        cache_dir=cache_dir,
        nlp=nlp,
        limit=limit,
        strict=strict,
    ).corpus


# --------------------------------------------------------------------------------------------
# Derived tables and statistics


def span_table(corpus):
    """The span records (one row per distinct gold span) of a built corpus, split like the sentences.

    Returns:
        ``datasets.DatasetDict`` with the corpus's split keys and columns ``source``, ``dataset``,
        ``article_id``, ``technique`` (ClassLabel), ``start``, ``end`` (article offsets), ``text``,
        ``split``: the input of the span-level technique-classification (TC) task.
    """
    from datasets import ClassLabel, DatasetDict, Features, Value

    feats = Features(
        {
            "source": Value("string"),
            "dataset": Value("string"),
            "article_id": Value("string"),
            "technique": ClassLabel(names=list(technique_labels())),
            "start": Value("int32"),
            "end": Value("int32"),
            "text": Value("string"),
            "split": Value("string"),
        }
    )
    out = {}
    for name, ds in corpus.items():
        seen = set()
        rows = []
        cols = ds.select_columns(["source", "dataset", "article_id", "spans", "split"])
        for r in cols:
            for sp in r["spans"]:
                key = (r["source"], r["article_id"], sp["technique"], sp["start"], sp["end"])
                if key in seen:
                    continue
                seen.add(key)
                rows.append(
                    {
                        "source": r["source"],
                        "dataset": r["dataset"],
                        "article_id": r["article_id"],
                        **sp,
                        "split": r["split"],
                    }
                )
        rows.sort(key=lambda x: (x["source"], x["article_id"], x["start"], x["end"], x["technique"]))
        out[name] = _dataset(rows, feats)
    return DatasetDict(out)


def corpus_stats(corpus) -> dict:
    """Counts per source and split: articles, sentences, voice, attribution and technique labels.

    Returns:
        ``{"splits": {split: {source: {...counts...}}}, "totals": {source: {...}}}`` where each
        counts dict has ``articles`` (ids), ``texts`` (distinct article texts: KCNA lists some
        stories under several ids), ``sentences``, ``voice`` (label -> n, over annotated
        sentences), ``techniques`` (label -> sentences carrying it), ``technique_annotated``,
        ``with_technique``, ``has_attribution`` (0/1 -> n) and ``spans`` (distinct gold spans).
    """
    voices = voice_labels()
    techs = technique_labels()

    def empty():
        return {
            "articles": set(),
            "texts": set(),
            "sentences": 0,
            "voice": Counter(),
            "techniques": Counter(),
            "technique_annotated": 0,
            "with_technique": 0,
            "has_attribution": Counter(),
            "spans": set(),
        }

    splits: dict[str, dict[str, dict]] = {}
    totals: dict[str, dict] = defaultdict(empty)
    for name, ds in corpus.items():
        per = defaultdict(empty)
        cols = ds.select_columns(
            [
                "source",
                "article_id",
                "article_sha256",
                "voice",
                "techniques",
                "techniques_annotated",
                "has_attribution",
                "spans",
            ]
        )
        for r in cols:
            for c in (per[r["source"]], totals[r["source"]]):
                c["articles"].add(r["article_id"])
                c["texts"].add(r["article_sha256"])
                c["sentences"] += 1
                if r["voice"] != NOT_ANNOTATED:
                    c["voice"][voices[r["voice"]]] += 1
                if r["techniques_annotated"]:
                    c["technique_annotated"] += 1
                    c["with_technique"] += bool(r["techniques"])
                    for t in r["techniques"]:
                        c["techniques"][techs[t]] += 1
                if r["has_attribution"] != NOT_ANNOTATED:
                    c["has_attribution"][int(r["has_attribution"])] += 1
                c["spans"].update((r["article_id"], x["technique"], x["start"], x["end"]) for x in r["spans"])
        splits[name] = dict(per)

    def finish(c):
        return {
            **c,
            "articles": len(c["articles"]),
            "texts": len(c["texts"]),
            "spans": len(c["spans"]),
            "voice": dict(c["voice"]),
            "techniques": dict(c["techniques"]),
            "has_attribution": dict(c["has_attribution"]),
        }

    return {
        "splits": {n: {s: finish(c) for s, c in sorted(per.items())} for n, per in splits.items()},
        "totals": {s: finish(c) for s, c in sorted(totals.items())},
    }


def format_stats(stats: dict, report: BuildReport | None = None) -> str:
    """Markdown tables of :func:`corpus_stats` (and the build report's warnings)."""
    lines = [
        "| source | split | articles | distinct texts | sentences | technique-annotated | with technique | "
        "gold spans | voice-annotated | attribution-annotated | with attribution |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(src: str, split: str, c: dict) -> str:
        return (
            f"| {src} | {split} | {c['articles']} | {c['texts']} | {c['sentences']} | {c['technique_annotated']} | "
            f"{c['with_technique']} | {c['spans']} | {sum(c['voice'].values())} | "
            f"{sum(c['has_attribution'].values())} | {c['has_attribution'].get(1, 0)} |"
        )

    for split, per in stats["splits"].items():
        lines += [row(src, split, c) for src, c in per.items()]
    lines += [row(f"**{src}**", "all", c) for src, c in stats["totals"].items()]
    srcs = list(stats["totals"])
    lines += [
        "",
        "Sentences carrying each technique (all splits):",
        "",
        "| technique | " + " | ".join(srcs) + " |",
        "|---|" + "---:|" * len(srcs),
    ]
    for t in technique_labels():
        lines.append(f"| {t} | " + " | ".join(str(stats["totals"][s]["techniques"].get(t, 0)) for s in srcs) + " |")
    lines += [
        "",
        "Voice of annotated sentences (all splits):",
        "",
        "| voice | " + " | ".join(srcs) + " |",
        "|---|" + "---:|" * len(srcs),
    ]
    for v in voice_labels():
        lines.append(f"| {v} | " + " | ".join(str(stats["totals"][s]["voice"].get(v, 0)) for s in srcs) + " |")
    if report is not None:
        lines += ["", "Build notes:", ""]
        for src, info in report.sources.items():
            shown = {
                k: v
                for k, v in info.items()
                if k not in ("problems", "brat_offset_mismatch_examples", "fingerprint", "cached")
            }
            lines.append(f"- {src}: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
            for msg in (info.get("problems") or [])[:10] + (info.get("brat_offset_mismatch_examples") or [])[:5]:
                lines.append(f"  - {msg}")
    return "\n".join(lines)
