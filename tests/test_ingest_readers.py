"""Readers: formats, metadata, cleaning offsets, and one clear error per kind of bad input."""

from __future__ import annotations

import json
import random

import pytest

from pipeline.batch import segment_files
from pipeline.errors import InputError, UnsupportedLanguageError
from pipeline.ingest import clean_article, iter_articles, read_jsonl, read_path, read_ptc
from pipeline.ingest.readers import MAX_CHARS, kcna_id, rodong_id
from pipeline.records import Article

ENGLISH = (
    "The factory was opened by the officials of the county on Friday. "
    "Residents said that they had not seen any of the products in the shops since the opening, "
    "and the source told the reporter that it was all for show."
)


def _only(results):
    results = list(results)
    assert len(results) == 1
    return results[0]


def test_read_text_seed_metadata(seed_article):
    assert seed_article.title.startswith("Empty promises: N. Korea")
    assert seed_article.date == "2025-04-04"
    assert seed_article.outlet == "Daily NK"


def test_clean_seed_drops_furniture_keeps_offsets(seed_article):
    kept = [seed_article.text[s:e] for s, e in seed_article.body]
    joined = "\n".join(kept)
    for furniture in (
        "38.1 C",
        "Delhi",
        "Sunday, April 27, 2025",
        "Read in Korean",
        "07:00AM",
        "by DailyNK",
        "Most Popular Articles",
    ):
        assert furniture not in joined
    assert kept[0] == seed_article.title
    assert kept[-1].endswith("the source concluded.")
    # Offsets address the original text: regions are in order and never overlap.
    assert all(a[1] <= b[0] for a, b in zip(seed_article.body, seed_article.body[1:]))


def test_clean_keeps_plain_article_whole():
    art = clean_article(Article(id="x", text="A headline\n\n" + ENGLISH))
    assert [art.text[s:e] for s, e in art.body] == ["A headline", ENGLISH]
    assert art.title == "A headline"


