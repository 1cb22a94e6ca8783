"""Quotation state of sentences: whether each opens, continues, closes or contains a quote."""

from __future__ import annotations

from collections.abc import Sequence

OPEN = "\u201c"  # “
CLOSE = "\u201d"  # ”
STRAIGHT = '"'


def _scan(text: str, start: int, end: int, inside: bool) -> tuple[bool, bool, bool]:
    """Return (inside_at_end, saw_open, saw_close) for ``text[start:end]``."""
    saw_open = saw_close = False
    for ch in text[start:end]:
        if ch == OPEN or (ch == STRAIGHT and not inside):
            inside, saw_open = True, True
        elif ch == CLOSE or (ch == STRAIGHT and inside):
            if inside:
                saw_close = True
            inside = False
    return inside, saw_open, saw_close


def quote_states(text: str, spans: Sequence[tuple[int, int, int]]) -> list[str]:
    """Quotation state for each sentence span.

    Args:
        text: The article text.
        spans: ``(start, end, paragraph)`` for each sentence, in text order.

    Returns:
        One of ``none``, ``opens``, ``continues``, ``closes``, ``contains`` per sentence.
        Only double quotes count (single quotes double as apostrophes). The state resets at each
        paragraph, as a quote running over paragraphs is re-opened at each one by convention.
    """
    states: list[str] = []
    inside, para = False, None
    for start, end, p in spans:
        if p != para:
            inside, para = False, p
        was_inside = inside
        inside, saw_open, saw_close = _scan(text, start, end, inside)
        if was_inside and inside:
            states.append("closes" if saw_close else "continues")
        elif was_inside:
            states.append("closes")
        elif inside:
            states.append("opens")
        elif saw_open or saw_close:
            states.append("contains")
        else:
            states.append("none")
    return states
