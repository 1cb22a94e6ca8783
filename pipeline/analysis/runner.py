"""The batch job behind ``propwatch analyze``: streaming, resumable, optionally in worker processes."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ..batch import BatchResult
from ..errors import InputError
from ..ingest.readers import expand_inputs, iter_articles
from ..io import JsonlAppender, atomic_write, dumps, repair_jsonl
from ..records import Article
from .core import ArticleResult, Resources, analyze_article, analyze_articles, load_resources

SENTENCES = "sentences.jsonl"
ARTICLES = "articles.jsonl"
ERRORS = "errors.jsonl"
REPORT = "report.html"
# The page stays readable and small; the JSONL files hold everything.
REPORT_MAX_ARTICLES = 300


@dataclass(frozen=True)
class AnalyzeSettings:
    """What a run needs to rebuild its resources in a worker process."""

    model_dir: str | None = None
    voice_model_dir: str | None = None
    threshold: float | None = None


# Articles analysed together: one spaCy pass and one classifier call per window. Every engine cuts
# the input into the same windows, so their outputs are identical.
WINDOW = 16

_WORKER: Resources | None = None


def _init_worker(settings: AnalyzeSettings) -> None:
    global _WORKER
    # Each worker parses on one core; more threads per worker only contend.
    from ..segment.nlp import single_threaded

    single_threaded()
    _WORKER = load_resources(settings.model_dir, settings.voice_model_dir, settings.threshold)


def _safe_analyze(article: Article, res: Resources) -> ArticleResult | InputError:
    try:
        return analyze_article(article, res)
    except InputError as e:
        return e
    except Exception as e:  # noqa: BLE001 - one bad article must not stop the batch
        return InputError(article.source_path or article.id, f"analysis failed: {e!r}")


def analyze_window(articles: list[Article], res: Resources) -> list[ArticleResult | InputError]:
    """Analyse a window of articles together; if that fails, one by one, so only the bad one fails."""
    try:
        return list(analyze_articles(articles, res))
    except Exception:  # noqa: BLE001 - find the article at fault below
        return [_safe_analyze(a, res) for a in articles]


def _worker_window(articles: list[Article]) -> list[ArticleResult | InputError]:
    assert _WORKER is not None
    return analyze_window(articles, _WORKER)


def _windows(items: Iterator, size: int = WINDOW) -> Iterator[list]:
    while True:
        chunk = list(islice(items, size))
        if not chunk:
            return
        yield chunk


def _merge(chunk: list, results: list) -> Iterator[ArticleResult | InputError]:
    """Put a window's results back among its read errors, in input order."""
    done = iter(results)
    for x in chunk:
        yield x if isinstance(x, InputError) else next(done)


def count_inputs(inputs: Iterable[str]) -> int:
    """How many articles the inputs hold (JSONL lines counted without parsing), for the ETA."""
    n = 0
    for path in expand_inputs(inputs):
        p = Path(path)
        if p.suffix.lower() in (".jsonl", ".ndjson", ".json") and p.is_file():
            with p.open("rb") as f:
                n += sum(1 for line in f if line.strip())
        else:
            n += 1
    return n


def _finished_ids(outdir: Path) -> set[str]:
    """Articles whose summary line was written: they and their sentences are complete."""
    repair_jsonl(outdir / ARTICLES)
    done = set()
    path = outdir / ARTICLES
    if path.exists():
        with path.open(encoding="utf-8") as f:
            for line in f:
                done.add(json.loads(line)["article_id"])
    return done


def _drop_unfinished_sentences(outdir: Path, done: set[str]) -> None:
    """Remove sentences of articles whose summary never landed (the run was killed between)."""
    path = outdir / SENTENCES
    repair_jsonl(path)
    if not path.exists():
        return
    with path.open(encoding="utf-8") as src, atomic_write(path) as dst:
        for line in src:
            if json.loads(line)["article_id"] in done:
                dst.write(line)


def _dedupe_ids(items: Iterator, seen: set[str]) -> Iterator:
    """Give a repeated article id a numbered suffix so resume and joins stay unambiguous."""
    counts: dict[str, int] = {}
    for item in items:
        if isinstance(item, Article) and item.id in seen:
            n = counts.get(item.id, 1) + 1
            counts[item.id] = n
            from dataclasses import replace

            item = replace(item, id=f"{item.id}~{n}")
        if isinstance(item, Article):
            seen.add(item.id)
        yield item


