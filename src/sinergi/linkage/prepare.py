"""Records standardised for matching: one fixed layout whatever the input's columns.

:func:`prepare_records` checks a table (id column present, ids non-empty and
unique, dates and sexes readable) and returns the columns the comparisons and
blocking rules read, with nulls where the input has no value. Names are
normalised once per distinct value (:mod:`sinergi.linkage.names`), so a
million-row list costs as many normalisations as it has distinct names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .inputs import LinkageInputError, RowProblem
from .names import name_tokens, phonetic_token

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["PREPARED_COLUMNS", "Prepared", "normalise_address", "prepare_records"]

PREPARED_COLUMNS = (
    "unique_id",
    "nik",
    "nik_hash",
    "name_norm",
    "name_sorted",
    "name_nospace",
    "name_tokens",
    "name_key",
    "name_first",
    "name_last",
    "birth_date",
    "birth_swapped",
    "birth_days",
    "birth_year",
    "sex",
    "address_norm",
    "address_tokens",
    "region",
    "region6",
)
"""The prepared layout (``unique_id`` is the input id as text)."""

_SEX = {
    "m": "M",
    "l": "M",
    "lk": "M",
    "laki": "M",
    "lakilaki": "M",
    "pria": "M",
    "male": "M",
    "1": "M",
    "f": "F",
    "p": "F",
    "pr": "F",
    "perempuan": "F",
    "wanita": "F",
    "female": "F",
    "2": "F",
}
_ADDRESS_WORDS = {
    "jl": "jalan",
    "jln": "jalan",
    "jalan": "jalan",
    "gg": "gang",
    "lr": "lorong",
    "lrg": "lorong",
    "dsn": "dusun",
    "ds": "desa",
    "kel": "kelurahan",
    "kec": "kecamatan",
    "kab": "kabupaten",
    "blk": "blok",
    "komp": "komplek",
    "kompleks": "komplek",
    "perum": "perumahan",
    "nomor": "no",
    "nmr": "no",
}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y")


@dataclass(frozen=True)
class Prepared:
    """A prepared table and which comparisons it can take part in."""

    table: pa.Table
    present: frozenset[str]
    rows: int


@lru_cache(maxsize=1 << 16)
def normalise_address(address: str | None) -> str:
    """An address with its usual abbreviations and RT/RW numbers written one way.

    >>> normalise_address("Jl. Merdeka No.12 RT.003/RW.002")
    'jalan merdeka no 12 rt 3 rw 2'
    >>> normalise_address("JALAN MERDEKA NO 12, RT 3 RW 2")
    'jalan merdeka no 12 rt 3 rw 2'
    >>> normalise_address("Dsn. II RT 05/03")
    'dusun ii rt 5 rw 3'
    """
    if not address:
        return ""
    text = re.sub(r"(\d)([a-z])|([a-z])(\d)", r"\1\3 \2\4", address.casefold())
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    out: list[str] = []
    for i, word in enumerate(words):
        if word.isdigit():
            word = str(int(word))
            # "RT 05/03": the second number is the RW.
            if (
                len(out) >= 2
                and out[-2] == "rt"
                and out[-1].isdigit()
                and (i == 0 or words[i - 1] != "rw")
            ):
                out.append("rw")
        out.append(_ADDRESS_WORDS.get(word, word))
    return " ".join(out)


_GENERIC_ADDRESS = frozenset(
    {*_ADDRESS_WORDS.values(), "rt", "rw", "no", "street", "road", "jalan", "desa", "dusun"}
)


def _address_words(address: str | None) -> list[str] | None:
    """The distinctive words of an address (street and place names, house numbers)."""
    words = sorted(
        {w for w in normalise_address(address).split() if w not in _GENERIC_ADDRESS and len(w) > 2}
    )
    return words or None


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_NAME_COLUMNS = ("name_norm", "name_sorted", "name_nospace", "name_key", "name_first", "name_last")


def _name_columns(column: pa.ChunkedArray) -> dict[str, pa.Array]:
    """Every name column, normalising each distinct name once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks())
    values: dict[str, list[Any]] = {k: [] for k in (*_NAME_COLUMNS, "name_tokens")}
    for raw in encoded.dictionary.to_pylist():
        tokens = name_tokens(raw)
        if not tokens:
            for v in values.values():
                v.append(None)
            continue
        rest = [t for t in tokens if t != "muhammad"] or list(tokens)
        values["name_tokens"].append(list(tokens))
        values["name_norm"].append(" ".join(tokens))
        values["name_sorted"].append(" ".join(sorted(tokens)))
        values["name_nospace"].append("".join(tokens))
        values["name_key"].append(" ".join(sorted(phonetic_token(t) for t in tokens)))
        values["name_first"].append(phonetic_token(rest[0]))
        values["name_last"].append(phonetic_token(tokens[-1]))
    out: dict[str, pa.Array] = {}
    for key, items in values.items():
        type_ = pa.list_(pa.string()) if key == "name_tokens" else pa.string()
        out[key] = pa.array(items, type_).take(encoded.indices)
    return out


