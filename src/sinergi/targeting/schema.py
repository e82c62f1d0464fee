"""The registry's input layout: columns, types and code lists (the one place they live).

Everything that reads or writes a release (validation, the web pages' labels,
the synthetic generator, the PMT) imports these definitions instead of
repeating them. Codes are stored in English; pages translate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SCHEMA_VERSION = 1

Kind = Literal["text", "number", "code", "flag", "int", "date", "number16"]

FLOOR_MATERIALS = ("ceramic", "cement", "wood", "bamboo", "earth")
WALL_MATERIALS = ("masonry", "wood", "bamboo", "other")
ROOF_MATERIALS = ("tile", "metal", "asbestos", "thatch", "other")
DRINKING_WATER = ("piped", "bottled", "protected_well", "unprotected", "surface")
SANITATION = ("private", "shared", "none")
ELECTRICITY = ("pln_metered", "pln_unmetered", "none")
COOKING_FUEL = ("gas", "electric", "kerosene", "wood", "other")
SEXES = ("M", "F")
#: Indonesian aliases accepted on input (laki-laki, perempuan); stored as M/F.
SEX_ALIASES = {"L": "M", "P": "F"}
RELATIONSHIPS = ("head", "spouse", "child", "parent", "other")
EDUCATION = ("none", "primary", "junior", "senior", "tertiary")
WORK_SECTORS = ("none", "agriculture", "industry", "services")
ASSETS = ("has_motorcycle", "has_car", "has_refrigerator", "has_tv", "has_smartphone")
#: The coded housing columns, in layout order.
HOUSING = (
    "floor_material",
    "wall_material",
    "roof_material",
    "drinking_water",
    "sanitation",
    "electricity",
    "cooking_fuel",
)
#: Every household characteristic of the layout (what a PMT reads), in layout order.
CHARACTERISTICS = ("floor_area_m2", *HOUSING, *ASSETS, "livestock_units", "land_ha")


@dataclass(frozen=True)
class Column:
    """One input column and its rule.

    ``kind``: ``text``; ``number`` (decimal, with ``minimum`` and whether it is
    ``exclusive``); ``int`` (whole number within ``minimum``..``maximum``);
    ``code`` (one of ``codes``); ``flag`` (0 or 1); ``date`` (``YYYY-MM-DD``);
    ``number16`` (exactly 16 digits: NIK, KK).
    """

    name: str
    kind: Kind
    required: bool = True
    codes: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False
    aliases: dict[str, str] = field(default_factory=dict)


HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("household_id", "text"),
    Column("kk", "number16"),
    Column("desa_code", "text"),
    Column("address", "text", required=False),
    Column("floor_area_m2", "number", minimum=0, exclusive=True),
    Column("floor_material", "code", codes=FLOOR_MATERIALS),
    Column("wall_material", "code", codes=WALL_MATERIALS),
    Column("roof_material", "code", codes=ROOF_MATERIALS),
    Column("drinking_water", "code", codes=DRINKING_WATER),
    Column("sanitation", "code", codes=SANITATION),
    Column("electricity", "code", codes=ELECTRICITY),
    Column("cooking_fuel", "code", codes=COOKING_FUEL),
    *(Column(name, "flag") for name in ASSETS),
    Column("livestock_units", "number", minimum=0),
    Column("land_ha", "number", minimum=0),
    Column("decile", "int", required=False, minimum=1, maximum=10),
)

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("household_id", "text"),
    Column("kk", "number16"),
    Column("nik", "number16"),
    Column("full_name", "text"),
    Column("sex", "code", codes=SEXES, aliases=SEX_ALIASES),
    Column("birth_date", "date"),
    Column("relationship", "code", codes=RELATIONSHIPS),
    Column("education", "code", codes=EDUCATION),
    Column("work_sector", "code", codes=WORK_SECTORS),
)

LAYOUTS: dict[str, tuple[Column, ...]] = {
    "households": HOUSEHOLD_COLUMNS,
    "members": MEMBER_COLUMNS,
}

#: Columns added to the stored households file (besides ``kk`` becoming the three below).
STORED_HOUSEHOLD_EXTRA = (
    "kk_hash",
    "kk_masked",
    "kk_enc",
    "kecamatan_code",
    "regency_code",
    "province_code",
    "persons",
    "score",
    "model_decile",
)
STORED_MEMBER_EXTRA = ("nik_hash", "nik_masked", "nik_enc", "age")
#: The member summary stored with each household since the import computes it (the
#: PMT's ``SUMMARY_COLUMNS`` besides ``persons``): scoring then reads the households only.
STORED_HOUSEHOLD_SUMMARY = (
    "children",
    "elderly",
    "head_sex",
    "head_age",
    "head_education",
    "head_work_sector",
)


def _(message: str) -> str:
    """Mark a message for translation; the web app translates it with gettext."""
    return message


#: Reason codes of a bad value and their (English) messages. The web app shows them
#: through gettext (Indonesian by default). A message never contains the bad value.
REASONS: dict[str, str] = {
    "missing_column": _("column is missing from the file"),
    "unknown_column": _("column is not part of the layout"),
    "required": _("a value is required"),
    "not_a_number": _("not a number"),
    "not_whole_number": _("not a whole number"),
    "out_of_range": _("value is outside the allowed range"),
    "not_positive": _("must be greater than 0"),
    "negative": _("must not be negative"),
    "unknown_code": _("not one of the allowed codes"),
    "not_a_flag": _("must be 0 or 1"),
    "not_a_date": _("not a date (use YYYY-MM-DD)"),
    "future_date": _("date is after the reference date"),
    "kk_invalid": _("KK number is not valid: it must be 16 digits"),
    "nik_invalid": _("NIK is not valid: it must be 16 digits"),
    "nik_unknown_prefix": _("NIK is not valid: its first 6 digits are not a known kecamatan"),
    "nik_bad_birth_date": _("NIK is not valid: digits 7-12 are not a real date"),
    "nik_birth_date_mismatch": _("NIK does not agree with the recorded birth date"),
    "nik_sex_mismatch": _("NIK does not agree with the recorded sex (women: day + 40)"),
    "unknown_desa": _("desa code is not in the region hierarchy"),
    "duplicate_household": _("household id appears more than once"),
    "duplicate_nik": _("NIK appears more than once in the release"),
    "no_head": _("household has no head"),
    "several_heads": _("household has more than one head"),
    "no_members": _("household has no members"),
    "unknown_household": _("household id is not in the households file"),
    "kk_mismatch": _("KK number differs from the household's KK number"),
    "empty_file": _("the file has no data rows"),
    "unreadable_file": _("the file cannot be read as CSV, XLSX or Parquet"),
    "file_too_large": _("the file is larger than the allowed size"),
    "unsupported_file": _("unknown file type (use .csv, .xlsx or .parquet)"),
}


def describe(reason: str) -> str:
    """The English message of a reason code (unknown codes are returned as they are)."""
    return REASONS.get(reason, reason)
