"""The Ray engine of ``propwatch analyze``: the same per-article function as Ray Data ``map_batches``.

Each Ray actor loads the models once; results come back in input order (``preserve_order``) and
are written by the same code as the local engine, so the output files are identical.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice

from ..errors import InputError
from ..records import Article
from .core import ArticleResult


class RayAnalyzer:
    """A Ray Data callable class: constructed once per actor, then called on windows of articles."""

    def __init__(self, settings):
        from ..segment.nlp import single_threaded
        from .core import load_resources

        single_threaded()
        self.res = load_resources(settings.model_dir, settings.voice_model_dir, settings.threshold)

    def __call__(self, batch: dict) -> dict:
        from .runner import analyze_window

        out = []
        for raw in batch["window"]:
            articles = [Article.from_dict(d) for d in json.loads(raw)]
            results = []
            for r in analyze_window(articles, self.res):
                if isinstance(r, InputError):
                    results.append({"error": [r.path, r.problem]})
                else:
                    results.append({"sentences": r.sentences, "summary": r.summary})
            out.append(json.dumps(results))
        return {"result": out}


# The driver holds at most this many windows (16,000 articles) at a time. Each chunk is one Ray Data
# run whose actors load the models once, so a chunk should be long enough to dwarf that start-up.
CHUNK_WINDOWS = 1000


def ray_results(
    windows: Iterator[list], settings, workers: int, address: str | None, chunk_windows: int | None = None
) -> Iterator[ArticleResult | InputError]:
    """Analyse windows of items (Articles and InputErrors, in input order) on Ray; yields in input order.

    Each window is one Ray Data row, so actors see exactly the windows the local engine analyses.
    The input is read in chunks of ``chunk_windows`` windows (default :data:`CHUNK_WINDOWS`), so the
    driver's memory does not grow with the input; results stream back in order.
    """
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray", "Ray is not installed; pip install 'propwatch[ray]'") from None

    if not ray.is_initialized():
        ray.init(
            address=address,
            num_cpus=None if address else workers,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    size = max(1, chunk_windows or CHUNK_WINDOWS)
    while chunk := list(islice(windows, size)):
        yield from _run_chunk(ray, chunk, settings, workers)


def _run_chunk(ray, windows: list[list], settings, workers: int) -> Iterator[ArticleResult | InputError]:
    from .runner import _merge

    rows = [
        {"window": json.dumps([x.to_dict() for x in w if isinstance(x, Article)], ensure_ascii=False)} for w in windows
    ]
    mapped = ray.data.from_items(rows).map_batches(
        RayAnalyzer,
        fn_constructor_kwargs={"settings": settings},
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=1,
    )
    results = (row["result"] for row in mapped.iter_rows())
    for w in windows:
        arts = {a.id: a for a in w if isinstance(a, Article)}
        decoded = []
        for data in json.loads(next(results)):
            if "error" in data:
                decoded.append(InputError(*data["error"]))
            else:
                decoded.append(ArticleResult(arts[data["summary"]["article_id"]], data["sentences"], data["summary"]))
        yield from _merge(w, decoded)
