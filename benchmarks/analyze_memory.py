"""Peak memory of ``propwatch analyze`` on a large JSONL input: it must stay flat in the article count.

Usage:
    python benchmarks/analyze_memory.py [--data-dir ../shared/data] [--articles 20000] [--model DIR]
        [--workers N]

Builds one JSONL file of N articles (KCNA 2024 stories repeated under fresh ids), runs the analysis
in a child process and prints its peak RSS (with --workers N, the job and its workers together),
with the RSS at 10% and at 90% of the articles read from /proc while it runs. Target (issue 7): 20,000
articles under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree_rss_mb(pid: int) -> float:
    """RSS of a process and its children (the analysis workers)."""
    total = _rss_mb(pid)
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        kids = []
    return total + sum(_tree_rss_mb(int(k)) for k in kids)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--model", default="models/tfidf_linear_sentence_nk")
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    src = Path(args.data_dir) / "kcna-2024" / "kcna_en_2023-12_2024-11_fulltext.jsonl"
    stories = [json.loads(x)["story_text"] for x in src.read_text(encoding="utf-8").splitlines() if x.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="pw-memory-"))
    inp = tmp / "big.jsonl"
    with inp.open("w", encoding="utf-8") as f:
        for i in range(args.articles):
            f.write(json.dumps({"id": f"a{i}", "text": stories[i % len(stories)]}) + "\n")
    print(f"input: {args.articles} articles, {inp.stat().st_size / 1e6:.0f} MB; {args.workers} worker(s)")
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "analyze",
        str(inp),
        "-o",
        str(tmp / "out"),
        "--model",
        args.model,
        "--no-progress",
        "--workers",
        str(args.workers),
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    samples = []
    while proc.poll() is None:
        done = 0
        arts = tmp / "out" / "articles.jsonl"
        if arts.exists():
            with arts.open("rb") as fh:
                done = sum(1 for _ in fh)
        samples.append((done, _tree_rss_mb(proc.pid)))
        time.sleep(2)
    out = proc.stdout.read() if proc.stdout else ""
    secs = time.perf_counter() - t0
    peak = max((r for _, r in samples), default=0.0)
    early = [r for d, r in samples if d >= args.articles * 0.1]
    late = [r for d, r in samples if d >= args.articles * 0.9]
    print(out.strip().splitlines()[-2] if out.strip() else "(no output)")
    print(f"time: {secs:.0f} s; exit status {proc.returncode}")
    if early and late:
        print(f"RSS at 10% of articles: {early[0]:.0f} MB; at 90%: {late[0]:.0f} MB")
    print(f"peak RSS sampled every 2 s: {peak:.0f} MB (target < 2048 MB)")


if __name__ == "__main__":
    main()
