"""Store survey estimates (from :mod:`sinergi.stats`) as indicator values.

The engine reports proportions and indices on their natural scale (P0 = 0.0958);
BPS publishes P0 in percent and P1/P2 multiplied by 100, so each indicator
says how to scale. Standard error, confidence interval, RSE, sample size and
the BPS publication flag travel with the value; pages show them and mark
flagged estimates.

Synthetic microdata cannot become real figures on the way: ``sinergi
estimate`` ends every row with ``synthetic`` (true when the input's Parquet
metadata says ``sinergi.synthetic=true``), and :func:`store_estimates` stores a
row marked true as synthetic, with a source that says so, whatever source the
caller gives. Rows without the mark are refused unless the caller decides:
``synthetic=True`` (label them all synthetic) or ``real=True`` (they come from
real survey data, e.g. estimates made with another tool).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sinergi.web.core.formatting import rounded
from sinergi.web.indicators import services
from sinergi.web.indicators.choices import QualityFlag, ValueStatus
from sinergi.web.indicators.models import Indicator
from sinergi.web.regions.models import Region

# Default measure -> catalogue indicator mapping.
DEFAULT_MAP = {
    "fgt0": "poverty_rate",
    "fgt1": "poverty_gap",
    "fgt2": "poverty_severity",
    "gini": "gini_ratio",
}
# Multiplier from the engine's scale to the catalogue's published scale.
SCALE = {
    "poverty_rate": 100.0,
    "poverty_gap": 100.0,
    "poverty_severity": 100.0,
    "extreme_poverty_rate": 100.0,
    "open_unemployment_rate": 100.0,
    "stunting_prevalence": 100.0,
    "gini_ratio": 1.0,
}
ESTIMATE_COLUMNS = {"measure", "estimate", "se", "ci_low", "ci_high", "rse", "n", "flag"}
SYNTHETIC_COLUMN = "synthetic"  # written by `sinergi estimate` (sinergi.stats.cli)
SYNTHETIC_PREFIX = "SINTETIS/SYNTHETIC"
# Values are stored with six decimals (IndicatorValue.value); the standard
# error, interval and RSE are kept at the same precision. Rounding once here
# makes a recomputation that differs only in the last float digits (a
# different summation order) record nothing new, so reruns are idempotent.
STORED_DECIMALS = 6


class EstimateStoreError(Exception):
    """The estimates cannot be stored; nothing was written."""


@dataclass
class StoreReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def read_estimates_csv(path: Path) -> list[dict[str, str]]:
    """Read the CSV written by ``sinergi estimate``."""
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(raw: Any) -> float | None:
    if raw is None or raw == "":
        return None
    number = float(raw)
    return None if math.isnan(number) else number


def _stored(number: float | None) -> float | None:
    """``number`` at the stored precision (half-up, :data:`STORED_DECIMALS` places)."""
    exact = rounded(number, STORED_DECIMALS)
    return None if exact is None else float(exact)


def synthetic_source(source: str) -> str:
    """The source stored for synthetic values: it says synthetic whatever ``source`` says."""
    if source.upper().startswith(SYNTHETIC_PREFIX):
        return source
    return f"{SYNTHETIC_PREFIX} (bukan data BPS / not BPS data): {source}"


def _mark(raw: Any) -> bool | None:
    """The ``synthetic`` cell as a bool; ``None`` when it is not true/false."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    return {"true": True, "false": False}.get(text)


