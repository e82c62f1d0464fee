"""Read side of the SLRT app: SLA status, queues, the dashboard, the public ticket view
and the case report. Pages, the API, the XLSX export and the CLI call these; none
of them recomputes a figure.

Definitions (the report):

- **on-time rate**: of the referrals the services answered (``done`` or
  ``rejected``) with ``ended_on`` in the period, the share that ended on or before
  ``due_on``. Revoked referrals are left out (the office withdrew them).
- **median working days to close**: over the cases closed in the period,
  working days from ``opened_on`` to ``closed_on`` (:mod:`sinergi.workdays`).
- **closed-loop rate**: referrals ``done`` and ``successful`` / referrals sent
  (``sent_on`` in the period).
- Cases per desa and category: cases registered (``opened_on``) in the period.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from sinergi.web.social.models import (
    ACTIVE_STATES,
    Case,
    CaseStatus,
    Category,
    Outcome,
    Referral,
    ReferralState,
    SlaStatus,
)
from sinergi.web.social.policy import SocialPolicy


def _calendar() -> Any:
    from sinergi.web.social.services import calendar

    return calendar()


def _today(today: dt.date | None) -> dt.date:
    from sinergi.web.social.services import today as now

    return today or now()


def sla_status(referral: Referral, *, today: dt.date | None = None) -> str:
    """``on_track``, ``at_risk`` or ``breached`` of one referral on ``today``.

    A running referral is measured against today; an ended one (done, rejected,
    revoked) by whether it ended by ``due_on``.
    """
    day = _today(today)
    ended = referral.ended_on if referral.state not in ACTIVE_STATES else None
    return str(_calendar().sla_status(referral.sent_on, referral.due_on, day, ended))


def working_days_left(referral: Referral, *, today: dt.date | None = None) -> int | None:
    """Working days left until ``due_on`` (negative once past); ``None`` once ended."""
    if referral.state not in ACTIVE_STATES:
        return None
    day = _today(today)
    return int(_calendar().working_days_between(day, referral.due_on))


def with_sla(referrals: Iterable[Referral], *, today: dt.date | None = None) -> list[Referral]:
    """The referrals with ``sla_status`` and ``days_left`` set on each (for lists)."""
    day = _today(today)
    out = []
    for r in referrals:
        r.sla_status = sla_status(r, today=day)  # type: ignore[attr-defined]
        r.days_left = working_days_left(r, today=day)  # type: ignore[attr-defined]
        out.append(r)
    return out


def visible_referrals(policy: SocialPolicy) -> models.QuerySet[Referral]:
    return policy.referrals(
        Referral.objects.select_related("case", "case__desa", "service", "service__agency")
    )


def visible_cases(policy: SocialPolicy) -> models.QuerySet[Case]:
    return policy.cases(Case.objects.select_related("desa", "desa__parent"))


def queue(policy: SocialPolicy, *, active_only: bool = True) -> models.QuerySet[Referral]:
    """The referrals a service agency answers (its own only), oldest due first."""
    qs = policy.queue(
        Referral.objects.select_related("case", "case__desa", "service", "service__agency")
    )
    if active_only:
        qs = qs.filter(state__in=ACTIVE_STATES)
    return qs.order_by("due_on", "id")


def filter_sla(
    referrals: models.QuerySet[Referral], status: str, *, today: dt.date | None = None
) -> models.QuerySet[Referral]:
    """Referrals of one SLA status, as a query (for lists and the API filter).

    ``breached``: running past ``due_on``, or ended after it. ``at_risk`` and
    ``on_track`` need the calendar: running referrals are narrowed in Python by
    their ids.
    """
    day = _today(today)
    breached = models.Q(state__in=ACTIVE_STATES, due_on__lt=day) | models.Q(
        ended_on__isnull=False, ended_on__gt=models.F("due_on")
    ) & ~models.Q(state__in=ACTIVE_STATES)
    if status == SlaStatus.BREACHED:
        return referrals.filter(breached)
    running = referrals.filter(state__in=ACTIVE_STATES, due_on__gte=day)
    ids = [
        r.pk
        for r in running.select_related(None).only("id", "sent_on", "due_on", "state", "ended_on")
        if sla_status(r, today=day) == status
    ]
    if status == SlaStatus.AT_RISK:
        return referrals.filter(pk__in=ids)
    ended_ok = ~models.Q(state__in=ACTIVE_STATES) & ~breached
    return referrals.filter(models.Q(pk__in=ids) | ended_ok)


# --- dashboard ----------------------------------------------------------------------


@dataclass
class Dashboard:
    today: dt.date
    open_cases: int
    running: int
    by_sla: dict[str, int]
    breached: list[Referral]
    at_risk: list[Referral]
    by_agency: list[dict[str, Any]] = field(default_factory=list)


def dashboard(policy: SocialPolicy, *, today: dt.date | None = None, limit: int = 50) -> Dashboard:
    """Running referrals by SLA status, the breached and at-risk lists (oldest due
    first) and counts per agency, within the user's scope."""
    day = _today(today)
    running = with_sla(
        visible_referrals(policy).filter(state__in=ACTIVE_STATES).order_by("due_on", "id"),
        today=day,
    )
    by_sla = Counter(r.sla_status for r in running)  # type: ignore[attr-defined]
    agencies: dict[int, dict[str, Any]] = {}
    for r in running:
        a = agencies.setdefault(
            r.service.agency_id,
            {
                "agency": r.service.agency,
                "running": 0,
                SlaStatus.ON_TRACK.value: 0,
                SlaStatus.AT_RISK.value: 0,
                SlaStatus.BREACHED.value: 0,
            },
        )
        a["running"] += 1
        a[r.sla_status] += 1  # type: ignore[attr-defined]
    return Dashboard(
        today=day,
        open_cases=visible_cases(policy).filter(status=CaseStatus.OPEN).count(),
        running=len(running),
        by_sla={s.value: by_sla.get(s.value, 0) for s in SlaStatus},
        breached=[r for r in running if r.sla_status == SlaStatus.BREACHED][:limit],  # type: ignore[attr-defined]
        at_risk=[r for r in running if r.sla_status == SlaStatus.AT_RISK][:limit],  # type: ignore[attr-defined]
        by_agency=sorted(
            agencies.values(), key=lambda a: (-a[SlaStatus.BREACHED.value], str(a["agency"]))
        ),
    )


