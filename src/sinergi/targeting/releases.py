"""Registry releases: validate a households + members slice whole, store it pseudonymised.

A release is read from CSV, XLSX or Parquet, checked in full by DuckDB SQL (no
per-row Python), and written as an immutable directory ``<dest>/`` holding
``households.parquet``, ``members.parquet`` and ``manifest.json``.

How a national release (10M households, 37M persons) stays at engine speed:

- each input is read once into a staged text table, which every later step reuses;
- validation is one pass per file, every per-row rule a bit of a mask evaluated
  vectorised, behind a *fast path*: one conjunction that proves a row clean
  (a code in its stored spelling, a NIK whose DDMMYY is the birth date, ...);
  only the rows it does not pass have each rule evaluated and their errors
  expanded (:func:`_fast_path`, tested against the rules alone);
- the rules that need a whole file are single aggregates: the households by id
  (first row, KK, count), the members joined once to them (their household's
  first row as an integer key), then one GROUP BY on that integer key (persons,
  heads, the PMT's member summary) and one on the NIK as BIGINT (duplicates);
- the same per-household summary is stored with the households
  (``children, elderly, head_sex, head_age, head_education,
  head_work_sector`` beside ``persons``), so scoring reads the households only
  (``pmt``; older releases without it are summarised from their members);
- hashing (HMAC-SHA256) and AES-GCM encryption run in a Python thread beside the
  validation (:meth:`Pseudonymiser.encrypt_array`: one ``cryptography`` AES-GCM
  token per value, a fresh nonce each). The directory is built beside its
destination and renamed into place, so a reader never sees half a release.
Clear NIK and KK numbers exist only in memory (and in DuckDB's spill files,
which live in a private temporary directory removed afterwards): the stored
files hold their keyed hash, masked form and encrypted token.

Examples
--------
>>> import tempfile, pathlib, datetime
>>> from sinergi.targeting.pseudonym import Pseudonymiser
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "h.csv").write_text(
...     "household_id,kk,desa_code,floor_area_m2,floor_material,wall_material,roof_material,"
...     "drinking_water,sanitation,electricity,cooking_fuel,has_motorcycle,has_car,"
...     "has_refrigerator,has_tv,has_smartphone,livestock_units,land_ha\\n"
...     "H1,1607050101000001,16.07.05.2001,36,cement,wood,metal,piped,private,pln_metered,"
...     "gas,1,0,0,1,1,0,0.5\\n")
>>> _ = (d / "m.csv").write_text(
...     "household_id,kk,nik,full_name,sex,birth_date,relationship,education,work_sector\\n"
...     "H1,1607050101000001,1607050107800001,Budi,M,1980-07-01,head,senior,agriculture\\n")
>>> report = validate_release(d / "h.csv", d / "m.csv", desa_codes={"16.07.05.2001"},
...                           kecamatan_prefixes={"16.07.05"})
>>> report.ok(), report.households, report.members
(True, 1, 1)
>>> manifest = write_release(d / "h.csv", d / "m.csv", d / "dtsen-2025-q2", name="DTSEN 2025-Q2",
...     reference_date=datetime.date(2025, 6, 30),
...     pseudonymiser=Pseudonymiser(b"h" * 32, b"e" * 32),
...     desa_codes={"16.07.05.2001"}, kecamatan_prefixes={"160705"})
>>> manifest.households, manifest.members, sorted(manifest.sha256)
(1, 1, ['households.parquet', 'members.parquet'])
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sinergi.stats._engines import DuckDBEngine, Engine, get_engine

from .nik import mask_sql, nik_conditions, nik_parts, normalise_prefixes
from .pmt import CHILD_AGE, ELDERLY_AGE
from .schema import LAYOUTS, REASONS, SCHEMA_VERSION, Column, describe

if TYPE_CHECKING:
    import pyarrow as pa

    from .pseudonym import Pseudonymiser

__all__ = [
    "InputFileError",
    "ReleaseInvalid",
    "ReleaseManifest",
    "RowError",
    "ValidationReport",
    "read_release",
    "read_scores",
    "rekey_release",
    "slugify",
    "validate_release",
    "write_release",
    "write_scores",
]

log = logging.getLogger(__name__)

FILES = ("households", "members")
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq", ".parq"}
Progress = Callable[[str], None]
#: DuckDB's memory cap when the release code opens its own connection.
MEMORY_LIMIT = os.environ.get("SINERGI_DUCKDB_MEMORY_LIMIT", "5GB")


@dataclass(frozen=True)
class RowError:
    """One bad value: which file, which data row (the header is row 1), which column, why.

    ``reason`` is a code of :data:`sinergi.targeting.schema.REASONS`; it never
    carries the value itself (a NIK must not reach an error message). Problems
    with a whole file have ``row`` 0.
    """

    file: str
    row: int
    column: str
    reason: str

    @property
    def message(self) -> str:
        return describe(self.reason)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationReport:
    """The outcome of checking a whole release.

    ``errors`` holds at most ``max_errors`` rows (households first, by row);
    ``error_count`` is the true total and ``summary`` counts every
    ``(file, column, reason)``. ``valid_households``/``valid_members`` are what
    a valid-rows-only import keeps: households whose row and every member row
    are free of errors, and their members.
    """

    errors: list[RowError]
    households: int
    members: int
    valid_households: int
    valid_members: int
    error_count: int = -1
    summary: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.error_count < 0:
            self.error_count = len(self.errors)

    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "households": self.households,
            "members": self.members,
            "valid_households": self.valid_households,
            "valid_members": self.valid_members,
            "error_count": self.error_count,
            "summary": self.summary,
            "errors": [e.as_dict() for e in self.errors],
        }


class ReleaseInvalid(Exception):
    """The release has errors and the caller did not ask for the valid rows only."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"the release has {report.error_count} error(s); nothing was written")
        self.report = report


class InputFileError(ReleaseInvalid):
    """A file cannot be used at all: unreadable, empty, too large or with wrong headers."""


@dataclass(frozen=True)
class ReleaseManifest:
    """What ``manifest.json`` of a stored release says."""

    name: str
    slug: str
    reference_date: dt.date
    households: int
    members: int
    sha256: dict[str, str]
    created_at: str
    schema_version: int
    synthetic: bool
    path: Path
    skipped_households: int = 0
    skipped_members: int = 0

    def to_json(self) -> str:
        data = asdict(self)
        data["reference_date"] = self.reference_date.isoformat()
        data.pop("path")
        return json.dumps(data, indent=2, sort_keys=True)


