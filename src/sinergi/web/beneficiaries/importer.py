"""Reading a stakeholder's beneficiary list in its own layout, and checking it whole.

A list arrives as CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or XLSX,
with the source's own headers. The user maps each Sinergi field to one of those
headers (:data:`FIELDS`; :func:`suggest_mapping` proposes a mapping from common
Indonesian headers). :func:`validate` checks every row and returns the clean rows
and every problem (row, column, reason code: never the NIK itself). A malformed
NIK is not fatal: the row is kept and matched without it. NIK and KK leave this
module only as a keyed hash and a masked form.

This module reads files and the values given to it; it does not touch the
database (the region lookup is passed in as :class:`Regions`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.targeting.nik import mask
from sinergi.targeting.pseudonym import Pseudonymiser

# --- the fields of a list -----------------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    required: bool
    synonyms: tuple[str, ...]


FIELDS: tuple[Field, ...] = (
    Field(
        "source_id",
        gettext_lazy("Row id in the source"),
        True,
        (
            "id",
            "no",
            "nomor",
            "no urut",
            "nomor urut",
            "id penerima",
            "id kpm",
            "no kpm",
            "id peserta",
            "no peserta",
            "nomor peserta",
            "id debitur",
            "no rekening",
            "kode",
            "source id",
            "row id",
        ),
    ),
    Field(
        "nik",
        gettext_lazy("NIK"),
        False,
        ("nik", "no nik", "nomor nik", "nik penerima", "nik kpm", "nik peserta", "no ktp", "ktp"),
    ),
    Field(
        "full_name",
        gettext_lazy("Full name"),
        True,
        (
            "nama",
            "nama lengkap",
            "nama penerima",
            "nama kpm",
            "nama peserta",
            "nama debitur",
            "nama siswa",
            "full name",
            "name",
        ),
    ),
    Field(
        "birth_date",
        gettext_lazy("Birth date"),
        False,
        (
            "tgl lahir",
            "tanggal lahir",
            "tgl. lahir",
            "tgllahir",
            "tanggal_lahir",
            "tgl_lahir",
            "birth date",
            "date of birth",
            "dob",
        ),
    ),
    Field(
        "sex",
        gettext_lazy("Sex"),
        False,
        ("jk", "jenis kelamin", "kelamin", "l/p", "jns kelamin", "gender", "sex"),
    ),
    Field(
        "address",
        gettext_lazy("Address"),
        False,
        ("alamat", "alamat lengkap", "alamat domisili", "address", "jalan", "dusun"),
    ),
    Field(
        "region_code",
        gettext_lazy("Desa or kecamatan"),
        False,
        (
            "kode desa",
            "kode kelurahan",
            "kode desa/kelurahan",
            "desa/kelurahan",
            "desa",
            "kelurahan",
            "nama desa",
            "kode wilayah",
            "kode kecamatan",
            "kecamatan",
            "region code",
            "desa code",
        ),
    ),
    Field(
        "kk",
        gettext_lazy("KK number"),
        False,
        ("no kk", "nomor kk", "kk", "no. kk", "nkk", "nomor kartu keluarga", "kartu keluarga"),
    ),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
REQUIRED = tuple(f.key for f in FIELDS if f.required)
#: How long a source row id may be (it is stored with each match).
MAX_ID_LENGTH = 64

# Reason codes of the report and their text (translated when shown).
REASONS: dict[str, Any] = {
    "file_empty": gettext_lazy("The file is empty."),
    "file_header_only": gettext_lazy("The file has a header row but no data rows."),
    "file_too_large": gettext_lazy("The file is larger than %(mb)s MB."),
    "file_unreadable": gettext_lazy(
        "The file cannot be read as %(kind)s (it may be another kind of file renamed)."
    ),
    "file_kind": gettext_lazy("Use a .csv or .xlsx file."),
    "file_no_columns": gettext_lazy("The header row has no column names."),
    "mapping_missing": gettext_lazy("Choose the column that holds “%(field)s”."),
    "mapping_unknown": gettext_lazy(
        "The file has no column “%(header)s” (chosen for “%(field)s”)."
    ),
    "mapping_twice": gettext_lazy("The column “%(header)s” is chosen for two fields."),
    "required": gettext_lazy("empty; it is required"),
    "duplicate_id": gettext_lazy("the same row id as row %(first)s"),
    "id_too_long": gettext_lazy("longer than 64 characters"),
    "bad_date": gettext_lazy("not a date (use YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY)"),
    "future_date": gettext_lazy("a birth date in the future"),
    "old_date": gettext_lazy("a birth date before 1900"),
    "bad_sex": gettext_lazy("not a sex (use L/P, M/F, Laki-laki/Perempuan)"),
    "nik_invalid": gettext_lazy(
        "not a valid NIK (16 digits with a birth date); matched without it"
    ),
    "kk_invalid": gettext_lazy("not a valid KK number (16 digits); left out"),
    "region_unknown": gettext_lazy("no desa or kecamatan with this code"),
    "region_outside": gettext_lazy("a desa or kecamatan outside the programme's area"),
    "region_name_unknown": gettext_lazy("no desa of this name in the programme's area"),
    "region_name_ambiguous": gettext_lazy(
        "several desa of this name in the programme's area; left empty"
    ),
}


def describe(reason: str, **params: Any) -> str:
    """The text of a reason code in the active language."""
    text = REASONS.get(reason)
    if text is None:
        return reason
    return str(text) % params if params else str(text)


class FileRefused(Exception):
    """The file cannot be read at all (empty, too large, not a CSV/XLSX, no header)."""

    def __init__(self, reason: str, **params: Any) -> None:
        self.reason, self.params = reason, params
        super().__init__(describe(reason, **params))


class MappingInvalid(Exception):
    """The column mapping names a missing column, leaves a required field out, or is ambiguous."""

    def __init__(self, problems: list[tuple[str, dict[str, Any]]]) -> None:
        self.problems = problems
        super().__init__("; ".join(describe(r, **p) for r, p in problems))

    @property
    def messages(self) -> list[str]:
        return [describe(r, **p) for r, p in self.problems]


# --- reading ------------------------------------------------------------------------


@dataclass
class RawTable:
    """A file's header and rows as read (cells as text, XLSX dates and numbers kept typed)."""

    headers: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]  # the row number in the file (the header is row 1)

    def column(self, header: str) -> list[Any]:
        i = self.headers.index(header)
        return [r[i] if i < len(r) else None for r in self.rows]

    def samples(self, n: int = 3) -> dict[str, list[Any]]:
        """The first non-empty values of each column (for the mapping step)."""
        out: dict[str, list[Any]] = {}
        for i, h in enumerate(self.headers):
            values: list[Any] = []
            for r in self.rows:
                v = r[i] if i < len(r) else None
                if v is not None and str(v).strip():
                    values.append(v)
                    if len(values) == n:
                        break
            out[h] = values
        return out