def _results(
    items: Iterator, settings: AnalyzeSettings, workers: int, engine: str = "local", address: str | None = None
) -> Iterator[ArticleResult | InputError]:
    windows = _windows(items)
    if engine == "ray":
        from .ray_engine import ray_results

        yield from ray_results(windows, settings, workers, address)
        return
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}; choose local or ray")
    if workers <= 1:
        res = load_resources(settings.model_dir, settings.voice_model_dir, settings.threshold)
        for chunk in windows:
            yield from _merge(chunk, analyze_window([x for x in chunk if isinstance(x, Article)], res))
        return
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(settings,)) as pool:
        # A bounded number of windows in flight keeps memory flat whatever the input size; results
        # are taken in input order as each finishes, so no worker waits for a slower one's window.
        pending: deque = deque()
        for chunk in windows:
            arts = [x for x in chunk if isinstance(x, Article)]
            pending.append((chunk, pool.apply_async(_worker_window, (arts,))))
            if len(pending) >= 2 * workers:
                head, job = pending.popleft()
                yield from _merge(head, job.get())
        while pending:
            head, job = pending.popleft()
            yield from _merge(head, job.get())


def run_analyze(
    inputs: list[str],
    outdir: str | Path,
    *,
    model_dir: str | Path | None = None,
    voice_model_dir: str | Path | None = None,
    workers: int = 1,
    resume: bool = False,
    threshold: float | None = None,
    progress: bool = True,
    report: bool = True,
    engine: str = "local",
    address: str | None = None,
) -> BatchResult:
    """Analyse every article of ``inputs`` into ``outdir`` (sentences, articles, errors, report).

    Without ``resume`` earlier outputs in ``outdir`` are replaced; with it, articles already in
    ``articles.jsonl`` are skipped and nothing is written twice. Lines are appended whole and
    flushed per batch, so a killed run leaves complete lines only. ``engine="ray"`` runs the same
    per-article function on Ray Data (``address`` names an existing cluster; default a local one).
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    settings = AnalyzeSettings(
        str(model_dir) if model_dir else None, str(voice_model_dir) if voice_model_dir else None, threshold
    )
    if resume:
        done = _finished_ids(outdir)
        _drop_unfinished_sentences(outdir, done)
    else:
        done = set()
        for name in (SENTENCES, ARTICLES):
            (outdir / name).unlink(missing_ok=True)
    result = BatchResult()
    total = count_inputs(inputs) if progress else None
    items = (x for x in iter_articles(inputs) if not (isinstance(x, Article) and x.id in done))
    items = _dedupe_ids(items, set(done))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, initial=len(done), unit="art", desc="analyze", dynamic_ncols=True)
    with (
        JsonlAppender(outdir / SENTENCES) as sent_out,
        JsonlAppender(outdir / ARTICLES) as art_out,
        atomic_write(outdir / ERRORS) as err_out,
    ):
        for r in _results(items, settings, max(1, workers), engine, address):
            if isinstance(r, InputError):
                result.errors.append(r)
                err_out.write(dumps({"path": r.path, "line": r.line, "error": r.problem}) + "\n")
            else:
                # Sentences first, summary second: the summary line is the article's commit record.
                sent_out.write_many(r.sentences)
                art_out.write_many([r.summary])
                result.articles += 1
                result.sentences += len(r.sentences)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    if report:
        write_report(outdir, threshold=threshold)
    return result


def iter_outputs(outdir: str | Path, limit: int | None = None) -> Iterator[tuple[dict, list[dict]]]:
    """Stream ``(article summary, sentence rows)`` pairs back from a run's output files."""
    outdir = Path(outdir)
    summaries = {}
    with (outdir / ARTICLES).open(encoding="utf-8") as f:
        for line in islice(f, limit):
            row = json.loads(line)
            summaries[row["article_id"]] = row
    groups: dict[str, list[dict]] = {k: [] for k in summaries}
    with (outdir / SENTENCES).open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["article_id"] in groups:
                groups[row["article_id"]].append(row)
    for aid, summary in summaries.items():
        yield summary, groups[aid]


def write_report(outdir: str | Path, threshold: float | None = None, max_articles: int = REPORT_MAX_ARTICLES) -> Path:
    """Write ``report.html`` for the first ``max_articles`` articles of a finished run."""
    from .report import render_report

    outdir = Path(outdir)
    n_total = 0
    if (outdir / ARTICLES).exists():
        with (outdir / ARTICLES).open(encoding="utf-8") as f:
            n_total = sum(1 for _ in f)
    pairs = list(iter_outputs(outdir, limit=max_articles)) if n_total else []
    note = None
    if n_total > max_articles:
        note = f"Showing the first {max_articles} of {n_total} articles; all are in {ARTICLES} and {SENTENCES}."
    html = render_report(pairs, threshold=threshold if threshold is not None else 0.5, note=note)
    with atomic_write(outdir / REPORT) as f:
        f.write(html)
    return outdir / REPORT


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))
