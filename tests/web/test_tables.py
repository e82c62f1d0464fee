"""Wide tables scroll inside a ``<div class="table-scroll">`` on phones; the table itself
stays a table (``display: block`` on a table drops its semantics for screen readers)."""

from __future__ import annotations

import re
from pathlib import Path

import sinergi.web

WEB = Path(sinergi.web.__file__).parent
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))


def _unwrapped(text: str) -> list[int]:
    """Line numbers of data tables (with a ``<thead>``: columns that can grow wide) not
    directly inside a table-scroll box. A two-column key/value table (row headers only)
    is narrow by construction."""
    lines = []
    for match in re.finditer(r"<table\b", text):
        body = text[match.start() : text.find("</table>", match.start())]
        if "<thead" not in body:
            continue
        before = text[: match.start()]
        opened = before.rfind('class="table-scroll"')
        if opened < 0 or "</div>" in before[opened:] or "</table>" in before[opened:]:
            lines.append(before.count("\n") + 1)
    return lines


def test_every_table_is_inside_a_scroll_box() -> None:
    assert TEMPLATES
    missing = {
        str(t.relative_to(WEB)): lines for t in TEMPLATES if (lines := _unwrapped(t.read_text()))
    }
    assert missing == {}


def test_no_stylesheet_turns_a_table_into_a_block() -> None:
    for css in (WEB / "static").rglob("*.css"):
        rules = re.findall(r"table[^{}]*\{[^}]*\}", css.read_text())
        assert not [r for r in rules if re.search(r"display:\s*block", r)], css.name