def _unique_headers(raw: Iterable[Any]) -> list[str]:
    names: list[str] = []
    for i, h in enumerate(raw, start=1):
        name = str(h).strip() if h is not None else ""
        name = name.lstrip("\ufeff") or _("Column %(n)s") % {"n": i}
        base, k = name, 2
        while name in names:
            name = f"{base} ({k})"
            k += 1
        names.append(name)
    return names


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> RawTable:
    text = _decode(path.read_bytes())
    if not text.strip():
        raise FileRefused("file_empty")
    if "\x00" in text[:4096]:
        raise FileRefused("file_unreadable", kind="CSV")
    first = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    header: list[str] | None = None
    rows: list[list[Any]] = []
    numbers: list[int] = []
    try:
        for record in reader:
            if header is None:
                if not any(c.strip() for c in record):
                    continue
                header = _unique_headers(record)
                continue
            if not any(c.strip() for c in record):
                continue
            rows.append([c.strip() or None for c in record])
            numbers.append(reader.line_num)
    except csv.Error:
        raise FileRefused("file_unreadable", kind="CSV") from None
    if header is None:
        raise FileRefused("file_empty")
    return RawTable(header, rows, numbers)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _read_xlsx(path: Path) -> RawTable:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise FileRefused("file_unreadable", kind="XLSX") from None
    try:
        if not book.worksheets:
            raise FileRefused("file_empty")
        it = book.worksheets[0].iter_rows(values_only=True)
        header: list[str] | None = None
        rows: list[list[Any]] = []
        numbers: list[int] = []
        for index, row in enumerate(it, start=1):
            values = [_xlsx_value(v) for v in (row or ())]
            if not any(v is not None for v in values):
                continue
            if header is None:
                header = _unique_headers(values)
                header_row = index
                continue
            rows.append(values)
            numbers.append(index)
    finally:
        book.close()
    if header is None:
        raise FileRefused("file_empty")
    del header_row
    # Trailing unnamed columns with nothing in them (a common XLSX artefact).
    width = len(header)
    while width and header[width - 1].startswith(_("Column %(n)s") % {"n": width}):
        if any(len(r) >= width and r[width - 1] is not None for r in rows):
            break
        width -= 1
    return RawTable(header[:width], [r[:width] for r in rows], numbers)