def store_estimates(
    rows: Iterable[Mapping[str, Any]],
    *,
    region_column: str,
    period: str,
    source: str,
    measure_map: Mapping[str, str] | None = None,
    synthetic: bool = False,
    real: bool = False,
    status: str = ValueStatus.PRELIMINARY,
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> StoreReport:
    """Validate every row, then record them all as values in one transaction.

    Each row holds the domain column ``region_column`` (a Kemendagri code),
    ``measure`` and the estimate columns. Rows of measures not in the map are
    skipped (and reported); an unknown region or indicator stops everything.

    A row whose ``synthetic`` column is true is stored synthetic with
    :func:`synthetic_source`. Rows without that column need a decision:
    ``synthetic=True`` stores every row as synthetic, ``real=True`` accepts
    unmarked rows as real data; with neither, nothing is stored. ``real=True``
    never relabels a row marked synthetic: that is an error too.
    """
    if synthetic and real:
        raise EstimateStoreError("the estimates cannot be both synthetic and real")
    mapping = dict(DEFAULT_MAP if measure_map is None else measure_map)
    services.parse_period(period)
    materialised = [dict(r) for r in rows]
    indicators = Indicator.objects.in_bulk(list(mapping.values()), field_name="code")
    missing = sorted(set(mapping.values()) - set(indicators))
    if missing:
        raise EstimateStoreError(f"not in the indicator catalogue: {', '.join(missing)}")
    codes = {str(r.get(region_column, "")) for r in materialised}
    regions = Region.objects.in_bulk(list(codes))
    problems = []
    for line, row in enumerate(materialised, start=2):
        if region_column not in row:
            raise EstimateStoreError(f"the estimates have no column {region_column!r}")
        if not set(row) >= ESTIMATE_COLUMNS:
            raise EstimateStoreError(
                f"the estimates lack the columns {', '.join(sorted(ESTIMATE_COLUMNS - set(row)))}"
            )
        if str(row[region_column]) not in regions:
            problems.append(
                f"row {line}, column {region_column}: unknown region {row[region_column]!r}"
            )
        if SYNTHETIC_COLUMN in row:
            mark = _mark(row[SYNTHETIC_COLUMN])
            if mark is None:
                problems.append(
                    f"row {line}, column {SYNTHETIC_COLUMN}: "
                    f"{row[SYNTHETIC_COLUMN]!r} is not true or false"
                )
            elif mark and real:
                problems.append(
                    f"row {line}, column {SYNTHETIC_COLUMN}: the estimate comes from synthetic "
                    "microdata and cannot be stored as real"
                )
    unmarked = [line for line, row in enumerate(materialised, 2) if SYNTHETIC_COLUMN not in row]
    if unmarked and not (synthetic or real):
        problems.append(
            f"the estimates have no column {SYNTHETIC_COLUMN!r} (written by `sinergi estimate`), "
            "so nothing says whether they come from real or synthetic microdata: "
            "store them with synthetic=True (--synthetic) or, for real survey data, "
            "real=True (--real)"
        )
    if problems:
        raise EstimateStoreError("; ".join(problems))
    report = StoreReport()
    with transaction.atomic():
        for row in materialised:
            measure = str(row["measure"])
            if measure not in mapping:
                report.skipped.append(measure)
                continue
            indicator = indicators[mapping[measure]]
            scale = SCALE.get(indicator.code, 1.0)
            value = _number(row["estimate"])
            if value is None:
                report.skipped.append(f"{measure} {row[region_column]} (no estimate)")
                continue

            def scaled(
                name: str, scale: float = scale, row: Mapping[str, Any] = row
            ) -> float | None:
                number = _number(row[name])
                return None if number is None else _stored(number * scale)

            flag = str(row["flag"] or "")
            is_synthetic = synthetic or bool(_mark(row.get(SYNTHETIC_COLUMN, False)))
            obj, changed = services.record_value(
                indicator=indicator,
                region=regions[str(row[region_column])],
                period=period,
                value=rounded(value * scale, STORED_DECIMALS) or Decimal(0),
                user=user,
                reason="survey estimate",
                se=scaled("se"),
                ci_low=scaled("ci_low"),
                ci_high=scaled("ci_high"),
                rse=_stored(_number(row["rse"])),
                sample_size=int(float(row["n"])) if row["n"] not in (None, "") else None,
                quality_flag=flag if flag in QualityFlag.values else "",
                status=status,
                source=(synthetic_source(source) if is_synthetic else source)[:300],
                note=note[:300],
                is_synthetic=is_synthetic,
            )
            if changed and obj.version == 1:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
    report.skipped = sorted(set(report.skipped))
    return report