def slugify(name: str) -> str:
    """A release name as a directory name: ``DTSEN 2025-Q2`` -> ``dtsen-2025-q2``.

    >>> slugify("DTSEN 2025-Q2 (Banyuasin)")
    'dtsen-2025-q2-banyuasin'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ValueError("a release name needs at least one letter or digit")
    return slug[:80]


# --------------------------------------------------------------------------- reading


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class _Staging:
    """The two input files loaded into DuckDB as text tables, with their row numbers."""

    def __init__(self, engine: Engine, spill_dir: Path | None = None) -> None:
        if not isinstance(engine, DuckDBEngine):
            raise ValueError(
                "releases are validated and written on DuckDB (engine='duckdb'); "
                "the Spark path for a national release is not available yet"
            )
        self.engine = engine
        self.con = engine.connection
        self.con.execute("SET enable_progress_bar = false")
        if spill_dir is not None:
            self.con.execute(f"SET temp_directory = {_lit(str(spill_dir))}")
        self.file_errors: list[RowError] = []
        self.tables: dict[str, str] = {}
        self.workdir = spill_dir or Path(tempfile.gettempdir())

    def load(self, role: str, path: Path, max_bytes: int | None) -> None:
        table = f"sinergi_release_{role}"
        layout = LAYOUTS[role]
        try:
            raw = self._raw_relation(role, path, max_bytes)
        except _FileProblem as problem:
            self.file_errors.append(RowError(role, 0, "", problem.reason))
            return
        columns = {c.strip().lower(): c for c in raw["columns"]}
        known = {c.name for c in layout}
        missing = [c.name for c in layout if c.required and c.name not in columns]
        unknown = sorted(c for c in columns if c not in known and not c.startswith("_sinergi"))
        for name in missing:
            self.file_errors.append(RowError(role, 1, name, "missing_column"))
        for name in unknown:
            self.file_errors.append(RowError(role, 1, columns[name], "unknown_column"))
        if missing or unknown:
            return
        select = ", ".join(
            f"NULLIF(trim(CAST({_q(columns[c.name])} AS VARCHAR)), '') AS {c.name}"
            if c.name in columns
            else f"CAST(NULL AS VARCHAR) AS {c.name}"
            for c in layout
        )
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            f"SELECT CAST(_sinergi_row AS BIGINT) AS _row, {select} FROM ({raw['sql']})"
        )
        self.con.execute(f"DROP VIEW IF EXISTS {table}_src")
        (count,) = self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0]
        if count == 0:
            self.file_errors.append(RowError(role, 0, "", "empty_file"))
            return
        self.tables[role] = table

    def _raw_relation(self, role: str, path: Path, max_bytes: int | None) -> dict[str, Any]:
        if not path.is_file():
            raise _FileProblem("unreadable_file")
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise _FileProblem("file_too_large")
        if size == 0:
            raise _FileProblem("empty_file")
        suffix = path.suffix.lower()
        src = f"sinergi_release_{role}_src"
        try:
            if suffix in CSV_SUFFIXES:
                # All text: NIK, KK and desa codes are codes, not numbers or dates.
                sql = (
                    f"SELECT row_number() OVER () + 1 AS _sinergi_row, * FROM read_csv("
                    f"{_lit(str(path))}, header = true, all_varchar = true)"
                )
            elif suffix in PARQUET_SUFFIXES:
                sql = (
                    f"SELECT * EXCLUDE (file_row_number), file_row_number + 2 AS _sinergi_row "
                    f"FROM read_parquet({_lit(str(path))}, file_row_number = true)"
                )
            elif suffix in XLSX_SUFFIXES:
                self.con.register(f"{src}_arrow", _read_xlsx(path))
                sql = f"SELECT * FROM {src}_arrow"
            else:
                raise _FileProblem("unsupported_file")
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {src} AS {sql}")
            columns = [
                str(r[0])
                for r in self.con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
                if r[0] != "_sinergi_row"
            ]
        except _FileProblem:
            raise
        except Exception as exc:  # duckdb.Error, zip and XML errors of a garbage file
            # The exception text may quote the file's content (a NIK): never log it.
            log.info("cannot read %s input (%s)", role, type(exc).__name__)
            if _looks_empty_text(path):
                raise _FileProblem("empty_file") from None
            raise _FileProblem("unreadable_file") from None
        return {"sql": f"SELECT * FROM {src}", "columns": columns}


class _FileProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _looks_empty_text(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(4096)
    return not head.strip(b"\xef\xbb\xbf \t\r\n")


def _read_xlsx(path: Path) -> pa.Table:
    """The first sheet as a table of text (the XLSX reader is Python: XLSX inputs are small)."""
    import zipfile

    import openpyxl
    import pyarrow as pa
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise _FileProblem("unreadable_file") from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise _FileProblem("empty_file")
        names = [
            str(h).strip() if h is not None else f"_sinergi_blank_{i}" for i, h in enumerate(header)
        ]
        columns: list[list[str | None]] = [[] for _ in names]
        numbers: list[int] = []
        for index, row in enumerate(rows, start=2):
            if row is None or all(v is None or str(v).strip() == "" for v in row):
                continue
            numbers.append(index)
            for i in range(len(names)):
                columns[i].append(_cell_text(row[i] if i < len(row) else None))
    finally:
        book.close()
    blank = [
        i for i, n in enumerate(names) if n.startswith("_sinergi_blank_") and not any(columns[i])
    ]
    data = {
        n: pa.array(c, pa.string())
        for i, (n, c) in enumerate(zip(names, columns, strict=True))
        if i not in blank
    }
    data["_sinergi_row"] = pa.array(numbers, pa.int64())
    return pa.table(data)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- rules


def _num(expr: str) -> str:
    # Indonesian spreadsheets write 12,5 for 12.5.
    return f"TRY_CAST(replace({expr}, ',', '.') AS DOUBLE)"


def _flag(expr: str) -> str:
    # A Parquet BOOLEAN arrives as 'true'/'false'.
    return f"(CASE lower({expr}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE {_num(expr)} END)"


def _code(column: Column, expr: str) -> str:
    if column.aliases:
        cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in column.aliases.items())
        return f"(CASE upper({expr}) {cases} ELSE upper({expr}) END)"
    return f"lower({expr})"


def _date(expr: str) -> str:
    # A native cast (YYYY-MM-DD); a timestamp from a spreadsheet or Parquet keeps its date.
    return f"coalesce(TRY_CAST({expr} AS DATE), CAST(TRY_CAST({expr} AS TIMESTAMP) AS DATE))"


def _column_rules(column: Column, reference_date: dt.date | None) -> list[tuple[str, str]]:
    """``(reason, condition)`` on the text value ``x`` of one column."""
    x = column.name
    rules: list[tuple[str, str]] = []
    if column.required:
        rules.append(("required", f"{x} IS NULL"))
    if column.kind == "number16":
        if column.name != "nik":  # NIK rules come from nik.py
            rules.append(
                ("kk_invalid", f"{x} IS NOT NULL AND NOT regexp_full_match({x}, '[0-9]{{16}}')")
            )
    elif column.kind in ("number", "int"):
        value = _num(x)
        rules.append(("not_a_number", f"{x} IS NOT NULL AND {value} IS NULL"))
        if column.kind == "int":
            rules.append(("not_whole_number", f"{value} IS NOT NULL AND {value} <> floor({value})"))
        low, high = column.minimum, column.maximum
        if column.kind == "int" and (low is not None or high is not None):
            parts = [f"{value} < {low}"] if low is not None else []
            parts += [f"{value} > {high}"] if high is not None else []
            rules.append(("out_of_range", f"{value} IS NOT NULL AND ({' OR '.join(parts)})"))
        elif low is not None and column.exclusive:
            rules.append(("not_positive", f"{value} <= {low}"))
        elif low is not None:
            rules.append(("negative", f"{value} < {low}"))
    elif column.kind == "code":
        codes = ", ".join(_lit(c) for c in column.codes)
        rules.append(("unknown_code", f"{x} IS NOT NULL AND {_code(column, x)} NOT IN ({codes})"))
    elif column.kind == "flag":
        rules.append(
            ("not_a_flag", f"{x} IS NOT NULL AND coalesce({_flag(x)} NOT IN (0, 1), true)")
        )
    elif column.kind == "date":
        rules.append(("not_a_date", f"{x} IS NOT NULL AND {_date(x)} IS NULL"))
        if reference_date is not None:
            rules.append(("future_date", f"{_date(x)} > DATE '{reference_date.isoformat()}'"))
    return rules


def _checks(reference_date: dt.date | None) -> dict[str, list[tuple[str, str, str]]]:
    """Every rule as ``(column, reason, SQL condition)`` per file.

    The conditions read one row of the staged text (households) or of the
    staged text with its household's key columns (members: ``_hh_row``, the
    first row of its household id, NULL if there is none; ``_household_kk``;
    the NIK pieces ``_nik_*``, ``_birth`` and ``_sex``). The rules that need a
    whole file (duplicates, heads, members of a household) are answered by
    one aggregate each, computed by :func:`_build_errors` before this pass:
    households read ``_dup`` (their id is repeated), ``_persons`` and
    ``_heads`` (of their id, NULL without members); members read
    ``_several_heads`` and ``_dup_nik``.
    """
    checks: dict[str, list[tuple[str, str, str]]] = {"households": [], "members": []}

    def add(file: str, column: str, reason: str, condition: str) -> None:
        assert reason in REASONS, reason
        checks[file].append((column, reason, condition))

    for file in ("households", "members"):
        for column in LAYOUTS[file]:
            for reason, condition in _column_rules(column, reference_date):
                add(file, column.name, reason, condition)
    add(
        "households",
        "desa_code",
        "unknown_desa",
        "desa_code IS NOT NULL AND desa_code NOT IN (SELECT code FROM sinergi_release_desa)",
    )
    add("households", "household_id", "duplicate_household", "_dup")
    add("households", "household_id", "no_members", "household_id IS NOT NULL AND _persons IS NULL")
    add("households", "household_id", "no_head", "_heads = 0")
    add("members", "relationship", "several_heads", "_several_heads")
    add(
        "members",
        "household_id",
        "unknown_household",
        "household_id IS NOT NULL AND _hh_row IS NULL",
    )
    add(
        "members",
        "kk",
        "kk_mismatch",
        "regexp_full_match(kk, '[0-9]{16}') AND regexp_full_match(_household_kk, '[0-9]{16}') "
        "AND kk <> _household_kk",
    )
    for reason, condition in nik_conditions(
        "nik",
        "_birth",
        "_sex",
        "{p} IN (SELECT prefix FROM sinergi_release_prefixes)",
        parts={k: f"_nik_{k}" for k in nik_parts("nik")},
    ):
        add("members", "nik", reason, condition)
    add("members", "nik", "duplicate_nik", "_dup_nik")
    return checks


_MASK_BITS = 62
#: The rules answered after the per-row pass (they need an aggregate of that pass).
_LATE = {"several_heads", "duplicate_nik"}


def _masks(
    checks: list[tuple[str, str, str]], fast: str | None = None
) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """SQL of one BIGINT bit mask per group of up to 62 rules, and the groups' rules.

    ``fast``, when given, is a condition that is true only for a row no rule
    flags (see :func:`_fast_path`): those rows get 0 without the rules being
    evaluated (DuckDB evaluates the ``ELSE`` branch for the other rows only).
    """
    groups = [checks[i : i + _MASK_BITS] for i in range(0, len(checks), _MASK_BITS)]
    sql = []
    for g, group in enumerate(groups):
        bits = " + ".join(
            f"CASE WHEN coalesce({cond}, false) THEN {1 << bit} ELSE 0 END"
            for bit, (_col, _reason, cond) in enumerate(group)
        )
        if fast and _FAST_PATH:
            bits = f"CASE WHEN coalesce({fast}, false) THEN 0 ELSE {bits} END"
        sql.append(f"({bits})::BIGINT AS m{g}")
    return sql, [[(col, reason) for col, reason, _c in group] for group in groups]


#: Whether the masks skip rows the fast path passes (switched off by a test to check
#: that both ways give the same errors).
_FAST_PATH = True


def _fast_path(file: str, reference_date: dt.date | None, overrides: dict[str, str]) -> str:
    """A condition true only when no per-row rule of ``file`` can flag the row.

    Almost every row of a real release is clean, and proving it is cheaper than
    evaluating each rule: one conjunction (evaluated left to right on the rows
    still in play) over the raw text, e.g. a code in its stored spelling, a flag
    ``0``/``1``, a number above its minimum. A row it does not pass (a bad value,
    or an unusual but valid spelling such as ``Cement`` or ``12,5``) gets every rule
    evaluated. ``overrides`` gives a column's condition where the file's own
    rules need more (the NIK against the birth date and sex, the member's KK
    against its household's).
    """
    parts: list[str] = []
    for column in LAYOUTS[file]:
        x = column.name
        if x in overrides:
            parts.append(overrides[x])
            continue
        if column.kind == "text":
            cond = f"{x} IS NOT NULL"
        elif column.kind == "number16":
            cond = f"regexp_full_match({x}, '[0-9]{{16}}')"
        elif column.kind == "number":
            value = _num(x)
            low = column.minimum
            if low is None:
                cond = f"{value} IS NOT NULL"
            else:
                cond = f"{value} {'>' if column.exclusive else '>='} {low}"
        elif column.kind == "int":
            value = _num(x)
            cond = f"{value} = floor({value})"
            if column.minimum is not None:
                cond += f" AND {value} >= {column.minimum}"
            if column.maximum is not None:
                cond += f" AND {value} <= {column.maximum}"
        elif column.kind == "code":
            codes = ", ".join(_lit(c) for c in (*column.codes, *column.aliases))
            cond = f"{x} IN ({codes})"
        elif column.kind == "flag":
            cond = f"{x} IN ('0', '1')"
        else:  # date
            cond = f"{_date(x)} IS NOT NULL"
            if reference_date is not None:
                cond += f" AND {_date(x)} <= DATE '{reference_date.isoformat()}'"
        if column.kind == "text" and not column.required:
            continue  # no rule
        parts.append(f"({cond})" if column.required else f"({x} IS NULL OR ({cond}))")
    return " AND ".join(parts)


def _age_sql(birth: str, reference_date: dt.date) -> str:
    ref = f"DATE '{reference_date.isoformat()}'"
    return (
        f"CAST(year({ref}) - year({birth}) - CASE WHEN month({ref}) * 100 + day({ref}) "
        f"< month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END AS INTEGER)"
    )


def _build_errors(con: Any, reference_date: dt.date | None) -> None:
    """Check both staged files; create the error list and what the writer needs.

    Tables made (all small except the per-household summary):

    - ``sinergi_release_hkeys``: per household id, its first row, first KK and count
      (one GROUP BY of the households);
    - ``sinergi_release_mcheck``: per member row its household's first row
      (``_hh_row``, one hash join of the members to the ids), the bit mask of every
      per-row rule, whether it is a head, its NIK as a number and what the household
      summary needs: one pass over the members, every rule evaluated vectorised;
    - ``sinergi_release_household_summary``: per household row, its persons, heads
      and the member summary the PMT reads (one GROUP BY on an integer key);
    - ``sinergi_release_errors(file, row, col, reason)``: one row per bad value,
      expanded from the few rows with a bit set;
    - ``sinergi_release_invalid_households(_row)`` and
      ``sinergi_release_invalid_members(_row)``: what a valid-rows-only import drops.

    The duplicate-NIK rule groups the 16-digit NIKs as BIGINT (exact: a 16-digit
    number fits), the head rules read the household summary.
    """
    h, m = "sinergi_release_households", "sinergi_release_members"
    checks = _checks(reference_date)
    _execute(
        con,
        "household keys",
        f"CREATE OR REPLACE TEMP TABLE sinergi_release_hkeys AS SELECT household_id, "
        f"min(_row) AS hh_row, arg_min(kk, _row) AS hh_kk, "
        f"coalesce(regexp_full_match(arg_min(kk, _row), '[0-9]{{16}}'), false) AS hh_kk_ok, "
        f"count(*) AS n FROM {h} WHERE household_id IS NOT NULL GROUP BY 1",
    )
    sex_column = next(c for c in LAYOUTS["members"] if c.name == "sex")
    relationship = next(c for c in LAYOUTS["members"] if c.name == "relationship")
    education = next(c for c in LAYOUTS["members"] if c.name == "education")
    work = next(c for c in LAYOUTS["members"] if c.name == "work_sector")
    birth = _date("t.birth_date")
    derived = ", ".join(
        [f"{expr} AS _nik_{name}" for name, expr in nik_parts("t.nik").items()]
        + [f"{birth} AS _birth", f"{_code(sex_column, 't.sex')} AS _sex"]
        + ["k.hh_row AS _hh_row", "k.hh_kk AS _household_kk", "k.hh_kk_ok AS _household_kk_ok"]
    )
    early = [c for c in checks["members"] if c[1] not in _LATE]
    # The NIK of a clean row: 16 digits of a known kecamatan whose DDMMYY is the birth
    # date (day + 40 for a woman); that implies every NIK rule of nik.py passes.
    ddmmyy = (
        "(day(_birth) + CASE WHEN _sex = 'F' THEN 40 ELSE 0 END) * 10000 "
        "+ month(_birth) * 100 + year(_birth) % 100"
    )
    fast = _fast_path(
        "members",
        reference_date,
        {
            "household_id": "_hh_row IS NOT NULL",
            "kk": "(kk = _household_kk AND _household_kk_ok)",
            "nik": f"(_nik_digits AND _sex IN ('M', 'F') AND _birth IS NOT NULL "
            f"AND TRY_CAST(substr(nik, 7, 6) AS INTEGER) = {ddmmyy} "
            f"AND substr(nik, 1, 6) IN (SELECT prefix FROM sinergi_release_prefixes))",
            "sex": "_sex IN ('M', 'F')",
            "birth_date": "_birth IS NOT NULL"
            + (f" AND _birth <= DATE '{reference_date.isoformat()}'" if reference_date else ""),
        },
    )
    masks, _groups = _masks(early, fast)
    head = f"{_code(relationship, 'relationship')} = 'head'"
    age = _age_sql("_birth", reference_date) if reference_date else "CAST(NULL AS INTEGER)"
    _execute(
        con,
        "member rules",
        f"CREATE OR REPLACE TEMP TABLE sinergi_release_mcheck AS SELECT _row, _hh_row, "
        f"{', '.join(masks)}, coalesce({head}, false) AS _head, "
        f"CASE WHEN _nik_digits THEN CAST(nik AS BIGINT) END AS _nik_key, {age} AS _age, "
        f"CASE WHEN {head} THEN _sex END AS _head_sex, "
        f"CASE WHEN {head} THEN {_code(education, 'education')} END AS _head_education, "
        f"CASE WHEN {head} THEN {_code(work, 'work_sector')} END AS _head_work_sector "
        f"FROM (SELECT t.*, {derived} FROM {m} t "
        f"LEFT JOIN sinergi_release_hkeys k ON t.household_id = k.household_id)",
    )
    mc = "sinergi_release_mcheck"
    _execute(
        con,
        "household summary",
        f"CREATE OR REPLACE TEMP TABLE sinergi_release_household_summary AS SELECT "
        f"_hh_row AS hh_row, count(*) AS persons, count(*) FILTER (WHERE _head) AS heads, "
        f"count(*) FILTER (WHERE _age < {CHILD_AGE}) AS children, "
        f"count(*) FILTER (WHERE _age >= {ELDERLY_AGE}) AS elderly, "
        f"max(_head_sex) AS head_sex, max(_age) FILTER (WHERE _head) AS head_age, "
        f"max(_head_education) AS head_education, max(_head_work_sector) AS head_work_sector "
        f"FROM {mc} WHERE _hh_row IS NOT NULL GROUP BY 1",
    )
    _execute(
        con,
        "duplicate NIKs",
        f"CREATE OR REPLACE TEMP TABLE sinergi_release_dup_nik AS SELECT _nik_key FROM {mc} "
        f"WHERE _nik_key IS NOT NULL GROUP BY 1 HAVING count(*) > 1",
    )
    # Members: the rows with an early bit set, a second head or a repeated NIK.
    late = {
        "several_heads": "_head AND _hh_row IN "
        "(SELECT hh_row FROM sinergi_release_household_summary WHERE heads > 1)",
        "duplicate_nik": "_nik_key IN (SELECT _nik_key FROM sinergi_release_dup_nik)",
    }
    member_rules = early + [c for c in checks["members"] if c[1] in _LATE]
    late_bits = " + ".join(
        f"CASE WHEN coalesce({late[reason]}, false) THEN {1 << bit} ELSE 0 END"
        for bit, (_col, reason, _c) in enumerate(member_rules[len(early) :])
    )
    n_early = len(masks)
    any_early = " OR ".join(f"m{g} <> 0" for g in range(n_early))
    _execute(
        con,
        "flagged members",
        f"CREATE OR REPLACE TEMP TABLE sinergi_release_flagged_members AS "
        f"SELECT * FROM (SELECT _row, _hh_row, {', '.join(f'm{g}' for g in range(n_early))}, "
        f"({late_bits})::BIGINT AS m{n_early} FROM {mc}) "
        f"WHERE {any_early} OR m{n_early} <> 0",
    )
    member_groups = [[(c, r) for c, r, _x in g] for g in _split(early)] + [
        [(c, r) for c, r, _x in member_rules[len(early) :]]
    ]
    # Households: one pass, joined to the (few) repeated ids and the summary.
    fast_h = _fast_path(
        "households",
        reference_date,
        {
            "household_id": "household_id IS NOT NULL AND NOT _dup "
            "AND _persons IS NOT NULL AND _heads <> 0",
            "desa_code": "desa_code IN (SELECT code FROM sinergi_release_desa)",
        },
    )
    masks_h, groups_h = _masks(checks["households"], fast_h)
    any_h = " OR ".join(f"m{g} <> 0" for g in range(len(masks_h)))
    _execute(
        con,
        "household rules",
        f"CREATE OR REPLACE TEMP TABLE sinergi_release_flagged_households AS "
        f"SELECT * FROM (SELECT _row, household_id, {', '.join(masks_h)} FROM ("
        f"SELECT t.*, d.hh_row IS NOT NULL AS _dup, s.persons AS _persons, s.heads AS _heads "
        f"FROM {h} t LEFT JOIN (SELECT household_id, hh_row FROM sinergi_release_hkeys "
        f"WHERE n > 1) d ON t.household_id = d.household_id "
        f"LEFT JOIN sinergi_release_household_summary s ON s.hh_row = coalesce(d.hh_row, t._row)"
        f")) WHERE {any_h}",
    )
    unions = [
        _expand("households", "sinergi_release_flagged_households", groups_h),
        _expand("members", "sinergi_release_flagged_members", member_groups),
    ]
    _execute(
        con,
        "errors",
        "CREATE OR REPLACE TEMP TABLE sinergi_release_errors AS " + " UNION ALL ".join(unions),
    )
    # A household is dropped for an error of its own row or of any of its members (a
    # member points at the first row of its id; a repeated id has every row flagged).
    _execute(
        con,
        "invalid households",
        "CREATE OR REPLACE TEMP TABLE sinergi_release_invalid_households AS "
        "SELECT _row FROM sinergi_release_flagged_households UNION "
        "SELECT _hh_row FROM sinergi_release_flagged_members WHERE _hh_row IS NOT NULL",
    )
    _execute(
        con,
        "invalid members",
        f"CREATE OR REPLACE TEMP TABLE sinergi_release_invalid_members AS "
        f"SELECT _row FROM sinergi_release_flagged_members UNION "
        f"SELECT _row FROM {mc} WHERE _hh_row IN "
        f"(SELECT _row FROM sinergi_release_invalid_households)",
    )
    # The per-member check table is the largest (one row per person): free it before
    # the writer runs, or a national release spills it under the memory cap.
    for table in ("mcheck", "hkeys", "dup_nik"):
        con.execute(f"DROP TABLE IF EXISTS sinergi_release_{table}")


def _execute(con: Any, label: str, sql: str) -> None:
    """Run one step of the validation, logging its time (``-v`` on the CLI shows it)."""
    import time

    start = time.perf_counter()
    con.execute(sql)
    log.debug("validation step %s: %.2f s", label, time.perf_counter() - start)


def _split(checks: list[tuple[str, str, str]]) -> list[list[tuple[str, str, str]]]:
    return [checks[i : i + _MASK_BITS] for i in range(0, len(checks), _MASK_BITS)]


def _expand(file: str, flagged: str, groups: list[list[tuple[str, str]]]) -> str:
    """One error row per bit set in the masks ``m0, m1, ...`` of the flagged rows."""
    rules = ", ".join(
        f"({g}, {bit}, {_lit(col)}, {_lit(reason)})"
        for g, group in enumerate(groups)
        for bit, (col, reason) in enumerate(group)
    )
    cases = " ".join(f"WHEN {g} THEN f.m{g}" for g in range(len(groups)))
    return (
        f"SELECT '{file}' AS file, f._row AS row, r.col, r.reason FROM {flagged} f "
        f"JOIN (VALUES {rules}) r(grp, bit, col, reason) "
        f"ON ((CASE r.grp {cases} END) >> r.bit) & 1 = 1"
    )


def _validate(
    staging: _Staging,
    *,
    desa_codes: Collection[str],
    kecamatan_prefixes: Collection[str],
    reference_date: dt.date | None,
    max_errors: int,
) -> ValidationReport:
    con = staging.con
    if staging.file_errors or len(staging.tables) < 2:
        counts = {
            role: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for role, t in staging.tables.items()
        }
        errors = staging.file_errors
        return ValidationReport(
            errors=list(errors),
            households=int(counts.get("households", 0)),
            members=int(counts.get("members", 0)),
            valid_households=0,
            valid_members=0,
            summary=_summarise(errors),
        )
    import pyarrow as pa

    con.register(
        "sinergi_release_desa_src",
        pa.table({"code": pa.array(sorted(set(desa_codes)), pa.string())}),
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sinergi_release_desa AS SELECT * FROM sinergi_release_desa_src"
    )
    con.register(
        "sinergi_release_prefixes_src",
        pa.table({"prefix": pa.array(normalise_prefixes(kecamatan_prefixes), pa.string())}),
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sinergi_release_prefixes AS SELECT * FROM sinergi_release_prefixes_src"
    )
    _build_errors(con, reference_date)
    h, m = "sinergi_release_households", "sinergi_release_members"
    (households, members, invalid_h, invalid_m, total) = con.execute(
        f"SELECT (SELECT count(*) FROM {h}), (SELECT count(*) FROM {m}), "
        "(SELECT count(*) FROM sinergi_release_invalid_households), "
        "(SELECT count(*) FROM sinergi_release_invalid_members), "
        "(SELECT count(*) FROM sinergi_release_errors)"
    ).fetchall()[0]
    valid_h, valid_m = households - invalid_h, members - invalid_m
    rows = con.execute(
        "SELECT file, row, col, reason FROM sinergi_release_errors "
        "ORDER BY file = 'members', row, col, reason LIMIT ?",
        [max_errors],
    ).fetchall()
    summary = [
        {"file": f, "column": c, "reason": r, "count": int(n)}
        for f, c, r, n in con.execute(
            "SELECT file, col, reason, count(*) FROM sinergi_release_errors "
            "GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2, 3"
        ).fetchall()
    ]
    return ValidationReport(
        errors=[RowError(str(f), int(r), str(c), str(x)) for f, r, c, x in rows],
        households=int(households),
        members=int(members),
        valid_households=int(valid_h),
        valid_members=int(valid_m),
        error_count=int(total),
        summary=summary,
    )


def _summarise(errors: list[RowError]) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str, str], int] = {}
    for e in errors:
        counts[(e.file, e.column, e.reason)] = counts.get((e.file, e.column, e.reason), 0) + 1
    return [{"file": f, "column": c, "reason": r, "count": n} for (f, c, r), n in counts.items()]


@contextlib.contextmanager
def _staged(
    households: Path,
    members: Path,
    engine: str | Engine,
    max_bytes: int | None,
    spill_parent: Path | None = None,
) -> Iterator[_Staging]:
    _remove_orphan_spills(spill_parent)
    # mkdtemp makes the folder readable by its owner only (0700): its spill files may
    # hold clear numbers while the import runs.
    spill = Path(tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=spill_parent))
    (spill / SPILL_OWNER).write_text(str(os.getpid()))
    eng = get_engine(engine)  # type: ignore[arg-type]
    own = isinstance(engine, str)
    callers = eng.connection if isinstance(eng, DuckDBEngine) and not own else None
    previous: str | None = None
    if callers is not None:
        # A caller's connection: put its spill directory back afterwards, or its next
        # query would spill into the folder deleted below.
        row = callers.execute("SELECT current_setting('temp_directory')").fetchone()
        previous = str(row[0]) if row else ""
    try:
        if own and isinstance(eng, DuckDBEngine):
            # Our own connection: cap it so a national release spills to the private
            # directory instead of growing past the machine (the benchmark's 8 GB).
            eng.connection.execute(f"SET memory_limit = {_lit(MEMORY_LIMIT)}")
        staging = _Staging(eng, spill)
        staging.load("households", Path(households), max_bytes)
        staging.load("members", Path(members), max_bytes)
        yield staging
    finally:
        if callers is not None and previous is not None:
            callers.execute(f"SET temp_directory = {_lit(previous)}")
        shutil.rmtree(spill, ignore_errors=True)


SPILL_PREFIX = ".sinergi-spill-"
SPILL_OWNER = "owner.pid"


def _remove_orphan_spills(parent: Path | None) -> None:
    """Delete spill folders left by an import that was killed (its process is gone):
    they may hold clear NIK and KK numbers (UU 27/2022), so they never outlive the
    next import."""
    base = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    for folder in base.glob(SPILL_PREFIX + "*"):
        try:
            pid = int((folder / SPILL_OWNER).read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)  # its import is gone
        except (OSError, ValueError):
            continue  # not ours to judge (no owner file yet, or another user's process)


def validate_release(
    households: Path,
    members: Path,
    *,
    desa_codes: Collection[str],
    kecamatan_prefixes: Collection[str],
    engine: str | Engine = "duckdb",
    max_errors: int = 10_000,
    reference_date: dt.date | None = None,
    max_bytes: int | None = None,
) -> ValidationReport:
    """Check a whole release and report every bad value (nothing is written).

    Parameters
    ----------
    households, members
        The two files (``.csv``, ``.xlsx`` or ``.parquet``) in the layout of
        :mod:`sinergi.targeting.schema`.
    desa_codes
        The desa codes of the hierarchy (``16.07.05.2001``).
    kecamatan_prefixes
        Kecamatan codes (``16.07.05``) or NIK prefixes (``160705``).
    max_errors
        How many error rows to keep in the report (the count and summary are complete).
    reference_date
        When given, a birth date after it is an error.
    max_bytes
        A file larger than this is refused before it is read.
    """
    with _staged(households, members, engine, max_bytes) as staging:
        return _validate(
            staging,
            desa_codes=desa_codes,
            kecamatan_prefixes=kecamatan_prefixes,
            reference_date=reference_date,
            max_errors=max_errors,
        )


# --------------------------------------------------------------------------- writing


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _typed(column: Column, x: str) -> str:
    """The stored value of input text ``x`` for ``column``, by its kind (one rule for
    both files)."""
    if column.kind == "number":
        return _num(x)
    if column.kind == "flag":
        return f"CAST({_flag(x)} AS INTEGER)"
    if column.kind == "int":
        return f"CAST({_num(x)} AS INTEGER)"
    if column.kind == "code":
        return _code(column, x)
    return x


def _household_select(p: Pseudonymiser, all_valid: bool = False) -> str:
    h = "sinergi_release_households"
    parts = [
        "hh.household_id",
        "hh._hash AS kk_hash",
        f"{mask_sql('hh.kk')} AS kk_masked",
        "hh._enc AS kk_enc",
    ]
    for column in LAYOUTS["households"]:
        x = f"hh.{column.name}"
        if column.name in ("household_id", "kk"):
            continue
        parts.append(f"{_typed(column, x)} AS {column.name}")
    parts += [
        "substr(hh.desa_code, 1, 8) AS kecamatan_code",
        "substr(hh.desa_code, 1, 5) AS regency_code",
        "substr(hh.desa_code, 1, 2) AS province_code",
        "CAST(coalesce(s.persons, 0) AS INTEGER) AS persons",
        "CAST(NULL AS DOUBLE) AS score",
        "CAST(NULL AS INTEGER) AS model_decile",
    ]
    # The member summary the PMT reads (schema.STORED_HOUSEHOLD_SUMMARY), computed once
    # here so that scoring reads the households only; the head's values need exactly
    # one head (always so in a stored release).
    parts += [
        "CAST(coalesce(s.children, 0) AS INTEGER) AS children",
        "CAST(coalesce(s.elderly, 0) AS INTEGER) AS elderly",
        *(
            f"CASE WHEN s.heads = 1 THEN {cast.format(f's.{c}')} END AS {c}"
            for c, cast in (
                ("head_sex", "{}"),
                ("head_age", "CAST({} AS INTEGER)"),
                ("head_education", "{}"),
                ("head_work_sector", "{}"),
            )
        ),
    ]
    kept = (
        "true"
        if all_valid  # nothing to filter: skip the anti-join
        else "hh._row NOT IN (SELECT _row FROM sinergi_release_invalid_households)"
    )
    # No ORDER BY: with insertion order preserved the rows keep the input's order.
    return (
        f"SELECT {', '.join(parts)} FROM {h}_x hh "
        f"LEFT JOIN sinergi_release_household_summary s ON s.hh_row = hh._row WHERE {kept}"
    )


def _member_select(p: Pseudonymiser, reference_date: dt.date, all_valid: bool = False) -> str:
    m = "sinergi_release_members"
    birth = _date("mm.birth_date")
    parts = [
        "mm.household_id",
        "mm._hash AS nik_hash",
        f"{mask_sql('mm.nik')} AS nik_masked",
        "mm._enc AS nik_enc",
        "mm.full_name",
    ]
    for column in LAYOUTS["members"]:
        if column.name in ("household_id", "kk", "nik", "full_name"):
            continue
        x = f"mm.{column.name}"
        value = birth if column.kind == "date" else _typed(column, x)
        parts.append(f"{value} AS {column.name}")
    parts.append(f"{_age_sql(birth, reference_date)} AS age")
    kept = (
        "true" if all_valid else "mm._row NOT IN (SELECT _row FROM sinergi_release_invalid_members)"
    )
    return f"SELECT {', '.join(parts)} FROM {m}_x mm WHERE {kept}"


class _BackgroundEncryption:
    """Hash and encrypt the staged KK and NIK columns in a Python thread while DuckDB validates.

    AES-GCM per value is the one step DuckDB cannot do; run inside the query as a
    Python function it would hold the GIL in the middle of the pipeline (measured:
    twice the cost of the same loop outside). Here the numbers are fetched once
    (in staging order, with their row numbers) and hashed
    (:meth:`Pseudonymiser.hash_array`: HMAC with precomputed key states, equal to
    :meth:`Pseudonymiser.hash_sql` and several times cheaper than it) and encrypted
    (:meth:`Pseudonymiser.encrypt_array`) chunk by chunk while the
    engine, which releases the GIL, checks the release on its own threads. Results are joined back by position, and the row numbers are
    compared so a misalignment stops the write.
    """

    CHUNK = 262_144

    def __init__(self, con: Any, pseudonymiser: Pseudonymiser, workdir: Path) -> None:
        import threading

        self._workdir = workdir

        self._inputs = {
            role: con.sql(f"SELECT _row, {column} FROM sinergi_release_{role}").to_arrow_table()
            for role, column in (("households", "kk"), ("members", "nik"))
        }
        self._pseudonymiser = pseudonymiser
        self._tokens: dict[str, Path] = {}
        self._error: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name="sinergi-pii-encrypt", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Results go to Parquet in the private work directory chunk by chunk, so the
        # Python heap holds one chunk at a time (hashes and tokens only, never clear).
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema(
            [("_row_token", pa.int64()), ("_enc", pa.string()), ("_hash", pa.string())]
        )
        try:
            for role in list(self._inputs):
                table = self._inputs.pop(role)
                rows, numbers = table.column(0), table.column(1)
                path = self._workdir / f"{role}_tokens.parquet"
                with pq.ParquetWriter(path, schema, compression="none") as writer:
                    for offset in range(0, len(numbers), self.CHUNK):
                        if self._cancelled:
                            return
                        part = numbers.slice(offset, self.CHUNK)
                        writer.write_table(
                            pa.table(
                                {
                                    "_row_token": rows.slice(offset, self.CHUNK),
                                    "_enc": self._pseudonymiser.encrypt_array(part),
                                    "_hash": self._pseudonymiser.hash_array(part),
                                },
                                schema=schema,
                            )
                        )
                self._tokens[role] = path
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc

    def cancel(self) -> None:
        self._cancelled = True
        self._thread.join()

    def attach(self, con: Any) -> None:
        """Expose ``sinergi_release_<role>_x``: the staged rows with their token as ``_enc``."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        for role, path in self._tokens.items():
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW sinergi_release_{role}_tokens AS "
                f"SELECT * FROM read_parquet({_lit(str(path))})"
            )
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW sinergi_release_{role}_x AS SELECT t.*, "
                f"CASE WHEN t._row = k._row_token THEN k._enc "
                f"ELSE error('encrypted tokens out of order') END AS _enc, k._hash AS _hash "
                f"FROM sinergi_release_{role} t POSITIONAL JOIN sinergi_release_{role}_tokens k"
            )


