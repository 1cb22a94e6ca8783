"""Seeded, stratified sampling of KCNA and Rodong Sinmun sentences for annotation.

The sample is a list of sentence records in the format of ``corpus/annotations/SCHEMA.md`` without
label fields: data set, article id, article checksum, sentence offsets and sentence checksum. It never
holds third-party text, so it can be committed; :mod:`pipeline.corpus.tasks` joins it with the data
directory again to show the text to annotators.

How articles are chosen:

* **KCNA** (``kcna-2024``): stratified by topic and month. Every topic gets ``min_per_topic`` stories
  and the rest of ``n_kcna`` is shared out in proportion to topic size (largest remainders). Inside a
  topic, stories are taken round-robin over months (months and stories shuffled with the seed), so a
  topic's picks spread over the year instead of piling into the busiest months.
* **Rodong Sinmun** (``rodong-2021``): articles sorted by date and cut into ``n_rodong`` consecutive
  date bins of (nearly) equal size; one article is drawn from each bin.

How sentences are taken: all sentences of an article when it has at most ``window`` of them, else the
first ``window`` (a contiguous window from the start, so the annotator sees who is speaking from the
article's opening). Sentence boundaries are those of :func:`pipeline.segment.segment_article`.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from ..errors import CorpusError, InputError
from ..ingest import read_jsonl
from ..io import atomic_write
from ..records import Article
from ..segment import load_nlp, segment_article

# Data-set name (as written in annotation records) -> folder in the data directory.
NK_DATASETS = {"kcna-2024": "kcna-2024", "rodong-2021": "rodong-2021"}

DEFAULT_SEED = 20250404
# Defaults sized so that about 1,650 sentences from about 130 articles come out: enough that at least
# 1,500 sentences from 60 articles survive annotators dropping unusable ones.
DEFAULT_N_KCNA = 80
DEFAULT_N_RODONG = 50
DEFAULT_WINDOW = 30


def sha256(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes (the checksum used in annotation records)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_nk_articles(data_dir: str | Path, dataset: str) -> list[Article]:
    """Read every article of one North Korean data set (``kcna-2024`` or ``rodong-2021``).

    Lines that cannot be read as an article (e.g. a Rodong record with no paragraphs) are skipped:
    they cannot be annotated. Articles keep file order.

    Raises:
        CorpusError: The data set is unknown or its folder holds no JSONL file.
    """
    if dataset not in NK_DATASETS:
        raise CorpusError(f"unknown data set {dataset!r}; expected one of {sorted(NK_DATASETS)}")
    folder = Path(data_dir) / NK_DATASETS[dataset]
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"{folder}: no .jsonl file found; is the data directory right?")
    out = []
    for f in files:
        out.extend(a for a in read_jsonl(str(f)) if not isinstance(a, InputError))
    return out


def _allocate(sizes: dict[str, int], n: int, minimum: int) -> dict[str, int]:
    """Share ``n`` picks among strata: ``minimum`` each (capped by size), the rest proportionally.

    The floor is lowered when ``n`` cannot give every stratum ``minimum`` picks, so the total is
    always ``min(n, sum(sizes))``.
    """
    while minimum > 0 and sum(min(minimum, v) for v in sizes.values()) > n:
        minimum -= 1
    alloc = {k: min(minimum, v) for k, v in sizes.items()}
    rest = n - sum(alloc.values())
    if rest <= 0:
        return alloc
    room = {k: sizes[k] - alloc[k] for k in sizes}
    total = sum(room.values())
    if total == 0:
        return alloc
    quotas = {k: rest * room[k] / total for k in sizes}
    for k in sizes:
        alloc[k] += min(room[k], int(quotas[k]))
    # Largest remainders get the picks left over by rounding down; ties by name for determinism.
    for k in sorted(sizes, key=lambda k: (-(quotas[k] - int(quotas[k])), k)):
        if sum(alloc.values()) >= min(n, sum(sizes.values())):
            break
        if alloc[k] < sizes[k]:
            alloc[k] += 1
    return alloc


def _month_round_robin(articles: list[Article], rng: random.Random) -> list[Article]:
    by_month: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_month[(a.date or "")[:7]].append(a)
    months = sorted(by_month)
    rng.shuffle(months)
    for m in months:
        rng.shuffle(by_month[m])
    order: list[Article] = []
    while any(by_month[m] for m in months):
        for m in months:
            if by_month[m]:
                order.append(by_month[m].pop())
    return order


def choose_kcna(articles: list[Article], n: int, rng: random.Random, min_per_topic: int = 2) -> list[Article]:
    """Pick ``n`` KCNA stories stratified by topic (proportional with a floor) and month."""
    by_topic: dict[str, list[Article]] = defaultdict(list)
    for a in sorted(articles, key=lambda a: a.id):
        by_topic[str(a.meta.get("topic") or "")].append(a)
    alloc = _allocate({t: len(v) for t, v in by_topic.items()}, n, min_per_topic)
    chosen: list[Article] = []
    for topic in sorted(by_topic):
        chosen.extend(_month_round_robin(by_topic[topic], rng)[: alloc[topic]])
    return chosen


def choose_rodong(articles: list[Article], n: int, rng: random.Random) -> list[Article]:
    """Pick one Rodong article from each of ``n`` consecutive, equal-size date bins."""
    ordered = sorted(articles, key=lambda a: (a.date or "", a.id))
    n = min(n, len(ordered))
    chosen = []
    for i in range(n):
        lo, hi = i * len(ordered) // n, (i + 1) * len(ordered) // n
        chosen.append(ordered[rng.randrange(lo, hi)])
    return chosen


def sentence_records(dataset: str, article: Article, nlp=None, window: int | None = DEFAULT_WINDOW) -> list[dict]:
    """Sample records for an article: all sentences, or the first ``window`` if it has more (None: all)."""
    sents = segment_article(article, nlp)
    if window is not None:
        sents = sents[:window]
    art_sha = sha256(article.text)
    return [
        {
            "dataset": dataset,
            "article_id": article.id,
            "article_sha256": art_sha,
            "start": s.start,
            "end": s.end,
            "sentence_sha256": sha256(s.text),
        }
        for s in sents
    ]


def sample_nk(
    data_dir: str | Path,
    n_kcna: int = DEFAULT_N_KCNA,
    n_rodong: int = DEFAULT_N_RODONG,
    seed: int = DEFAULT_SEED,
    window: int = DEFAULT_WINDOW,
    min_per_topic: int = 2,
    nlp=None,
) -> list[dict]:
    """Draw the North Korean annotation sample.

    Args:
        data_dir: The data directory holding ``kcna-2024/`` and ``rodong-2021/``.
        n_kcna: Number of KCNA stories.
        n_rodong: Number of Rodong Sinmun articles (and date bins).
        seed: Seed of the random generator; the same seed and data give the same sample.
        window: Most sentences taken from one article (the first ``window``).
        min_per_topic: Floor of KCNA stories per topic.
        nlp: A spaCy pipeline from :func:`pipeline.segment.load_nlp`; loaded when omitted.

    Returns:
        Sentence records (SCHEMA.md fields without labels), grouped by article, in text order;
        KCNA articles first, then Rodong, each in the order drawn.
    """
    nlp = nlp or load_nlp()
    rng = random.Random(seed)
    picks = [("kcna-2024", a) for a in choose_kcna(load_nk_articles(data_dir, "kcna-2024"), n_kcna, rng, min_per_topic)]
    picks += [("rodong-2021", a) for a in choose_rodong(load_nk_articles(data_dir, "rodong-2021"), n_rodong, rng)]
    records: list[dict] = []
    seen: set[str] = set()
    for dataset, art in picks:
        # KCNA republishes stories under new links (1,039 distinct texts in 1,840 lines): a copy
        # would be annotated twice and could land in two splits, so only the first draw is kept.
        digest = sha256(art.text)
        if digest in seen:
            continue
        seen.add(digest)
        records.extend(sentence_records(dataset, art, nlp, window))
    return records


def describe_sample(records: Iterable[dict], data_dir: str | Path) -> str:
    """Counts of sentences and articles per data set and KCNA topic, as printable lines."""
    records = list(records)
    topics = {a.id: str(a.meta.get("topic") or "") for a in load_nk_articles(data_dir, "kcna-2024")}
    months = {a.id: (a.date or "")[:7] for ds in NK_DATASETS for a in load_nk_articles(data_dir, ds)}
    sents: Counter = Counter()
    arts: dict[tuple[str, str], set] = defaultdict(set)
    for r in records:
        key = (r["dataset"], topics.get(r["article_id"], "") if r["dataset"] == "kcna-2024" else "")
        sents[key] += 1
        arts[key].add(r["article_id"])
    lines = [f"{'dataset':<12} {'topic':<60} {'articles':>8} {'sentences':>9}"]
    for key in sorted(sents):
        lines.append(f"{key[0]:<12} {key[1] or '-':<60} {len(arts[key]):>8} {sents[key]:>9}")
    n_art = len({(r["dataset"], r["article_id"]) for r in records})
    month_count = Counter(months[r["article_id"]] for r in {(r["article_id"]): r for r in records}.values())
    lines.append(f"{'total':<12} {'':<60} {n_art:>8} {len(records):>9}")
    lines.append("articles per month: " + ", ".join(f"{m}={c}" for m, c in sorted(month_count.items())))
    return "\n".join(lines)


def write_sample(path: str | Path, records: Iterable[dict]) -> None:
    """Write sample records as JSONL (one sentence a line), atomically."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    with atomic_write(path) as f:
        f.write(text)


def read_sample(path: str | Path) -> list[dict]:
    """Read a sample (or any annotation) JSONL file.

    Raises:
        CorpusError: A line is not a JSON object.
    """
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise CorpusError(f"{path}:{n}: not valid JSON ({e.msg})") from None
            if not isinstance(obj, dict):
                raise CorpusError(f"{path}:{n}: expected a JSON object")
            out.append(obj)
    return out
