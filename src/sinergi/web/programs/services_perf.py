"""Performance indicators (outcomes, outputs, their targets and cascade) and non-APBD proposals
as Bappeda and the agencies set them up in the browser.

The pages, their XLSX import and (through the same checks) any other writer call these
functions; every write goes through :mod:`sinergi.web.programs.services` (transaction,
audit entry, optimistic locking on ``version``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sinergi.web.accounts.models import Agency
from sinergi.web.core.lists import display
from sinergi.web.indicators.models import Indicator
from sinergi.web.programs import services
from sinergi.web.programs.choices import (
    FundingSource,
    IndicatorLevel,
    NomenclatureLevel,
    Polarity,
    RkpdStatus,
)
from sinergi.web.programs.models import (
    Activity,
    Nomenclature,
    NonApbdProposal,
    PerformanceIndicator,
)
from sinergi.web.regions.models import Region

QUARTER_FIELDS = ("target_q1", "target_q2", "target_q3", "target_q4")
# Financing a non-APBD proposal may ask for: anything but the regency's and province's APBD
# (the same rule as the API's ProposalViewSet).
NON_APBD_SOURCES = [
    (value, label)
    for value, label in FundingSource.choices
    if value not in FundingSource.public_budget() - {FundingSource.APBN_DAK}
]


# --- performance indicators ------------------------------------------------------------------


def target_errors(
    *,
    additive: bool,
    polarity: str,
    target: Decimal | None,
    quarters: list[Decimal | None],
) -> dict[str, str]:
    """Field errors of an indicator's quarterly targets (empty when they are consistent).

    An additive indicator's quarter targets are cumulative to the end of the quarter: for a
    higher-is-better one they never go down and never pass the year target. A count cannot
    be negative. Levels (non-additive) may move freely.

    >>> sorted(target_errors(additive=True, polarity="higher", target=Decimal(10),
    ...                      quarters=[Decimal(2), Decimal(1), None, Decimal(12)]))
    ['target_q2', 'target_q4']
    """
    errors: dict[str, str] = {}
    if not additive or target is None:
        return errors
    previous: tuple[int, Decimal] | None = None
    for quarter, value in enumerate(quarters, start=1):
        name = f"target_q{quarter}"
        if value is None:
            continue
        if value < 0:
            errors[name] = _("A cumulative target cannot be negative.")
            continue
        if polarity != Polarity.HIGHER:
            continue
        if value > target:
            errors[name] = _(
                "The quarterly targets add up over the year: the target to the end of quarter "
                "%(q)s (%(value)s) cannot exceed the year target (%(target)s)."
            ) % {"q": quarter, "value": display(value), "target": display(target)}
            continue  # judged against the year target only, and not used for the next quarter
        if previous is not None and value < previous[1]:
            errors[name] = _(
                "The quarterly targets add up over the year: the target to the end of quarter "
                "%(q)s (%(value)s) cannot be lower than quarter %(p)s (%(previous)s)."
            ) % {
                "q": quarter,
                "value": display(value),
                "p": previous[0],
                "previous": display(previous[1]),
            }
        previous = (quarter, value)
    return errors


def indicator_errors(region: Region, year: int, values: dict[str, Any]) -> dict[str, str]:
    """Field errors of a performance indicator's values (level, links and targets)."""
    errors: dict[str, str] = {}
    level = values.get("level")
    activity: Activity | None = values.get("activity")
    serves: PerformanceIndicator | None = values.get("serves")
    programme: Nomenclature | None = values.get("programme")
    agency: Agency | None = values.get("agency")
    if level == IndicatorLevel.OUTPUT:
        if activity is None:
            errors["activity"] = _("An output belongs to an activity: choose it.")
        elif activity.region_id != region.code or activity.year != year:
            errors["activity"] = _("Choose an activity of %(region)s in %(year)s.") % {
                "region": region.name,
                "year": year,
            }
        if serves is not None and (
            serves.level != IndicatorLevel.OUTCOME
            or serves.region_id != region.code
            or serves.year != year
        ):
            errors["serves"] = _("Choose a programme outcome of the same year.")
    elif level == IndicatorLevel.OUTCOME:
        if programme is None:
            errors["programme"] = _("An outcome belongs to a programme: choose it.")
        elif programme.level != NomenclatureLevel.PROGRAM:
            errors["programme"] = _("Choose a programme of the nomenclature (not a %(level)s).") % {
                "level": programme.get_level_display()
            }
        if agency is None:
            errors["agency"] = _("Choose the agency responsible for the outcome.")
        elif agency.region_id != region.code:
            errors["agency"] = _("Choose an agency of %(region)s.") % {"region": region.name}
        if activity is not None:
            errors["activity"] = _("An outcome belongs to a programme, not to an activity.")
        if serves is not None:
            errors["serves"] = _("Only an output serves an outcome.")
    target = values.get("target")
    if target is None and "target" in values:
        errors["target"] = _("Enter the year target.")
    errors.update(
        target_errors(
            additive=bool(values.get("additive")),
            polarity=values.get("polarity") or Polarity.HIGHER,
            target=target,
            quarters=[values.get(name) for name in QUARTER_FIELDS],
        )
    )
    return errors


