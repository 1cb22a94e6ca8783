"""The self-contained HTML report of an analysis run: sentences coloured by voice, technique tags.

Article text is untrusted web content. Every piece of it is HTML-escaped on the server side and the
page's only script is pinned by a Content-Security-Policy hash, so markup inside an article is shown
as text and nothing it contains can run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

VOICE_COLOURS = {
    "narration": "#e8eef7",
    "state_media": "#f9d6d5",
    "source_testimony": "#d8f0d8",
    "other": "#efe6f7",
}

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ccc;padding:8px 16px;z-index:2}
h1{font-size:20px;margin:0 0 6px}
#filters label{margin-right:10px}
.layout{display:flex;gap:16px;padding:16px}
#legend{flex:0 0 280px;font-size:13px}
#legend dt{font-weight:600;margin-top:6px}
#legend dd{margin:0 0 4px}
main{flex:1;min-width:0}
article{border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin-bottom:18px}
article h2{font-size:17px;margin:0 0 4px}
.meta{color:#666;font-size:13px}
p.para{margin:8px 0}
.s{border-radius:3px;padding:1px 2px}
.s.has-tech{border-bottom:2px solid #b00}
.tag{display:inline-block;font-size:11px;background:#333;color:#fff;border-radius:3px;padding:0 4px;margin:0 2px;
vertical-align:super}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:middle}
.hidden{display:none}
.dim{opacity:.35}
svg text{font-size:11px}
"""

_JS = """
(function(){
  var q=function(s){return Array.prototype.slice.call(document.querySelectorAll(s));};
  function apply(){
    var voices={};q('input.fv').forEach(function(c){voices[c.value]=c.checked;});
    var tech=document.getElementById('ft').value;
    var th=parseFloat(document.getElementById('fth').value);
    document.getElementById('fthv').textContent=th.toFixed(2);
    q('.s').forEach(function(el){
      var scores=JSON.parse(el.getAttribute('data-tech'));
      var any=false;
      Object.keys(scores).forEach(function(k){if(scores[k]>=th&&(!tech||k===tech)){any=true;}});
      var tags=el.nextElementSibling;
      if(tags){Array.prototype.slice.call(tags.children).forEach(function(t){
        var ok=parseFloat(t.getAttribute('data-score'))>=th&&(!tech||t.getAttribute('data-label')===tech);
        t.classList.toggle('hidden',!ok);});}
      el.classList.toggle('has-tech',any);
      var show=voices[el.getAttribute('data-voice')]!==false&&(!tech||any);
      el.classList.toggle('dim',!show);
    });
  }
  q('input.fv').forEach(function(c){c.addEventListener('change',apply);});
  document.getElementById('ft').addEventListener('change',apply);
  document.getElementById('fth').addEventListener('input',apply);
  apply();
})();
"""


