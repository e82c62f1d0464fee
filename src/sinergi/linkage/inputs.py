"""Reading and checking the record files a linkage runs on (CSV, Parquet, XLSX or a table).

A linkage input is one row per record with an id column and any of the
columns :data:`RECOGNISED` (others are ignored). The whole file is checked
before anything runs, and every problem names the data row (the header is row
1), the column and the reason; no error message repeats a NIK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["RECOGNISED", "LinkageInputError", "RowProblem", "read_records"]

RECOGNISED = ("nik", "nik_hash", "full_name", "birth_date", "sex", "address", "region_code")
"""The columns a linkage compares (each optional, each may be empty)."""

_MAX_LISTED = 20


@dataclass(frozen=True)
class RowProblem:
    """One bad value: which data row (header = row 1), which column, why."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row else ""
        return f"{where}column {self.column}: {self.reason}"


class LinkageInputError(ValueError):
    """An input that cannot be linked; ``problems`` lists what is wrong, row by row."""

    def __init__(self, problems: Sequence[RowProblem], *, label: str = "input") -> None:
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:_MAX_LISTED])
        more = len(self.problems) - _MAX_LISTED
        suffix = f"; and {more} more" if more > 0 else ""
        super().__init__(f"{label}: {shown}{suffix}")


def _read_xlsx(path: Path) -> pa.Table:
    import openpyxl
    import pyarrow as pa

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return pa.table({})
        names = [
            str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)
        ]
        columns: list[list[Any]] = [[] for _ in names]
        for row in rows:
            if row is None or all(v is None or str(v).strip() == "" for v in row):
                continue
            for i in range(len(names)):
                value = row[i] if i < len(row) else None
                columns[i].append(_cell_text(value))
        return pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)})
    finally:
        book.close()


def _cell_text(value: Any) -> str | None:
    """An XLSX cell as text: dates ISO, whole numbers without ``.0`` (ids, NIK)."""
    from datetime import date, datetime

    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_records(source: Any, *, label: str = "input") -> pa.Table:
    """The records of ``source``: a ``pyarrow.Table`` or a CSV, Parquet or XLSX path.

    CSV is read as text throughout (a NIK or an id keeps its leading zeros).

    Examples
    --------
    >>> import pyarrow as pa
    >>> read_records(pa.table({"id": [1]})).num_rows
    1
    >>> read_records("nowhere.csv")
    Traceback (most recent call last):
    ...
    sinergi.linkage.inputs.LinkageInputError: input: column (file): file not found: nowhere.csv
    """
    import pyarrow as pa

    if isinstance(source, pa.Table):
        return source
    if type(source).__module__.startswith("pandas"):
        return pa.Table.from_pandas(source, preserve_index=False)
    if not isinstance(source, (str, PathLike)):
        raise TypeError(f"cannot read {type(source).__name__}: pass a pyarrow.Table or a path")
    path = Path(source)
    if not path.exists():
        raise LinkageInputError([RowProblem(0, "(file)", f"file not found: {path}")], label=label)
    suffix = path.suffix.lower()
    try:
        if path.is_dir() or suffix in (".parquet", ".pq", ".parq"):
            import pyarrow.parquet as pq

            return pq.read_table(path)
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        if suffix in (".csv", ".txt", ".tsv"):
            import csv

            import pyarrow.csv as pacsv

            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = handle.readline()
            delimiter = (
                "\t"
                if suffix == ".tsv"
                else (";" if header.count(";") > header.count(",") else ",")
            )
            names = next(csv.reader([header], delimiter=delimiter), [])
            return pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(encoding="utf-8-sig"),
                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=True,
                ),
            )
    except (pa.ArrowInvalid, OSError, ValueError) as exc:
        raise LinkageInputError(
            [RowProblem(0, "(file)", f"cannot read {path.name}: {exc}")], label=label
        ) from None
    raise LinkageInputError(
        [
            RowProblem(
                0, "(file)", f"unsupported file type {suffix or '(none)'}: use CSV, Parquet or XLSX"
            )
        ],
        label=label,
    )
