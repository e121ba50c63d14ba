"""Escaping text that comes from inputs (scenario names and descriptions, entrant, type and
population names, action labels, anything read back from a results folder) before it is
shown in ``report.md`` / ``report.html`` or on a plot.

Two layers, so that a section that forgets the first is still safe:

1. :func:`md` / :func:`md_block` turn input text into Markdown that renders as exactly that
   text: HTML special characters become entities, Markdown punctuation is backslash-escaped,
   bidirectional-override and other control characters are shown as ``\\u202e``-style codes.
   ``![x](/etc/…)`` in a description is therefore text, not an image.
2. :func:`render_html` renders the report's Markdown with raw HTML disabled (a ``<script>``
   that reached the Markdown anyway is shown as text) and embeds as data URIs only the PNG
   files this report build drew (``allowed``); any other image reference is dropped.

:func:`plain_plots` turns matplotlib's mathtext off while a report draws, so that a ``$``
in a name is shown as a dollar sign (and cannot make drawing fail).
"""

from __future__ import annotations

import base64
import contextlib
import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

# Characters that start Markdown constructs inside a line (code, emphasis, links and images,
# table cells); each is backslash-escapable in Python-Markdown and CommonMark. Braces,
# parentheses and a lone ">" start nothing once "[" and "<" are escaped.
_INLINE = re.compile(r"([\\`*\[\]|])")
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # intraword _ is literal
# A line that starts like a block construct: heading, quote, list item, rule, setext underline.
_LINE_START = re.compile(r"^(\s*)([#>=+-]|\d{1,9}[.)](?=\s|$))")


class Markdown(str):
    """Markdown a section built itself from escaped parts (e.g. a link to a report it wrote):
    ``markdown_table`` passes such cells through instead of escaping them."""


def _visible(ch: str) -> str:
    return f"\\u{ord(ch):04x}"


def clean(text: object) -> str:
    """``text`` as a string with control, format (bidi overrides, zero-width) and private
    characters replaced by visible ``\\uXXXX`` codes; tabs become spaces, newlines stay."""
    s = str(text)
    if s.isascii() and s.isprintable():
        return s
    out = []
    for ch in s:
        if ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            out.append(_visible(ch))
        else:
            out.append(ch)
    return "".join(out)


def md(text: object) -> str:
    """Input text for one line of Markdown (a table cell, a heading, a list item, a phrase):
    rendered, it shows exactly ``text``. Line breaks become spaces."""
    s = clean(text).replace("\r", " ").replace("\n", " ")
    s = s.replace("&", "&amp;").replace("<", "&lt;")  # no raw HTML, no autolinks, no entities
    s = _INLINE.sub(r"\\\1", s)
    s = _UNDERSCORE.sub(r"\\_", s)
    # a block marker at the start becomes a character reference (renders the same, starts nothing)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + f"&#{ord(m.group(2)[-1])};", s)


def md_block(text: object) -> str:
    """Input text of several lines (a description) as Markdown paragraphs: every line is
    escaped as by :func:`md`, blank lines separate paragraphs."""
    lines = clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(md(line.strip()) for line in lines)


@contextlib.contextmanager
def plain_plots() -> Iterator[None]:
    """Draw every text of the figures made inside as plain text (no mathtext)."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):
        yield


def render_html(markdown_text: str, base: Path, allowed: Iterable[Path]) -> str:
    """The report's Markdown as an HTML fragment: raw HTML is escaped, and images are
    embedded (as data URIs) only if they are among ``allowed`` — the files the report drew.
    Other images are replaced by their alt text."""
    import markdown

    conv = markdown.Markdown(extensions=["tables"])
    # no raw HTML: neither blocks nor inline tags pass through (they are escaped as text)
    conv.preprocessors.deregister("html_block")
    conv.inlinePatterns.deregister("html")
    body = conv.convert(markdown_text)
    base = Path(base).resolve()
    ok = {Path(p).resolve() for p in allowed}

    def embed(match: re.Match) -> str:
        tag = match.group(0)
        src = re.search(r'\ssrc="([^"]*)"', tag)
        alt = re.search(r'\salt="([^"]*)"', tag)
        path = (base / html.unescape(src.group(1))).resolve() if src else None
        if path is None or path not in ok or not path.is_file():
            return html.escape(html.unescape(alt.group(1))) if alt else ""
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return re.sub(r'\ssrc="[^"]*"', f' src="data:image/png;base64,{data}"', tag, count=1)

    return re.sub(r"<img\b[^>]*>", embed, body)