@cache
def definitions() -> dict:
    """Short definitions of the voice and technique labels, for the legend."""
    return json.loads(resources.files("pipeline").joinpath("data", "definitions.json").read_text("utf-8"))


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _bar_chart(counts: dict[str, float], colour: str = "#7a7aa8", width: int = 320) -> str:
    """A small horizontal bar chart as inline SVG (no external files or scripts)."""
    items = [(k, v) for k, v in counts.items() if v]
    if not items:
        return ""
    top = max(v for _, v in items)
    row = 16
    parts = [f'<svg width="{width}" height="{row * len(items) + 4}" role="img">']
    for i, (label, value) in enumerate(items):
        w = max(1, int((width - 170) * value / top))
        y = i * row + 2
        parts.append(
            f'<text x="0" y="{y + 11}">{_e(label[:26])}</text>'
            f'<rect x="165" y="{y}" width="{w}" height="{row - 4}" fill="{colour}"></rect>'
            f'<text x="{170 + w}" y="{y + 11}">{_e(round(value, 2))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _sentence_html(s: dict) -> str:
    voice = s.get("voice") or "other"
    techniques = s.get("techniques") or []
    scores = {t["label"]: round(float(t["score"]), 3) for t in techniques}
    title = f"{voice} ({float(s.get('voice_score') or 0):.2f})"
    if s.get("speaker"):
        title += f" | speaker: {s['speaker'].get('text')}"
    if s.get("cue"):
        title += f" | cue: {s['cue'].get('text')}"
    tags = "".join(
        f'<span class="tag" data-label="{_e(t["label"])}" data-score="{float(t["score"]):.3f}">'
        f"{_e(t['label'])} {float(t['score']):.2f}</span>"
        for t in techniques
    )
    return (
        f'<span class="s" style="background:{VOICE_COLOURS.get(voice, "#eee")}" data-voice="{_e(voice)}" '
        f'data-tech="{_e(json.dumps(scores))}" title="{_e(title)}">{_e(s.get("text"))}</span>'
        f'<span class="tags">{tags}</span> '
    )


def article_html(summary: dict, sentences: list[dict]) -> str:
    """One article: heading, metadata, sentences by paragraph, and its summary charts."""
    paras: list[list[str]] = []
    last = None
    for s in sentences:
        if s.get("paragraph") != last or not paras:
            paras.append([])
            last = s.get("paragraph")
        paras[-1].append(_sentence_html(s))
    voices = summary.get("voice_counts") or Counter(s.get("voice") for s in sentences)
    tech_counts: Counter = Counter()
    for s in sentences:
        tech_counts.update(t["label"] for t in s.get("techniques") or [])
    meta = " · ".join(_e(x) for x in (summary.get("outlet"), summary.get("date"), summary.get("article_id")) if x)
    score = summary.get("propaganda_score")
    charts = (
        '<div class="charts"><div><b>Sentences by voice</b>'
        + _bar_chart(dict(voices), "#6a8caf")
        + "</div><div><b>Techniques</b>"
        + (_bar_chart(dict(tech_counts.most_common())) or " none above threshold")
        + "</div></div>"
    )
    return (
        f'<article data-id="{_e(summary.get("article_id"))}">'
        f"<h2>{_e(summary.get('title') or summary.get('article_id'))}</h2>"
        f'<div class="meta">{meta}'
        + (f" · propaganda score {float(score):.2f}" if score is not None else "")
        + "</div>"
        + "".join(f'<p class="para">{"".join(p)}</p>' for p in paras)
        + charts
        + "</article>"
    )


def render_report(
    articles: Iterable[tuple[dict, list[dict]]],
    *,
    threshold: float = 0.5,
    title: str = "propwatch report",
    note: str | None = None,
) -> str:
    """The whole page for ``(article summary, sentence records)`` pairs."""
    defs = definitions()
    body = "".join(article_html(summary, sents) for summary, sents in articles)
    voice_filters = "".join(
        f'<label><input type="checkbox" class="fv" value="{_e(v)}" checked>'
        f'<span class="swatch" style="background:{c}"></span>{_e(v)}</label>'
        for v, c in VOICE_COLOURS.items()
    )
    tech_options = '<option value="">any technique</option>' + "".join(
        f'<option value="{_e(t)}">{_e(t)}</option>' for t in defs["technique"]
    )
    legend = (
        "<h3>Voice</h3><dl>"
        + "".join(
            f'<dt><span class="swatch" style="background:{VOICE_COLOURS[v]}"></span>{_e(v)}</dt><dd>{_e(d)}</dd>'
            for v, d in defs["voice"].items()
        )
        + "</dl><h3>Techniques</h3><dl>"
        + "".join(f"<dt>{_e(t)}</dt><dd>{_e(d)}</dd>" for t, d in defs["technique"].items())
        + "</dl>"
    )
    script_hash = base64.b64encode(hashlib.sha256(_JS.encode("utf-8")).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; img-src data:"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><div id="filters">{voice_filters}'
        f'<label>technique <select id="ft">{tech_options}</select></label>'
        f'<label>threshold <input type="range" id="fth" min="0" max="1" step="0.05" value="{threshold}">'
        f'<span id="fthv">{threshold:.2f}</span></label></div>'
        + (f'<div class="meta">{_e(note)}</div>' if note else "")
        + f'</header><div class="layout"><aside id="legend">{legend}</aside><main id="articles">{body}</main></div>'
        f"<script>{_JS}</script></body></html>"
    )