def _map_unique(column: pa.ChunkedArray, fn: Callable[[Any], Any], type_: pa.DataType) -> pa.Array:
    """Apply ``fn`` once per distinct value of a string column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    values = [fn(v) for v in encoded.dictionary.to_pylist()]
    mapped = pa.array(values, type_)
    return mapped.take(encoded.indices)


def _text(table: pa.Table, name: str) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    column = table.column(name)
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        if pa.types.is_floating(column.type):
            column = pc.cast(pc.cast(column, pa.int64(), safe=False), pa.string())
        else:
            column = pc.cast(column, pa.string())
    trimmed = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(trimmed, ""), None, trimmed)


def _rows(mask: pa.Array, limit: int = 50) -> list[int]:
    import pyarrow.compute as pc

    idx = pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()
    return [int(i) + 2 for i in idx[:limit]]


def prepare_records(
    table: pa.Table,
    id_column: str,
    *,
    label: str = "input",
    hash_nik: Callable[[list[str | None]], list[str | None]] | None = None,
) -> Prepared:
    """Check ``table`` and standardise it to :data:`PREPARED_COLUMNS`.

    Parameters
    ----------
    table
        The records (see :data:`sinergi.linkage.inputs.RECOGNISED`).
    id_column
        The column that identifies a record (text; unique, never empty).
    label
        How errors name this input ("left", "right", the file name).
    hash_nik
        When given, a clear ``nik`` column is also hashed into ``nik_hash``
        (to match a list that only carries hashes).

    Raises
    ------
    LinkageInputError
        The id column is missing, an id is empty or repeated, a birth date or
        sex cannot be read. Rows are numbered as in the file (header = row 1).

    Examples
    --------
    >>> import pyarrow as pa
    >>> p = prepare_records(pa.table({"id": ["a"], "full_name": ["H. Budi"]}), "id")
    >>> p.table.column("name_norm").to_pylist(), sorted(p.present)
    (['budi'], ['full_name'])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {c.strip().casefold(): c for c in table.column_names}
    if id_column not in table.column_names:
        if id_column.casefold() in columns:
            id_column = columns[id_column.casefold()]
        else:
            found = ", ".join(table.column_names) or "(none)"
            raise LinkageInputError(
                [RowProblem(0, id_column, f"id column not found; the columns are: {found}")],
                label=label,
            )
    problems: list[RowProblem] = []
    n = table.num_rows
    ids = _text(table, id_column)
    for row in _rows(pc.is_null(ids)):
        problems.append(RowProblem(row, id_column, "empty id"))
    counts = pc.value_counts(pc.drop_null(ids))
    dup_values = [
        v
        for v, c in zip(
            counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True
        )
        if c > 1
    ]
    if dup_values:
        dup_mask = pc.is_in(ids, pa.array(dup_values, pa.string()))
        for row in _rows(dup_mask):
            problems.append(RowProblem(row, id_column, "duplicate id"))
    col: dict[str, Any] = {"unique_id": ids}

    def source(name: str) -> pa.ChunkedArray | None:
        original = columns.get(name)
        if original is None or original == id_column:
            return None
        values = _text(table, original)
        return None if values.null_count == n else values

    null_text = pa.nulls(n, pa.string())
    present: set[str] = set()
    # NIK: digits only; 15-17 digits kept for the typo-tolerant comparison.
    nik = source("nik")
    if nik is not None:
        digits = pc.replace_substring_regex(nik, r"[^0-9]", "")
        length = pc.utf8_length(digits)
        keep = pc.and_(pc.greater_equal(length, 15), pc.less_equal(length, 17))
        nik = pc.if_else(keep, digits, None)
        present.add("nik")
    nik_hash = source("nik_hash")
    if nik_hash is not None:
        nik_hash = pc.utf8_lower(nik_hash)
    if hash_nik is not None and nik is not None:
        exact = pc.if_else(pc.equal(pc.utf8_length(nik), 16), nik, None)
        hashed = pa.array(hash_nik(exact.to_pylist()), pa.string())
        nik_hash = hashed if nik_hash is None else pc.coalesce(nik_hash, hashed)
    if nik_hash is not None:
        present.add("nik_hash")
    col["nik"] = nik if nik is not None else null_text
    col["nik_hash"] = nik_hash if nik_hash is not None else null_text

    name = source("full_name")
    for alias in ("name", "nama"):
        if name is None:
            name = source(alias)
    if name is not None:
        col.update(_name_columns(name))
        present.add("full_name")
    else:
        for key in _NAME_COLUMNS:
            col[key] = null_text
        col["name_tokens"] = pa.nulls(n, pa.list_(pa.string()))

    birth_original = columns.get("birth_date")
    if birth_original is not None and table.column(birth_original).null_count < n:
        raw = table.column(birth_original)
        if pa.types.is_timestamp(raw.type) or pa.types.is_date(raw.type):
            dates = pc.cast(raw, pa.date32())
        else:
            text = _text(table, birth_original)
            dates = _map_unique(text, lambda v: None if v is None else _parse_date(v), pa.date32())
            bad = pc.and_(pc.is_valid(text), pc.is_null(dates))
            for row in _rows(bad):
                problems.append(
                    RowProblem(row, birth_original, "not a date (use YYYY-MM-DD, e.g. 1990-07-01)")
                )
        days = pc.cast(pc.cast(dates, pa.int32()), pa.int32())
        col["birth_date"] = pc.strftime(pc.cast(dates, pa.timestamp("s")), "%Y-%m-%d")
        col["birth_days"] = days
        col["birth_year"] = pc.cast(pc.year(dates), pa.int32())
        col["birth_swapped"] = _map_unique(pc.cast(dates, pa.string()), _swapped, pa.string())
        present.add("birth_date")
    else:
        col["birth_date"] = null_text
        col["birth_swapped"] = null_text
        col["birth_days"] = pa.nulls(n, pa.int32())
        col["birth_year"] = pa.nulls(n, pa.int32())

    sex = source("sex")
    if sex is not None:
        codes = _map_unique(
            sex,
            lambda v: None if v is None else _SEX.get(re.sub(r"[^a-z0-9]", "", v.casefold()), "?"),
            pa.string(),
        )
        for row in _rows(pc.equal(codes, "?")):
            problems.append(
                RowProblem(row, columns["sex"], "sex must be M or F (L = laki-laki, P = perempuan)")
            )
        col["sex"] = pc.if_else(pc.equal(codes, "?"), None, codes)
        present.add("sex")
    else:
        col["sex"] = null_text

    address = source("address")
    if address is not None:
        col["address_norm"] = _map_unique(
            address, lambda v: normalise_address(v) or None, pa.string()
        )
        col["address_tokens"] = _map_unique(address, _address_words, pa.list_(pa.string()))
        present.add("address")
    else:
        col["address_norm"] = null_text
        col["address_tokens"] = pa.nulls(n, pa.list_(pa.string()))

    region = source("region_code")
    if region is not None:
        digits = pc.replace_substring_regex(region, r"[^0-9]", "")
        digits = pc.if_else(pc.equal(digits, ""), None, digits)
        col["region"] = digits
        six = pc.utf8_slice_codeunits(digits, 0, 6)
        col["region6"] = pc.if_else(pc.equal(pc.utf8_length(six), 6), six, None)
        present.add("region_code")
    else:
        col["region"] = null_text
        col["region6"] = null_text

    if problems:
        problems.sort(key=lambda p: (p.row, p.column))
        raise LinkageInputError(problems, label=label)
    arrays = {k: _plain(col[k]) for k in PREPARED_COLUMNS}
    return Prepared(pa.table(arrays), frozenset(present), n)


def _plain(values: Any) -> Any:
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values


def _swapped(iso: str | None) -> str | None:
    """The date with day and month exchanged (``1990-03-07`` -> ``1990-07-03``), if real."""
    if iso is None:
        return None
    year, month, day = (int(p) for p in iso.split("-"))
    if day == month or day > 12:
        return None
    return f"{year:04d}-{day:02d}-{month:02d}"