def read_file(path: Path, *, max_bytes: int | None = None) -> RawTable:
    """The header and rows of a CSV or XLSX list; :class:`FileRefused` when unreadable."""
    path = Path(path)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise FileRefused("file_too_large", mb=max_bytes // (1024 * 1024))
    if size == 0:
        raise FileRefused("file_empty")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        table = _read_csv(path)
    else:
        raise FileRefused("file_kind")
    if not table.headers:
        raise FileRefused("file_no_columns")
    if not table.rows:
        raise FileRefused("file_header_only")
    return table


# --- mapping ------------------------------------------------------------------------


def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[_\-.:]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def suggest_mapping(
    headers: Iterable[str], saved: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A mapping field -> header: the saved one where its headers still exist, else guessed
    from the header names (exact synonyms first, then a header containing one)."""
    headers = list(headers)
    out: dict[str, str] = {}
    used: set[str] = set()
    if saved:
        for key, header in saved.items():
            if key in FIELD_BY_KEY and header in headers and header not in used:
                out[key] = header
                used.add(header)
    normed = {h: _norm_header(h) for h in headers}
    synonyms = {f.key: {_norm_header(s) for s in f.synonyms} for f in FIELDS}
    # Exact header names first (for every field), then a header containing a name.
    for f in FIELDS:
        if f.key in out:
            continue
        hit = next((h for h in headers if h not in used and normed[h] in synonyms[f.key]), None)
        if hit is not None:
            out[f.key] = hit
            used.add(hit)
    for f in FIELDS:
        if f.key in out or f.key in ("source_id", "kk", "nik"):
            continue
        hit = next(
            (
                h
                for h in headers
                if h not in used and any(s in normed[h] for s in synonyms[f.key] if len(s) > 3)
            ),
            None,
        )
        if hit is not None:
            out[f.key] = hit
            used.add(hit)
    return out


def check_mapping(mapping: Mapping[str, str], headers: list[str]) -> dict[str, str]:
    """The mapping without empty choices; :class:`MappingInvalid` when it cannot be used."""
    clean = {k: v for k, v in mapping.items() if k in FIELD_BY_KEY and v}
    problems: list[tuple[str, dict[str, Any]]] = []
    for key in REQUIRED:
        if key not in clean:
            problems.append(("mapping_missing", {"field": str(FIELD_BY_KEY[key].label)}))
    seen: dict[str, str] = {}
    for key, header in clean.items():
        if header not in headers:
            problems.append(
                ("mapping_unknown", {"header": header, "field": str(FIELD_BY_KEY[key].label)})
            )
        elif header in seen:
            problems.append(("mapping_twice", {"header": header}))
        seen[header] = key
    if problems:
        raise MappingInvalid(problems)
    return clean


# --- cell parsers -------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),
)


def parse_date(value: Any) -> dt.date | None:
    """A birth date from a cell: ``YYYY-MM-DD``, ``DD-MM-YYYY``, ``DD/MM/YYYY`` or an Excel
    date (typed cell or serial number); ``ValueError`` when it is none of these.

    >>> parse_date("17/08/1945"), parse_date("1945-08-17"), parse_date(16666)
    (datetime.date(1945, 8, 17), datetime.date(1945, 8, 17), datetime.date(1945, 8, 17))
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError("serial out of range")
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
            return dt.date(parts["y"], parts["m"], parts["d"])
    raise ValueError("not a date")


_SEX = {
    "l": "M",
    "lk": "M",
    "laki": "M",
    "laki-laki": "M",
    "laki laki": "M",
    "pria": "M",
    "m": "M",
    "male": "M",
    "1": "M",
    "p": "F",
    "pr": "F",
    "perempuan": "F",
    "wanita": "F",
    "f": "F",
    "female": "F",
    "w": "F",
    "2": "F",
}


def parse_sex(value: Any) -> str | None:
    """``M``/``F`` from the ways lists write it; ``ValueError`` when unknown."""
    if value is None:
        return None
    text = str(value).strip().lower().rstrip(".")
    if not text:
        return None
    if text in _SEX:
        return _SEX[text]
    raise ValueError("unknown sex")


def _digits(value: Any) -> str | None:
    """A number cell as its digits (spaces, dots, dashes and a leading apostrophe dropped;
    an XLSX number keeps all its digits)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"[\s.\-']", "", str(value))
    return text or None


def nik_is_valid(nik: str) -> bool:
    """16 digits holding a real day (women + 40) and month."""
    if not re.fullmatch(r"[0-9]{16}", nik):
        return False
    day, month = int(nik[6:8]), int(nik[8:10])
    day = day - 40 if day > 40 else day
    return 1 <= month <= 12 and 1 <= day <= 31 and nik[:2] != "00"


def _plain_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


# --- regions ------------------------------------------------------------------------


def _norm_place(text: str) -> str:
    text = _norm_header(text)
    return re.sub(r"^(desa|kelurahan|kel|ds)\s+", "", text)


@dataclass
class Regions:
    """The desa and kecamatan of a programme's area, to resolve a list's region column.

    ``codes`` maps a dotted code to its level (``district`` or ``village``); ``desa_names``
    maps a desa name (as written in the hierarchy) to its codes.
    """

    area: str
    codes: dict[str, str]
    desa_names: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names: dict[str, list[str]] = {}
        for name, codes in self.desa_names.items():
            names.setdefault(_norm_place(name), []).extend(codes)
        self._names = names
        self._undotted = {c.replace(".", ""): c for c in self.codes}

    def resolve(self, value: Any) -> tuple[str | None, str | None]:
        """``(code, problem)``: a dotted or undotted desa/kecamatan code, or a desa name."""
        text = _plain_text(value)
        if text is None:
            return None, None
        compact = re.sub(r"[\s.]", "", text)
        if compact.isdigit():
            code = self._undotted.get(compact)
            if code is not None:
                return code, None
            return None, "region_unknown" if not self._outside(compact) else "region_outside"
        names = self._names.get(_norm_place(text))
        if not names:
            return None, "region_name_unknown"
        if len(set(names)) > 1:
            return None, "region_name_ambiguous"
        return names[0], None

    def _outside(self, compact: str) -> bool:
        area = self.area.replace(".", "")
        return len(compact) in (6, 10) and not compact.startswith(area)


# --- validation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem of one row: ``row`` (file row number), the source ``column`` header,
    the Sinergi ``field``, a ``reason`` code, and whether it rejects the row."""

    row: int
    column: str
    field: str
    reason: str
    fatal: bool = True
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return describe(self.reason, **self.params)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "reason": self.reason,
            "fatal": self.fatal,
        }
        if self.params:
            out["params"] = self.params
        return out


@dataclass
class Validation:
    """The outcome of :func:`validate`: the clean rows (valid ones only), every problem and
    the counts the report shows."""

    rows: list[dict[str, Any]]
    problems: list[Problem]
    total: int
    counts: dict[str, int]

    @property
    def error_rows(self) -> int:
        return self.counts["error_rows"]

    @property
    def ok(self) -> bool:
        return self.counts["error_rows"] == 0


def validate(
    table: RawTable,
    mapping: Mapping[str, str],
    *,
    pseudonymiser: Pseudonymiser,
    regions: Regions | None = None,
    today: dt.date | None = None,
) -> Validation:
    """Check every row of ``table`` under ``mapping`` (field -> header).

    Returns the valid rows as dicts with ``source_id``, ``row_number``, ``full_name``,
    ``birth_date``, ``sex``, ``address``, ``region_code``, ``nik_hash``, ``nik_masked``,
    ``nik_status`` (``valid``/``invalid``/``missing``), ``kk_hash`` and ``kk_masked``;
    a clear NIK or KK is never in the output nor in a problem.
    """
    mapping = check_mapping(mapping, table.headers)
    today = today or dt.date.today()
    index = {key: table.headers.index(h) for key, h in mapping.items()}

    def cell(row: list[Any], key: str) -> Any:
        i = index.get(key)
        if i is None or i >= len(row):
            return None
        return row[i]

    problems: list[Problem] = []
    clean: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    bad_rows: set[int] = set()
    counts = {"nik_valid": 0, "nik_invalid": 0, "nik_missing": 0, "kk_invalid": 0}
    niks: list[str | None] = []
    kks: list[str | None] = []
    for number, row in zip(table.row_numbers, table.rows, strict=True):

        def problem(key: str, reason: str, fatal: bool = True, **params: Any) -> None:
            problems.append(Problem(number, mapping.get(key, ""), key, reason, fatal, params))  # noqa: B023
            if fatal:
                bad_rows.add(number)  # noqa: B023

        source_id = _plain_text(cell(row, "source_id"))
        if source_id is None:
            problem("source_id", "required")
        elif len(source_id) > MAX_ID_LENGTH:
            problem("source_id", "id_too_long")
        elif source_id in first_row:
            problem("source_id", "duplicate_id", first=first_row[source_id])
        else:
            first_row[source_id] = number
        name = _plain_text(cell(row, "full_name"))
        if name is None:
            problem("full_name", "required")
        birth: dt.date | None = None
        try:
            birth = parse_date(cell(row, "birth_date"))
        except (ValueError, OverflowError):
            problem("birth_date", "bad_date")
        else:
            if birth is not None and birth > today:
                problem("birth_date", "future_date")
            elif birth is not None and birth.year < 1900:
                problem("birth_date", "old_date")
        sex: str | None = None
        try:
            sex = parse_sex(cell(row, "sex"))
        except ValueError:
            problem("sex", "bad_sex")
        region: str | None = None
        raw_region = cell(row, "region_code")
        if raw_region is not None and regions is not None:
            region, why = regions.resolve(raw_region)
            if why == "region_name_ambiguous":
                problem("region_code", why, fatal=False)
            elif why is not None:
                problem("region_code", why)
        nik = _digits(cell(row, "nik"))
        nik_status = "missing"
        if nik is not None:
            if nik_is_valid(nik):
                nik_status = "valid"
            else:
                nik_status = "invalid"
                problem("nik", "nik_invalid", fatal=False)
                nik = None
        kk = _digits(cell(row, "kk"))
        if kk is not None and not re.fullmatch(r"[0-9]{16}", kk):
            problem("kk", "kk_invalid", fatal=False)
            kk = None
        if number in bad_rows:
            continue
        counts[f"nik_{nik_status}"] += 1
        if "kk" in mapping and cell(row, "kk") is not None and kk is None:
            counts["kk_invalid"] += 1
        niks.append(nik)
        kks.append(kk)
        clean.append(
            {
                "source_id": source_id,
                "row_number": number,
                "full_name": name,
                "birth_date": birth,
                "sex": sex,
                "address": _plain_text(cell(row, "address")),
                "region_code": region,
                "nik_status": nik_status,
            }
        )
    nik_hashes = pseudonymiser.hash_many(niks)
    kk_hashes = pseudonymiser.hash_many(kks)
    for r, nik, nik_hash, kk, kk_hash in zip(clean, niks, nik_hashes, kks, kk_hashes, strict=True):
        r["nik_hash"] = nik_hash
        r["nik_masked"] = mask(nik) if nik else None
        r["kk_hash"] = kk_hash
        r["kk_masked"] = mask(kk) if kk else None
    del niks, kks
    counts.update(
        {
            "rows": len(table.rows),
            "valid_rows": len(clean),
            "error_rows": len(bad_rows),
            "problems": len(problems),
        }
    )
    return Validation(clean, problems, len(table.rows), counts)


def looks_like_nik(values: Iterable[Any]) -> bool:
    """Whether sample values look like NIK/KK numbers (the mapping step masks them)."""
    vals = [_digits(v) for v in values if v is not None]
    return bool(vals) and sum(1 for v in vals if v and len(v) >= 12 and v.isdigit()) * 2 >= len(
        vals
    )


def sample_text(value: Any, *, masked: bool) -> str:
    """One sample cell as shown on the mapping step (numbers of 12+ digits masked)."""
    text = _plain_text(value) or ""
    digits = _digits(value) or ""
    if masked or (len(digits) >= 12 and digits.isdigit()):
        return mask(digits) if digits.isdigit() else "*" * min(len(text), 16)
    return text[:60]


ROWS_SCHEMA_COLUMNS = (
    "source_id",
    "row_number",
    "full_name",
    "birth_date",
    "sex",
    "address",
    "region_code",
    "nik_hash",
    "nik_masked",
    "nik_status",
    "kk_hash",
    "kk_masked",
)


def rows_table(rows: list[dict[str, Any]]) -> Any:
    """The clean rows as an Arrow table (the stored ``rows.parquet``)."""
    import pyarrow as pa

    schema = pa.schema(
        [
            ("source_id", pa.string()),
            ("row_number", pa.int64()),
            ("full_name", pa.string()),
            ("birth_date", pa.date32()),
            ("sex", pa.string()),
            ("address", pa.string()),
            ("region_code", pa.string()),
            ("nik_hash", pa.string()),
            ("nik_masked", pa.string()),
            ("nik_status", pa.string()),
            ("kk_hash", pa.string()),
            ("kk_masked", pa.string()),
        ]
    )
    return pa.Table.from_pylist([{c: r.get(c) for c in ROWS_SCHEMA_COLUMNS} for r in rows], schema)