def _free_code(region: Region, year: int, name: str, exclude: int | None = None) -> str:
    base = (slugify(name)[:34].strip("-") or "indikator").lower()
    others = PerformanceIndicator.objects.filter(region=region, year=year, code__startswith=base)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    taken = set(others.values_list("code", flat=True))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def save_indicator(
    obj: PerformanceIndicator | None,
    user: Any,
    *,
    region: Region,
    year: int,
    values: dict[str, Any],
    version: int | None = None,
) -> PerformanceIndicator:
    """Create (``obj`` None) or change a performance indicator after :func:`indicator_errors`.

    An output takes its agency and programme from its activity; an empty code is made from
    the name. Raises ``ValidationError`` (by field) or ``ConflictError`` (stale version).
    """
    values = dict(values)
    errors = indicator_errors(region, year, values)
    if errors:
        raise ValidationError(errors)
    if values.get("level") == IndicatorLevel.OUTPUT and values.get("activity") is not None:
        activity = values["activity"]
        values["agency"] = activity.agency
        values["programme"] = activity.programme
    if "code" in values and not values["code"]:
        values["code"] = (
            obj.code if obj is not None else _free_code(region, year, values.get("name", ""))
        )
    for name in ("source_note", "unit", "name"):
        if name in values and values[name] is None:
            values[name] = ""
    if obj is None:
        return services.create(PerformanceIndicator, user, region=region, year=year, **values)
    values.pop("region", None)
    updated, _changed = services.update(obj, user, expected_version=version, **values)
    return updated


@dataclass
class CascadeOutput:
    indicator: PerformanceIndicator
    activity: Activity | None


@dataclass
class CascadeOutcome:
    indicator: PerformanceIndicator
    outputs: list[CascadeOutput] = field(default_factory=list)


@dataclass
class CascadeBranch:
    """One catalogue indicator and what is meant to move it."""

    indicator: Indicator | None  # None: outcomes and outputs linked to no regional indicator
    outcomes: list[CascadeOutcome] = field(default_factory=list)
    direct_outputs: list[CascadeOutput] = field(default_factory=list)  # linked without an outcome

    @property
    def moved(self) -> bool:
        return bool(self.outcomes or self.direct_outputs)


@dataclass
class Cascade:
    region: Region
    year: int
    branches: list[CascadeBranch]  # catalogue indicators with a programme moving them
    unmoved: list[Indicator]  # catalogue indicators no outcome or output moves
    unlinked: CascadeBranch  # outcomes and outputs linked to no catalogue indicator
    outcomes_without_outputs: int = 0

    @property
    def total(self) -> int:
        return len(self.branches) + len(self.unmoved)


