"""The repository is self-contained: nothing in it points at a path outside it.

A clone with nothing beside it must install, run and pass its tests, so no
source, test, script or document may read a sibling folder (the ``shared/``
the project was started from), an absolute path of one machine, or climb
above the repository root from ``__file__``. The detector is tested on sample
strings first, so a detector that finds nothing cannot pass silently.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCANNED = ["src", "tests", "bench", "scripts", ".ci", "docs"]
SCANNED_FILES = ["README.md", "pyproject.toml", "Makefile"]
# Third-party files shipped as published (minified JS, Swagger assets) and
# build or cache output.
SKIPPED_DIRS = {"vendor", "__pycache__", "node_modules", ".pytest_cache", ".hypothesis"}
SKIPPED_SUFFIXES = {".min.js", ".min.css", ".map", ".mo"}
# Files whose relative paths climb with string literals: Python, shell, make, TOML.
CODE_SUFFIXES = {".py", ".sh", ".toml", ".cfg", ".ini", ""}

SIBLING = re.compile(
    r"\.\.[/\\]+shared\b"  # ../shared
    r"""|["']\.\.["']\s*[/,]\s*["']shared["']"""  # ROOT / ".." / "shared", join("..", "shared")
    r"|(?<![\w.-])shared[/\\]+(?:data|seeds|tools|hooks)\b"  # shared/data
)
ABSOLUTE = re.compile(r"(?<![\w.~-])/(?:work|home|root|mnt|Users)/")
RELATIVE_LITERAL = re.compile(r"""(?<![\w.])["']\.\.(?:[/\\]|["'])""")  # "../x", ".."
# One step of a path expression: .resolve(), .parents[N], .parent, / "segment".
STEP = r"""(?:\.resolve\(\)|\.absolute\(\)|\.parents\[\d+\]|\.parent\b|\s*/\s*["'][^"'\n]*["'])"""
FROM_FILE = re.compile(rf"Path\(\s*__file__\s*\)(?P<chain>{STEP}*)")
ASSIGNED = re.compile(
    rf"^(?P<name>[A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*Path\(\s*__file__\s*\)(?P<chain>{STEP}*)",
    re.M,
)


def _walk(chain: str, level: int = 0) -> tuple[int, int]:
    """``(final, highest)`` levels above the file that a chain of path steps reaches."""
    highest = level
    for n, parent, segment in re.findall(
        r"""\.parents\[(\d+)\]|(\.parent)\b|/\s*["']([^"'\n]*)["']""", chain
    ):
        if n:
            level += int(n) + 1
        elif parent:
            level += 1
        else:
            for part in re.split(r"[/\\]", segment):
                level += 1 if part == ".." else -1 if part not in ("", ".") else 0
        highest = max(highest, level)
    return level, highest


def outside_references(text: str, relative: Path) -> list[tuple[int, str]]:
    """``(line, reason)`` for each reference in ``text`` to a path outside the repository.

    ``relative`` is the file's path from the repository root: it tells how many
    levels a ``Path(__file__)`` expression may climb before leaving the repository.
    """
    depth = len(relative.parts)  # levels from the file up to the repository root
    found: list[tuple[int, str]] = []

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    for m in SIBLING.finditer(text):
        found.append((line_of(m.start()), f"refers to the sibling folder {m.group(0)!r}"))
    for m in ABSOLUTE.finditer(text):
        found.append((line_of(m.start()), f"absolute path {m.group(0)!r} of one machine"))
    if relative.suffix not in CODE_SUFFIXES:
        return sorted(found)
    for m in RELATIVE_LITERAL.finditer(text):
        found.append(
            (
                line_of(m.start()),
                "a path literal '..' (climb with .parents[N] inside the repository)",
            )
        )
    if relative.suffix != ".py":
        return sorted(found)
    for m in FROM_FILE.finditer(text):
        _final, highest = _walk(m.group("chain"))
        if highest > depth:
            found.append((line_of(m.start()), f"climbs {highest} levels from a file {depth} deep"))
    # Names bound to a path from __file__ (REPO = ...), then climbed from (REPO.parent).
    for a in ASSIGNED.finditer(text):
        name, (base, _highest) = a.group("name"), _walk(a.group("chain"))
        for m in re.finditer(rf"(?<![\w.]){re.escape(name)}(?P<chain>{STEP}+)", text):
            _final, highest = _walk(m.group("chain"), base)
            if highest > depth:
                found.append(
                    (line_of(m.start()), f"{name} climbs {highest} levels from a file {depth} deep")
                )
    return sorted(found)


