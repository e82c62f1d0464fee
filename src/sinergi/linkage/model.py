"""The Fellegi-Sunter model: comparisons, blocking rules and training, as Splink settings.

Each comparison is a list of levels written once as SQL on the prepared
columns (:mod:`sinergi.linkage.prepare`) with ``_l``/``_r`` suffixes; the
few functions that differ between engines (Jaro-Winkler, Damerau-Levenshtein,
array intersection) are filled in per dialect. The same level conditions
give the ``cmp_*`` labels of a review pair (:func:`comparison_labels_sql`):
the first level of a comparison is ``exact``, the last ``different``, the
ones between ``close``, the null level ``missing``.

Only the comparisons whose columns both inputs carry are built: a list without
addresses is matched on the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COMPARISONS",
    "Comparison",
    "blocking_rules",
    "build_settings",
    "comparison_labels_sql",
    "comparisons_for",
    "fill",
    "training_rules",
]

_FUNCTIONS = {
    "duckdb": {
        "jw": "jaro_winkler_similarity({a}, {b})",
        "dl": "damerau_levenshtein({a}, {b})",
        "overlap": "len(list_intersect({a}, {b}))",
        "bucket": "hash({a}) % {b}",
    },
    "spark": {
        "jw": "jaro_winkler({a}, {b})",
        "dl": "damerau_levenshtein({a}, {b})",
        "overlap": "size(array_intersect({a}, {b}))",
        "bucket": "pmod(hash({a}), {b})",
    },
}


@dataclass(frozen=True)
class Level:
    """One comparison level: a SQL condition (templated) and an optional TF column."""

    label: str
    condition: str
    tf_column: str | None = None


@dataclass(frozen=True)
class Comparison:
    """A comparison: its output name, the input field it needs, null test and levels.

    ``levels`` run from the most specific (``exact``) to the least; an ``else``
    level (``different``) is added after them.
    """

    name: str
    field: str
    null: str
    levels: tuple[Level, ...]


def fill(template: str, dialect: str) -> str:
    """Expand ``jw(a, b)``-style calls written as ``{jw:a,b}`` for a dialect."""
    functions = _FUNCTIONS[dialect]
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        fn, args = out[start + 1 : end].split(":", 1)
        a, b = (x.strip() for x in args.split(","))
        out = out[:start] + functions[fn].format(a=a, b=b) + out[end + 1 :]
    return out


_NIK = Comparison(
    "nik",
    "nik",
    "nik_l IS NULL OR nik_r IS NULL",
    (
        Level("NIK sama", "nik_l = nik_r"),
        Level("NIK beda satu angka", "{dl:nik_l, nik_r} <= 1"),
    ),
)
_NIK_HASH = Comparison(
    "nik",
    "nik_hash",
    "nik_hash_l IS NULL OR nik_hash_r IS NULL",
    (Level("NIK sama", "nik_hash_l = nik_hash_r"),),
)
_NAME = Comparison(
    "full_name",
    "full_name",
    "name_norm_l IS NULL OR name_norm_r IS NULL",
    (
        Level("nama sama", "name_norm_l = name_norm_r", tf_column="name_norm"),
        Level(
            "nama sama, urutan atau spasi beda",
            "name_sorted_l = name_sorted_r OR name_nospace_l = name_nospace_r",
        ),
        Level(
            "nama sangat mirip",
            "{jw:name_norm_l, name_norm_r} >= 0.95 OR {jw:name_sorted_l, name_sorted_r} >= 0.95",
        ),
        Level(
            "nama mirip",
            "{jw:name_norm_l, name_norm_r} >= 0.88 OR {jw:name_sorted_l, name_sorted_r} >= 0.88 "
            "OR name_key_l = name_key_r",
        ),
        Level("satu kata nama sama", "{overlap:name_tokens_l, name_tokens_r} >= 1"),
    ),
)
_BIRTH = Comparison(
    "birth_date",
    "birth_date",
    "birth_date_l IS NULL OR birth_date_r IS NULL",
    (
        Level("tanggal lahir sama", "birth_date_l = birth_date_r"),
        Level("tanggal dan bulan tertukar", "birth_date_l = birth_swapped_r"),
        Level("selisih paling lama setahun", "abs(birth_days_l - birth_days_r) <= 366"),
    ),
)
_SEX = Comparison(
    "sex",
    "sex",
    "sex_l IS NULL OR sex_r IS NULL",
    (Level("jenis kelamin sama", "sex_l = sex_r"),),
)
_ADDRESS = Comparison(
    "address",
    "address",
    "address_norm_l IS NULL OR address_norm_r IS NULL",
    (
        Level("alamat sama", "address_norm_l = address_norm_r"),
        Level("alamat mirip", "{jw:address_norm_l, address_norm_r} >= 0.9"),
        Level("dua kata alamat sama", "{overlap:address_tokens_l, address_tokens_r} >= 2"),
    ),
)
_REGION = Comparison(
    "region_code",
    "region_code",
    "region_l IS NULL OR region_r IS NULL",
    (
        Level("wilayah sama", "region_l = region_r"),
        Level(
            "kecamatan sama",
            "region6_l = region6_r OR substr(region_l, 1, length(region_r)) = region_r "
            "OR substr(region_r, 1, length(region_l)) = region_l",
        ),
    ),
)

COMPARISONS = (_NIK, _NAME, _BIRTH, _SEX, _ADDRESS, _REGION)
"""Every comparison, in the order of the ``cmp_*`` columns (NIK by hash when no clear NIK)."""
CMP_NAMES = ("nik", "full_name", "birth_date", "sex", "address", "region_code")


def comparisons_for(present: Iterable[str]) -> list[Comparison]:
    """The comparisons both inputs can take part in (``present``: their shared fields)."""
    fields = set(present)
    out: list[Comparison] = []
    for comparison in COMPARISONS:
        if comparison is _NIK and "nik" not in fields and "nik_hash" in fields:
            out.append(_NIK_HASH)
        elif comparison.field in fields:
            out.append(comparison)
    return out


def _splink_comparison(comparison: Comparison, dialect: str, trained: dict[str, Any] | None) -> Any:
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    levels: list[Any] = [
        cll.CustomLevel(fill(comparison.null, dialect), "tidak ada data").configure(
            is_null_level=True
        )
    ]
    for level in comparison.levels:
        custom: Any = cll.CustomLevel(fill(level.condition, dialect), level.label)
        if level.tf_column:
            custom = custom.configure(
                tf_adjustment_column=level.tf_column, tf_adjustment_weight=1.0
            )
        levels.append(custom)
    levels.append(cll.ElseLevel().configure(label_for_charts="berbeda"))
    if trained is not None:
        non_null = [lv for lv in trained["comparison_levels"] if not lv.get("is_null_level")]
        for creator, values in zip(levels[1:], non_null, strict=True):
            creator.configure(
                m_probability=values.get("m_probability"),
                u_probability=values.get("u_probability"),
            )
    return CustomComparison(levels, output_column_name=comparison.name)


def blocking_rules(present: Iterable[str]) -> list[str]:
    """Blocking rules for predictions that scale to a million records on each side.

    Each rule is an equi-join on keys that few records share (a NIK's
    kecamatan and birth date, a name key with a birth date, ...), so the
    pairs grow with the number of true candidates, not with the square of
    the records. Every rule here keeps blocks small even in a regency where
    a few given names are very common.
    """
    fields = set(present)
    rules: list[str] = []
    if "nik" in fields:
        # Kecamatan + birth date + sex of the NIK, and birth date + serial: one
        # mistyped digit leaves one of the two intact.
        rules.append("substr(l.nik, 1, 12) = substr(r.nik, 1, 12)")
        rules.append("substr(l.nik, 7, 10) = substr(r.nik, 7, 10)")
    if "full_name" in fields and "birth_date" in fields:
        rules.append("l.name_key = r.name_key AND l.birth_date = r.birth_date")
        rules.append("l.name_first = r.name_first AND l.birth_date = r.birth_swapped")
        rules.append("l.name_key = r.name_key AND l.birth_year = r.birth_year")
    if "birth_date" in fields and "region_code" in fields:
        rules.append("l.birth_date = r.birth_date AND l.region6 = r.region6")
        # Codes shorter than a kecamatan's (or foreign ones, e.g. postcodes).
        rules.append("l.birth_date = r.birth_date AND l.region = r.region")
    if "full_name" in fields and "region_code" in fields:
        rules.append("l.name_key = r.name_key AND l.region = r.region")
    if "full_name" in fields and "birth_date" in fields:
        # A typo in a later word of the name.
        rules.append("l.name_first = r.name_first AND l.birth_date = r.birth_date")
        rules.append("l.name_last = r.name_last AND l.birth_date = r.birth_date")
    if "birth_date" in fields and "address" in fields:
        rules.append("l.birth_date = r.birth_date AND l.address_norm = r.address_norm")
    if "full_name" in fields and "address" in fields:
        rules.append("l.name_first = r.name_first AND l.address_norm = r.address_norm")
    if not rules:
        if "full_name" in fields:
            rules.append("l.name_key = r.name_key")
        elif "birth_date" in fields:
            rules.append("l.birth_date = r.birth_date")
        elif "nik_hash" in fields:
            rules.append("l.nik_hash = r.nik_hash")
        else:
            raise ValueError(
                "nothing to compare: the inputs share none of the columns "
                "nik, nik_hash, full_name, birth_date, sex, address, region_code"
            )
    return rules


def training_rules(present: Iterable[str]) -> list[str]:
    """Blocking rules for EM (m probabilities): each leaves some comparisons free.

    The first frees the name, NIK and address (pairs born the same day), the
    next the birth date (pairs with the same name key, in the same kecamatan
    when codes are that precise); :func:`sinergi.linkage.core` uses the first
    two that block any pair.
    """
    fields = set(present)
    rules: list[str] = []
    if "birth_date" in fields:
        rules.append("l.birth_date = r.birth_date")
    if "full_name" in fields:
        if "region_code" in fields:
            rules.append("l.name_key = r.name_key AND l.region6 = r.region6")
        rules.append("l.name_key = r.name_key")
    if "nik" in fields and len(rules) < 2:
        rules.append("substr(l.nik, 1, 12) = substr(r.nik, 1, 12)")
    if not rules:
        rules = blocking_rules(fields)[:1]
    return rules


def deterministic_rules(present: Iterable[str]) -> list[str]:
    """Rules with almost no false matches, to estimate the prior (share of true pairs)."""
    fields = set(present)
    rules: list[str] = []
    if "full_name" in fields and "birth_date" in fields:
        rules.append("l.name_norm = r.name_norm AND l.birth_date = r.birth_date")
    if "nik" in fields:
        rules.append("l.nik = r.nik")
    if "nik_hash" in fields:
        rules.append("l.nik_hash = r.nik_hash")
    if not rules and "full_name" in fields:
        rules.append("l.name_norm = r.name_norm")
    return rules or blocking_rules(fields)[:1]


def build_settings(
    present: Iterable[str],
    *,
    link_type: str,
    dialect: str,
    trained: dict[str, Any] | None = None,
) -> Any:
    """A Splink ``SettingsCreator`` for the fields ``present`` in both inputs.

    ``trained``: a model dict (``LinkResult.model``) whose m and u values and
    prior are reused instead of training (for example a DuckDB-trained model
    applied on Spark).
    """
    from splink import SettingsCreator

    fields = set(present)
    comparisons = comparisons_for(fields)
    trained_by_name: dict[str, Any] = {}
    if trained is not None:
        trained_by_name = {c["output_column_name"]: c for c in trained["comparisons"]}
        missing = sorted({c.name for c in comparisons} - set(trained_by_name))
        if missing:
            raise ValueError(f"the trained model has no comparison for: {', '.join(missing)}")
    kwargs: dict[str, Any] = {}
    if trained is not None:
        kwargs["probability_two_random_records_match"] = trained[
            "probability_two_random_records_match"
        ]
    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        unique_id_column_name="unique_id",
        comparisons=[
            _splink_comparison(c, dialect, trained_by_name.get(c.name) if trained else None)
            for c in comparisons
        ],
        blocking_rules_to_generate_predictions=list[Any](blocking_rules(fields)),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        **kwargs,
    )


def comparison_labels_sql(present: Iterable[str], dialect: str) -> list[str]:
    """``CASE`` expressions giving ``cmp_<name>`` for a pair (columns ``x_l``, ``x_r``).

    A comparison the inputs cannot make is ``'missing'``.
    """
    by_name = {c.name: c for c in comparisons_for(present)}
    out: list[str] = []
    for name in CMP_NAMES:
        comparison = by_name.get(name)
        if comparison is None:
            out.append(f"'missing' AS cmp_{name}")
            continue
        whens = [f"WHEN {fill(comparison.null, dialect)} THEN 'missing'"]
        for i, level in enumerate(comparison.levels):
            label = "exact" if i == 0 else "close"
            whens.append(f"WHEN {fill(level.condition, dialect)} THEN '{label}'")
        out.append(f"CASE {' '.join(whens)} ELSE 'different' END AS cmp_{name}")
    return out


def shared_fields(left: Iterable[str], right: Sequence[str] | Iterable[str]) -> frozenset[str]:
    """The fields both sides carry (the comparisons a linkage can make)."""
    return frozenset(left) & frozenset(right)
