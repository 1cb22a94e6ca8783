"""Quotation marks: the quoted stretches of a paragraph and the quote state of each sentence.

One definition serves the segmenter's ``quote`` field and the voice rules, so what a sentence's
``quote`` says is what attribution used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

OPEN = "\u201c"  # “
CLOSE = "\u201d"  # ”
STRAIGHT = '"'
# Double quotation marks: curly, straight, and the typewriter pairs ``...'' and ''...'' that some
# newspapers (NYT in PolNeAR) use; single quotes are left alone as they double as apostrophes.
QUOTE_MARKS = re.compile("\u201c|\u201d|\"|''|``")
OPENERS = (OPEN, STRAIGHT, "''", "``")
CLOSERS = (CLOSE, STRAIGHT, "''")


def quote_regions(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quoted stretches ``[open mark, after close mark)`` of one paragraph ``text[start:end]``.

    A quote still open at the end of the paragraph runs to its end.
    """
    regions = []
    inside_from = None
    for m in QUOTE_MARKS.finditer(text, start, end):
        mark, pos = m.group(0), m.start()
        if inside_from is None and mark in OPENERS:
            inside_from = pos
        elif inside_from is not None and mark in CLOSERS:
            regions.append((inside_from, m.end()))
            inside_from = None
    if inside_from is not None:
        regions.append((inside_from, end))
    return regions


def quote_states(text: str, spans: Sequence[tuple[int, int, int]]) -> list[str]:
    """Quotation state for each sentence span.

    Args:
        text: The article text.
        spans: ``(start, end, paragraph)`` for each sentence, in text order.

    Returns:
        One of ``none``, ``opens``, ``continues``, ``closes``, ``contains`` per sentence.
        The state resets at each paragraph, as a quote running over paragraphs is re-opened at
        each one by convention.
    """
    states: list[str] = []
    inside, para = False, None
    for start, end, p in spans:
        if p != para:
            inside, para = False, p
        was_inside = inside
        saw_open = saw_close = False
        for m in QUOTE_MARKS.finditer(text, start, end):
            mark = m.group(0)
            if not inside and mark in OPENERS:
                inside = saw_open = True
            elif inside and mark in CLOSERS:
                inside, saw_close = False, True
        if was_inside and inside:
            states.append("closes" if saw_close else "continues")
        elif was_inside:
            states.append("closes")
        elif inside:
            states.append("opens")
        else:
            states.append("contains" if saw_open or saw_close else "none")
    return states