def cascade(region: Region, year: int) -> Cascade:
    """Catalogue indicator -> programme outcomes -> activity outputs -> activities of a year.

    An output appears under the outcome it serves, and directly under the regional indicator
    it names when that is not its outcome's; an output serving no outcome and naming no
    indicator is listed as unlinked. Two queries.
    """
    rows = list(
        PerformanceIndicator.objects.filter(region=region, year=year)
        .select_related("activity__agency", "agency", "programme", "regional_indicator", "serves")
        .order_by("level", "code")
    )
    outcome_nodes: dict[int, CascadeOutcome] = {}
    for row in rows:
        if row.level == IndicatorLevel.OUTCOME:
            outcome_nodes[row.pk] = CascadeOutcome(row)
    by_indicator: dict[int | None, CascadeBranch] = {}
    catalogue = list(Indicator.objects.order_by("sort_order", "code"))
    for ind in catalogue:
        by_indicator[ind.pk] = CascadeBranch(ind)
    unlinked = CascadeBranch(None)
    for node in outcome_nodes.values():
        target = by_indicator.get(node.indicator.regional_indicator_id, unlinked)
        target.outcomes.append(node)
    for row in rows:
        if row.level != IndicatorLevel.OUTPUT:
            continue
        leaf = CascadeOutput(row, row.activity)
        served = outcome_nodes.get(row.serves_id) if row.serves_id else None
        if served is not None:
            served.outputs.append(leaf)
        # An output naming its own regional indicator (other than its outcome's) moves that
        # indicator directly too; one serving no outcome hangs under its indicator (or none).
        own = row.regional_indicator_id
        if served is None:
            by_indicator.get(own, unlinked).direct_outputs.append(leaf)
        elif own in by_indicator and own != served.indicator.regional_indicator_id:
            by_indicator[own].direct_outputs.append(leaf)
    branches = [by_indicator[i.pk] for i in catalogue if by_indicator[i.pk].moved]
    unmoved = [i for i in catalogue if not by_indicator[i.pk].moved]
    empty = sum(1 for node in outcome_nodes.values() if not node.outputs)
    return Cascade(region, year, branches, unmoved, unlinked, empty)


def indicator_years(region: Region) -> list[int]:
    """Years with performance indicators or activities in the region, newest first."""
    years = set(
        PerformanceIndicator.objects.filter(region=region).values_list("year", flat=True)
    ) | set(Activity.objects.filter(region=region).values_list("year", flat=True))
    return sorted(years, reverse=True)


# --- non-APBD proposals -----------------------------------------------------------------------


def proposal_errors(values: dict[str, Any], region: Region) -> dict[str, str]:
    """Field errors of a non-APBD proposal (the API's rules plus the region's own links)."""
    errors: dict[str, str] = {}
    source = values.get("source")
    if source in FundingSource.public_budget() - {FundingSource.APBN_DAK}:
        errors["source"] = _("A non-APBD proposal needs financing other than the APBD.")
    cost = values.get("estimated_cost")
    if cost is not None and cost < 0:
        errors["estimated_cost"] = _("The estimated cost cannot be negative.")
    agency = values.get("agency")
    if agency is not None and agency.region_id != region.code:
        errors["agency"] = _("Choose an agency of %(region)s.") % {"region": region.name}
    activity = values.get("activity")
    if activity is not None and activity.region_id != region.code:
        errors["activity"] = _("Choose an activity of %(region)s.") % {"region": region.name}
    flagship = values.get("flagship")
    if flagship is not None and flagship.region_id != region.code:
        errors["flagship"] = _("Choose a flagship programme of %(region)s.") % {
            "region": region.name
        }
    return errors


def save_proposal(
    obj: NonApbdProposal | None,
    user: Any,
    *,
    region: Region,
    values: dict[str, Any],
    version: int | None = None,
) -> NonApbdProposal:
    """Create or change a proposal (the caller has asked ``MonevPolicy.can_propose`` and, for
    a status change, ``can_set_rkpd_status``)."""
    values = dict(values)
    errors = proposal_errors(values, region)
    if errors:
        raise ValidationError(errors)
    for name in ("description", "scheme", "status_note"):
        if name in values and values[name] is None:
            values[name] = ""
    if obj is None:
        values.setdefault("status", RkpdStatus.PROPOSED)
        return services.create(NonApbdProposal, user, region=region, **values)
    updated, _changed = services.update(obj, user, expected_version=version, **values)
    return updated


def set_rkpd_status(
    obj: NonApbdProposal, user: Any, *, status: str, note: str, version: int
) -> NonApbdProposal:
    """Bappeda moves a proposal along the RKPD (a note says why); audited, version-checked."""
    if status not in RkpdStatus.values:
        raise ValidationError({"status": _("Choose an RKPD status.")})
    if status != obj.status and not note.strip():
        raise ValidationError({"status_note": _("Say why the status changes.")})
    updated, _changed = services.update(
        obj,
        user,
        expected_version=version,
        comment=note.strip(),
        status=status,
        status_note=note.strip(),
    )
    return updated