# --- public ticket page -------------------------------------------------------------


@dataclass(frozen=True)
class PublicReferral:
    agency: str
    state: str
    state_label: str
    sent_on: dt.date
    due_on: dt.date
    ended_on: dt.date | None


@dataclass(frozen=True)
class PublicStatus:
    """What anyone with the ticket sees: status and dates, never a name, NIK, the
    narrative, the desa or the service's name (which could tell a health condition)."""

    ticket: str
    status: str
    status_label: str
    opened_on: dt.date
    closed_on: dt.date | None
    referrals: list[PublicReferral]


def public_status(ticket: str) -> PublicStatus | None:
    """The public view of a case by its exact ticket number (``None``: no such ticket)."""
    from sinergi.web.social.services import normalise_ticket

    case = Case.objects.filter(ticket=normalise_ticket(ticket)).first()
    if case is None:
        return None
    referrals = case.referrals.select_related("service__agency").order_by("sent_on", "id")
    return PublicStatus(
        ticket=case.ticket,
        status=case.status,
        status_label=str(CaseStatus(case.status).label),
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        referrals=[
            PublicReferral(
                agency=str(r.service.agency),
                state=r.state,
                state_label=str(ReferralState(r.state).label),
                sent_on=r.sent_on,
                due_on=r.due_on,
                ended_on=r.ended_on,
            )
            for r in referrals
        ],
    )


# --- report -------------------------------------------------------------------------