def _register_encryption(con: Any, pseudonymiser: Pseudonymiser) -> None:
    import pyarrow as pa

    def encrypt(values: Any) -> Any:
        return pa.array(pseudonymiser.encrypt_many(values.to_pylist()), pa.string())

    with contextlib.suppress(Exception):
        con.remove_function("sinergi_pii_encrypt")
    con.create_function(
        "sinergi_pii_encrypt", encrypt, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=True
    )


def write_release(
    households: Path,
    members: Path,
    dest: Path,
    *,
    name: str,
    reference_date: dt.date,
    pseudonymiser: Pseudonymiser,
    desa_codes: Collection[str],
    kecamatan_prefixes: Collection[str],
    valid_only: bool = False,
    synthetic: bool = False,
    engine: str | Engine = "duckdb",
    progress: Progress | None = None,
    max_errors: int = 10_000,
    max_bytes: int | None = None,
    report_out: list[ValidationReport] | None = None,
) -> ReleaseManifest:
    """Validate a release, then store it pseudonymised and immutable in ``dest``.

    Nothing is written unless the whole release is valid, or ``valid_only``
    is set and at least one household is valid (then only the valid households
    and their members are kept). Raises :class:`ReleaseInvalid` (its
    ``report`` says why) or :class:`FileExistsError` if ``dest`` exists.
    ``report_out``, when given, receives the validation report.
    """
    dest = Path(dest)
    step = progress or (lambda _step: None)
    if dest.exists():
        raise FileExistsError(f"release directory {dest} already exists (releases are immutable)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    step("reading")
    with _staged(households, members, engine, max_bytes, spill_parent=dest.parent) as staging:
        encryption = (
            _BackgroundEncryption(staging.con, pseudonymiser, staging.workdir)
            if not staging.file_errors and len(staging.tables) == 2
            else None
        )
        step("validating")
        report = _validate(
            staging,
            desa_codes=desa_codes,
            kecamatan_prefixes=kecamatan_prefixes,
            reference_date=reference_date,
            max_errors=max_errors,
        )
        if report_out is not None:
            report_out.append(report)
        if staging.file_errors:
            raise InputFileError(report)
        assert encryption is not None
        if not report.ok() and (not valid_only or report.valid_households == 0):
            encryption.cancel()
            raise ReleaseInvalid(report)
        con = staging.con
        con.execute("SET preserve_insertion_order = true")
        step("encrypting")
        encryption.attach(con)
        tmp = dest.parent / f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            step("writing households")
            con.execute(
                f"COPY ({_household_select(pseudonymiser, report.ok())}) TO {_lit(str(tmp / 'households.parquet'))} "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            step("writing members")
            con.execute(
                f"COPY ({_member_select(pseudonymiser, reference_date, report.ok())}) TO "
                f"{_lit(str(tmp / 'members.parquet'))} (FORMAT parquet, COMPRESSION zstd)"
            )
            step("sealing")
            manifest = ReleaseManifest(
                name=name,
                slug=dest.name,
                reference_date=reference_date,
                households=report.valid_households,
                members=report.valid_members,
                sha256={f"{f}.parquet": _sha256(tmp / f"{f}.parquet") for f in FILES},
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                schema_version=SCHEMA_VERSION,
                synthetic=synthetic,
                path=dest,
                skipped_households=report.households - report.valid_households,
                skipped_members=report.members - report.valid_members,
            )
            (tmp / "manifest.json").write_text(manifest.to_json())
            for f in tmp.iterdir():
                f.chmod(0o444)
            os.rename(tmp, dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    log.info(
        "release %s written: %d households, %d members",
        dest.name,
        manifest.households,
        manifest.members,
    )
    return manifest


def read_release(dest: Path, *, verify: bool = False) -> ReleaseManifest:
    """The manifest of a stored release; ``verify`` also checks every file's SHA-256."""
    dest = Path(dest)
    data = json.loads((dest / "manifest.json").read_text())
    manifest = ReleaseManifest(
        name=data["name"],
        slug=data["slug"],
        reference_date=dt.date.fromisoformat(data["reference_date"]),
        households=int(data["households"]),
        members=int(data["members"]),
        sha256=dict(data["sha256"]),
        created_at=data["created_at"],
        schema_version=int(data["schema_version"]),
        synthetic=bool(data["synthetic"]),
        path=dest,
        skipped_households=int(data.get("skipped_households", 0)),
        skipped_members=int(data.get("skipped_members", 0)),
    )
    if verify:
        for file, digest in manifest.sha256.items():
            if _sha256(dest / file) != digest:
                raise ValueError(f"{file} of release {manifest.slug} does not match its manifest")
    return manifest


SCORES_FILE = "scores.parquet"


def write_scores(dest: Path, table: pa.Table, model_version: str) -> Path:
    """Store a release's scores (``household_id, score, model_decile``) as ``scores.parquet``.

    The release's own files stay untouched; the scores file is written beside
    them under a temporary name and renamed over any previous one.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    missing = {"household_id", "score", "model_decile"} - set(table.column_names)
    if missing:
        raise ValueError(f"scores need the columns {sorted(missing)}")
    out = table.select(["household_id", "score", "model_decile"]).append_column(
        "model_version", pa.array([model_version] * table.num_rows, pa.string())
    )
    dest = Path(dest)
    tmp = dest / f".{SCORES_FILE}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        pq.write_table(out, tmp, compression="zstd")
        os.replace(tmp, dest / SCORES_FILE)
    finally:
        tmp.unlink(missing_ok=True)
    return dest / SCORES_FILE


def read_scores(dest: Path) -> pa.Table | None:
    """The release's ``scores.parquet``, or ``None`` before it is scored."""
    import pyarrow.parquet as pq

    path = Path(dest) / SCORES_FILE
    return pq.read_table(path) if path.exists() else None


def rekey_release(dest: Path, old: Pseudonymiser, new: Pseudonymiser) -> ReleaseManifest:
    """Rewrite a stored release under new keys (hash and encryption), atomically.

    Tokens are decrypted with ``old`` inside the engine and re-hashed and
    re-encrypted with ``new``; the clear numbers never reach a file. The new
    files are written to a temporary directory that then replaces ``dest``.
    ``scores.parquet`` (no personal numbers) is carried over unchanged.
    """
    import duckdb
    import pyarrow as pa

    dest = Path(dest)
    manifest = read_release(dest, verify=True)
    con = duckdb.connect()
    _register_encryption(con, new)

    def decrypt(values: Any) -> Any:
        return pa.array(
            [None if v is None else old.decrypt(v) for v in values.to_pylist()], pa.string()
        )

    con.create_function(  # type: ignore[call-overload]  # duckdb's stubs want the enum
        "sinergi_pii_decrypt", decrypt, ["VARCHAR"], "VARCHAR", type="arrow"
    )
    tmp = dest.parent / f".{dest.name}.rekey-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for file, prefix in (("households", "kk"), ("members", "nik")):
            src = _lit(str(dest / f"{file}.parquet"))
            clear = f"sinergi_pii_decrypt({prefix}_enc)"
            con.execute(
                f"COPY (SELECT * REPLACE ({new.hash_sql(clear)} AS {prefix}_hash, "
                f"sinergi_pii_encrypt({clear}) AS {prefix}_enc) FROM read_parquet({src})) "
                f"TO {_lit(str(tmp / f'{file}.parquet'))} (FORMAT parquet, COMPRESSION zstd)"
            )
        if (dest / SCORES_FILE).exists():
            shutil.copy2(dest / SCORES_FILE, tmp / SCORES_FILE)
        fresh = ReleaseManifest(
            **{
                **{k: getattr(manifest, k) for k in manifest.__dataclass_fields__},
                "sha256": {f"{f}.parquet": _sha256(tmp / f"{f}.parquet") for f in FILES},
            }
        )
        (tmp / "manifest.json").write_text(fresh.to_json())
        retired = dest.parent / f".{dest.name}.retired-{uuid.uuid4().hex[:8]}"
        os.rename(dest, retired)
        os.rename(tmp, dest)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return fresh