def test_read_jsonl_layouts(tmp_path):
    p = tmp_path / "mixed.jsonl"
    rows = [
        {"id": "a1", "text": ENGLISH, "title": "T"},
        {"topic": "Home News", "headline": "H", "date": "2024-01-02", "link": "http://x/1", "story_text": ENGLISH},
        {
            "url": "http://r/index.php?newsID=2021-06-17-0001",
            "date": "2021-06-17",
            "title": "R",
            "paragraphs": [ENGLISH, " " + ENGLISH + " "],
        },
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    a, k, r = list(read_jsonl(str(p)))
    assert (a.id, a.title) == ("a1", "T")
    assert (k.id, k.outlet, k.dataset, k.date) == (kcna_id("http://x/1"), "KCNA", "kcna", "2024-01-02")
    assert k.meta["topic"] == "Home News"
    assert (r.id, r.outlet) == ("rodong-2021-06-17-0001", "Rodong Sinmun")
    assert r.text == ENGLISH + "\n\n" + ENGLISH
    assert rodong_id("http://r/index.php?newsID=2021-06-17-0001") == r.id


def test_read_ptc_reproduces_gold_offsets(data_dir):
    labels = (data_dir / "ptc" / "train-task-flc-tc.labels").read_text().splitlines()
    rng = random.Random(0)
    sample = rng.sample(labels, 200)
    spans_dir = data_dir / "ptc" / "train-labels-task-flc-tc"
    checked = 0
    for line in sample:
        aid, technique, start, end = line.split("\t")
        art = read_ptc(str(data_dir / "ptc" / "train-articles" / f"article{aid}.txt"))
        assert art.id == aid
        span = art.text[int(start) : int(end)]
        assert span.strip(), (aid, start, end)
        # The per-article label files carry the same spans: the text must be in the article.
        per_article = (spans_dir / f"article{aid}.task-flc-tc.labels").read_text()
        assert f"{technique}\t{start}\t{end}" in per_article
        checked += 1
    assert checked == 200


def test_read_ptc_span_text_matches_known_example(data_dir):
    art = read_ptc(str(data_dir / "ptc" / "train-articles" / "article111111111.txt"))
    # From train-task-flc-tc.labels: "111111111 Doubt 149 157"
    assert art.text[149:157] == "appeared"


def test_polnear_reader_metadata(data_dir):
    files = sorted((data_dir / "polnear" / "dev" / "text").glob("*.txt"))
    art = _only(read_path(str(files[0])))
    assert isinstance(art, Article)
    assert art.dataset == "polnear" and art.outlet and art.date


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b"  \n\n ", "file is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin1.txt", ("Caf\xe9 " + ENGLISH).encode("latin-1"), "not valid UTF-8"),
        ("korean.txt", ("북한 당국은 새로운 공장을 자랑하고 있다. " * 20).encode(), "not English"),
        (
            "german.txt",
            (
                "Die Fabrik wurde von den Beamten des Landkreises eröffnet und "
                "die Einwohner sagten, dass sie nichts gesehen hätten. " * 3
            ).encode(),
            "English",
        ),
        (
            "nobody.html",
            b"<html><body><nav><a href='/'>Home</a> <a href='/x'>News</a></nav></body></html>",
            "no article text",
        ),
    ],
)
def test_bad_inputs_name_file_and_problem(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    err = _only(read_path(str(p)))
    assert isinstance(err, InputError)
    assert str(p) in str(err) and message in str(err)
    assert "\n" not in str(err)


def test_missing_path_is_reported():
    err = _only(iter_articles(["/no/such/file.txt"]))
    assert isinstance(err, InputError) and "no such file" in str(err)


def test_huge_article_rejected(tmp_path):
    p = tmp_path / "huge.txt"
    p.write_text((ENGLISH + "\n") * (5_000_000 // len(ENGLISH)), encoding="utf-8")
    err = _only(read_path(str(p)))
    assert isinstance(err, InputError)
    assert str(p) in str(err) and f"{MAX_CHARS:,}" in str(err)


def test_jsonl_bad_line_names_line_and_continues(tmp_path):
    p = tmp_path / "some.jsonl"
    p.write_text(
        json.dumps({"id": "a", "text": ENGLISH})
        + "\n{not json\n"
        + json.dumps({"id": "b", "text": ENGLISH})
        + "\n[1, 2]\n",
        encoding="utf-8",
    )
    out = list(read_jsonl(str(p)))
    assert [type(o).__name__ for o in out] == ["Article", "InputError", "Article", "InputError"]
    assert f"{p}:2:" in str(out[1]) and "not valid JSON" in str(out[1])
    assert f"{p}:4:" in str(out[3])


def test_korean_is_unsupported_language(tmp_path):
    p = tmp_path / "ko.txt"
    korean = "북한이 새 지방공장들의 생산 실적을 선전하고 있다. 하지만 주민들은 변화를 느끼지 못한다."
    p.write_text(korean, encoding="utf-8")
    err = _only(read_path(str(p)))
    assert isinstance(err, UnsupportedLanguageError)


def test_batch_goes_on_and_keeps_old_output_on_failure(tmp_path, seed_article, nlp):
    good = tmp_path / "good.txt"
    good.write_text("A headline\n\n" + ENGLISH, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    out = tmp_path / "out.jsonl"
    result = segment_files([str(bad), str(good), str(tmp_path / "missing.txt")], out, nlp=nlp)
    assert result.articles == 1 and len(result.errors) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == result.sentences and all(json.loads(x)["article_id"] == "good" for x in lines)
    # No temporary files are left beside the output.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "good.txt", "out.jsonl"]


def test_html_article_body_extracted(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(
        "<html><head><title>Factories fail</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Factories fail</h1><p>{ENGLISH}</p><p>{ENGLISH}</p></article>"
        "<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>",
        encoding="utf-8",
    )
    art = _only(read_path(str(p)))
    assert isinstance(art, Article), art
    assert "residents said" in art.text.lower() and "Home" not in art.text.split()