def _candidates(top: str) -> list[Path]:
    """Files under ``top`` that a clone has: tracked or new, not git-ignored (so build
    output such as ``bench/out/`` is not read); every file when this is no git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", top],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return sorted((REPO / top).rglob("*"))
    return sorted(REPO / name for name in listed.decode().split("\0") if name)


def _text_files() -> list[Path]:
    files = [REPO / name for name in SCANNED_FILES if (REPO / name).is_file()]
    for top in SCANNED:
        for path in _candidates(top):
            rel = path.relative_to(REPO)
            if not path.is_file() or SKIPPED_DIRS.intersection(rel.parts):
                continue
            if any(part.endswith(".egg-info") for part in rel.parts):
                continue
            if any(path.name.endswith(s) for s in SKIPPED_SUFFIXES):
                continue
            files.append(path)
    return files


def _read_text(path: Path) -> str | None:
    """The file's text, or None for a binary file (a NUL byte or not UTF-8)."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


UP, SH = "..", "shared"  # pieces of the samples below


@pytest.mark.parametrize(
    ("sample", "relative", "reason"),
    [
        (f'DATA = REPO / "{UP}" / "{SH}" / "data"', "tests/x.py", "sibling folder"),
        (f"see `{UP}/{SH}/seeds/` for the articles", "README.md", "sibling folder"),
        (f"a copy of {SH}/data/seed_figures.csv", "src/a/b.py", "sibling folder"),
        (f"cp /{'work'}/main/var/packages here", "docs/x.md", "absolute path"),
        (f'open("/{"home"}/me/eusilc.parquet")', "bench/b.py", "absolute path"),
        (f'D = Path(__file__).resolve().parents[2] / "{UP}" / "x"', "tests/stats/s.py", "climbs"),
        ("D = Path(__file__).parents[3]", "tests/stats/s.py", "climbs"),
        ("D = Path(__file__).parent.parent.parent.parent", "tests/stats/s.py", "climbs"),
        (
            "REPO = Path(__file__).resolve().parents[1]\nX = REPO.parent / 's'",
            "tests/c.py",
            "REPO climbs",
        ),
        (f'X = ROOT / "{UP}" / "y"\nROOT = Path(__file__).parents[1]', "tests/c.py", "ROOT climbs"),
        (f'load("{UP}/x.csv")', "src/m.py", "path literal"),
    ],
)
def test_the_detector_finds_references_outside(sample: str, relative: str, reason: str) -> None:
    found = outside_references(sample, Path(relative))
    assert found, f"not detected: {sample!r}"
    assert any(reason in why for _, why in found), found


@pytest.mark.parametrize(
    ("sample", "relative"),
    [
        ('DATA = Path(__file__).resolve().parent / "data"', "src/sinergi/web/demo/services.py"),
        ("REPO = Path(__file__).resolve().parents[2]", "tests/e2e/test_x.py"),
        ('TEST_DATA = Path(__file__).resolve().parents[1] / "data"', "tests/stats/_support.py"),
        ("node = node.parent  # the region's parent", "src/sinergi/web/programs/models.py"),
        ("Template context shared by every page; shared/ folders", "src/a.py"),
        ('<a href="../">up</a> launch("/usr/bin/chromium")', "src/sinergi/web/t.html"),
        ("https://example.org/work/items", "README.md"),
    ],
)
def test_the_detector_accepts_paths_inside(sample: str, relative: str) -> None:
    assert outside_references(sample, Path(relative)) == []


def test_the_detector_reports_the_line() -> None:
    text = f'"""Doc."""\n\nX = 1\nY = "{UP}/{SH}/data/eusilc.parquet"\n'
    assert [line for line, _ in outside_references(text, Path("tests/x.py"))] == [4, 4]


def test_no_file_points_outside_the_repository() -> None:
    # This file is left out: its samples and patterns are exactly what it looks for.
    files = [path for path in _text_files() if path != Path(__file__).resolve()]
    assert len(files) > 100, f"only {len(files)} files scanned: is the repository there?"
    problems = []
    for path in files:
        text = _read_text(path)
        if text is None:
            continue
        rel = path.relative_to(REPO)
        problems += [f"{rel}:{line}: {why}" for line, why in outside_references(text, rel)]
    assert not problems, "paths outside the repository:\n" + "\n".join(problems)


def test_the_reference_data_is_in_the_repository() -> None:
    data = REPO / "tests" / "data"
    assert (data / "eusilc.parquet").stat().st_size > 100_000
    readme = (data / "README.md").read_text()
    assert "laeken 0.5.3" in readme and "GPL" in readme