def _within(day: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    if day is None:
        return False
    return (start is None or day >= start) and (end is None or day <= end)


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def case_report(
    cases: Iterable[Case] | models.QuerySet[Case],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The SLRT report over ``cases`` (already scoped by the caller's policy).

    Returns a dict: ``cases`` (registered in the period), ``by_desa`` (rows
    ``{desa_code, desa, kecamatan, total, <category>: n}``), ``by_category``
    (``{category: n}``), ``referrals_sent``, ``answered``, ``answered_on_time``,
    ``on_time_rate``, ``closed``, ``median_days_to_close``, ``done_successful``,
    ``closed_loop_rate``, ``running_by_sla`` and ``by_month`` (registered per
    ``YYYY-MM``). Rates are fractions (0-1) or ``None`` when there is nothing to
    divide by.
    """
    day = _today(today)
    cal = _calendar()
    if isinstance(cases, models.QuerySet):
        case_ids = cases.values("pk")
        case_rows = list(
            Case.objects.filter(pk__in=case_ids)
            .select_related("desa", "desa__parent")
            .only(
                "id",
                "desa",
                "category",
                "status",
                "opened_on",
                "closed_on",
                "desa__name",
                "desa__parent__name",
                "desa__parent__code",
            )
        )
        referrals = list(
            Referral.objects.filter(case_id__in=case_ids).only(
                "id", "case_id", "state", "sent_on", "due_on", "ended_on", "outcome"
            )
        )
    else:
        case_rows = list(cases)
        referrals = list(Referral.objects.filter(case__in=[c.pk for c in case_rows]))
    registered = [c for c in case_rows if _within(c.opened_on, date_from, date_to)]
    by_desa: dict[str, dict[str, Any]] = {}
    by_category: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    for c in registered:
        row = by_desa.get(c.desa_id)
        if row is None:
            parent = c.desa.parent
            row = by_desa[c.desa_id] = {
                "desa_code": c.desa_id,
                "desa": c.desa.name,
                "kecamatan": parent.name if parent is not None else "",
                "total": 0,
                **{k: 0 for k in Category.values},
            }
        row["total"] += 1
        row[c.category] += 1
        by_category[c.category] += 1
        by_month[c.opened_on.strftime("%Y-%m")] += 1
    sent = [r for r in referrals if _within(r.sent_on, date_from, date_to)]
    answered = [
        r
        for r in referrals
        if r.state in (ReferralState.DONE, ReferralState.REJECTED)
        and _within(r.ended_on, date_from, date_to)
    ]
    on_time = [r for r in answered if r.ended_on is not None and r.ended_on <= r.due_on]
    successful = [
        r for r in sent if r.state == ReferralState.DONE and r.outcome == Outcome.SUCCESSFUL
    ]
    closed = [
        c
        for c in case_rows
        if c.status == CaseStatus.CLOSED and _within(c.closed_on, date_from, date_to)
    ]
    days = [cal.working_days_between(c.opened_on, c.closed_on) for c in closed if c.closed_on]
    running = Counter(
        cal.sla_status(r.sent_on, r.due_on, day) for r in referrals if r.state in ACTIVE_STATES
    )
    per_category_days: dict[str, list[int]] = defaultdict(list)
    for c in closed:
        if c.closed_on:
            per_category_days[c.category].append(cal.working_days_between(c.opened_on, c.closed_on))
    return {
        "date_from": date_from,
        "date_to": date_to,
        "today": day,
        "cases": len(registered),
        "by_desa": sorted(by_desa.values(), key=lambda r: r["desa_code"]),
        "by_category": {k: by_category.get(k, 0) for k in Category.values},
        "by_month": dict(sorted(by_month.items())),
        "referrals_sent": len(sent),
        "answered": len(answered),
        "answered_on_time": len(on_time),
        "on_time_rate": _rate(len(on_time), len(answered)),
        "closed": len(closed),
        "median_days_to_close": statistics.median(days) if days else None,
        "median_days_to_close_by_category": {
            k: statistics.median(v) for k, v in sorted(per_category_days.items())
        },
        "done_successful": len(successful),
        "closed_loop_rate": _rate(len(successful), len(sent)),
        "running_by_sla": {s.value: running.get(s.value, 0) for s in SlaStatus},
    }
