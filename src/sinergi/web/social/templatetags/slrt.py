"""SLRT page helpers: the navigation link, status badges and server-drawn bar charts.

Charts are SVG drawn here (no script, nothing inline for the Content Security
Policy to block), each next to a table with the same figures; every number is
formatted by :mod:`sinergi.web.core.formatting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sinergi.web.core.formatting import number
from sinergi.web.social.models import (
    CaseStatus,
    Category,
    Channel,
    ConsentState,
    Outcome,
    ProposalKind,
    ProposalStatus,
    ReasonCode,
    ReferralState,
    SlaStatus,
)

register = template.Library()

CHOICES: dict[str, Any] = {
    "category": Category,
    "channel": Channel,
    "case_status": CaseStatus,
    "consent": ConsentState,
    "state": ReferralState,
    "outcome": Outcome,
    "reason": ReasonCode,
    "sla": SlaStatus,
    "proposal_kind": ProposalKind,
    "proposal_status": ProposalStatus,
}

# Badge looks (classes of sinergi.css / monev.css): green, amber, red, blue, grey.
SLA_CLASS = {
    "on_track": "status-on_track",
    "at_risk": "status-at_risk",
    "breached": "status-off_track",
}
STATE_CLASS = {
    "in_progress": "rstatus-submitted",
    "accepted": "rstatus-submitted",
    "done": "rstatus-approved",
    "rejected": "status-off_track",
    "revoked": "rstatus-draft",
    "open": "rstatus-submitted",
    "closed": "rstatus-approved",
    "given": "status-on_track",
    "refused": "status-off_track",
    "withdrawn": "status-at_risk",
    "pending": "rstatus-returned",
    "exported": "rstatus-approved",
}
# Chart colours with at least 3:1 contrast on white (WCAG 1.4.11).
SLA_COLOUR = {"on_track": "#137045", "at_risk": "#9a6700", "breached": "#b42318"}
BAR_COLOUR = "#1f5fa8"


# A case's status as an adjective ("Open" alone is also a verb, translated as one).
CASE_STATUS_LABELS = {
    "open": pgettext_lazy("SLRT case status", "Open"),
    "closed": pgettext_lazy("SLRT case status", "Closed"),
}


@register.filter
def choice(value: Any, kind: str) -> Any:
    """The translated label of a stored code (``{{ c.category|choice:"category" }}``)."""
    if value in (None, ""):
        return "–"
    if kind == "case_status" and str(value) in CASE_STATUS_LABELS:
        return CASE_STATUS_LABELS[str(value)]
    enum = CHOICES.get(kind)
    if enum is None:
        return value
    try:
        return enum(str(value)).label
    except ValueError:
        return value


@register.simple_tag
def sla_badge(status: str | None) -> SafeString | str:
    """``<span class="badge …" data-sla="breached">Melewati batas</span>``."""
    if not status:
        return "–"
    return format_html(
        '<span class="badge {}" data-sla="{}">{}</span>',
        SLA_CLASS.get(status, "status-no_data"),
        status,
        choice(status, "sla"),
    )


@register.simple_tag
def state_badge(state: str | None, kind: str = "state") -> SafeString | str:
    """A badge for a referral state, a case status, a consent or a proposal status."""
    if not state:
        return "–"
    return format_html(
        '<span class="badge {}" data-state="{}">{}</span>',
        STATE_CLASS.get(state, "rstatus-draft"),
        state,
        choice(state, kind),
    )


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def days_word(days: int | None) -> str:
    """``3 hari kerja lagi``, ``hari ini batasnya``, ``lewat 2 hari kerja``."""
    from django.utils.translation import gettext, ngettext

    if days is None:
        return "–"
    if days > 0:
        return ngettext("%(n)s working day left", "%(n)s working days left", days) % {
            "n": number(days, 0)
        }
    if days == 0:
        return gettext("due today")
    late = -days
    return ngettext("%(n)s working day late", "%(n)s working days late", late) % {
        "n": number(late, 0)
    }


@register.simple_tag(takes_context=True)
def slrt_nav(context: dict[str, Any]) -> SafeString | str:
    """The SLRT top-bar link: the app for officers, the ticket page for the public."""
    request = context.get("request")
    if request is None:
        return ""
    from sinergi.web.social.policy import SocialPolicy

    if SocialPolicy.for_user(request.user).can_use_app:
        return format_html('<a href="{}">{}</a>', reverse("slrt-home"), _("SLRT referrals"))
    return format_html('<a href="{}">{}</a>', reverse("slrt-ticket"), _("SLRT ticket"))


@register.simple_tag
def bar_chart(
    rows: Sequence[tuple[Any, float | int | None]],
    title: str,
    *,
    decimals: int = 0,
    percent: bool = False,
    colours: Sequence[str] | None = None,
) -> SafeString:
    """Horizontal bars, one per ``(label, value)``, labels and values written beside.

    The SVG is an image with a title (``aria-label``); the same figures are in the
    table the page shows next to it.
    """
    rows = list(rows)
    if not rows:
        return mark_safe("")
    bar_h, gap, label_w, value_w, width = 18, 8, 190, 70, 640
    plot_w = width - label_w - value_w
    top = max((float(v) for _l, v in rows if v is not None), default=0.0) or 1.0
    height = len(rows) * (bar_h + gap) + gap
    parts = []
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        v = float(value) if value is not None else 0.0
        w = max(0.0, plot_w * v / top)
        colour = (colours[i] if colours and i < len(colours) else None) or BAR_COLOUR
        text = number(v * (100 if percent else 1), decimals) + ("%" if percent else "")
        if value is None:
            text = "–"
        short = str(label)
        short = short if len(short) <= 28 else short[:27] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end" '
            f'font-size="12" fill="#1d2733">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + w + 5:.1f}" y="{y + bar_h - 5}" font-size="12" '
            f'fill="#1d2733">{escape(text)}</text>'
        )
    return format_html(
        '<svg class="slrt-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}">'
        "<title>{}</title>{}</svg>",
        width,
        height,
        title,
        title,
        mark_safe("".join(parts)),
    )


@register.simple_tag
def column_chart(rows: Sequence[tuple[str, int]], title: str) -> SafeString:
    """Vertical bars over time (``(label, count)``, e.g. cases per month)."""
    rows = list(rows)
    if not rows:
        return mark_safe("")
    width, height, pad_b, pad_t, left = 640, 200, 34, 16, 8
    plot_h = height - pad_b - pad_t
    step = (width - 2 * left) / len(rows)
    bar_w = max(4.0, step * 0.7)
    top = max((v for _l, v in rows), default=0) or 1
    parts = []
    every = max(1, len(rows) // 12)
    for i, (label, value) in enumerate(rows):
        h = plot_h * value / top
        x = left + i * step + (step - bar_w) / 2
        y = pad_t + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle" '
            f'fill="#1d2733">{escape(number(value, 0))}</text>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - pad_b + 14}" font-size="10" '
                f'text-anchor="middle" fill="#1d2733">{escape(label)}</text>'
            )
    return format_html(
        '<svg class="slrt-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}">'
        "<title>{}</title>{}</svg>",
        width,
        height,
        title,
        title,
        mark_safe("".join(parts)),
    )


@register.inclusion_tag("social/_subnav.html", takes_context=True)
def slrt_subnav(context: dict[str, Any], current: str = "") -> dict[str, Any]:
    """The SLRT app's own menu, with the entries the user's role uses."""
    from sinergi.web.social.policy import SocialPolicy

    request = context.get("request")
    policy = SocialPolicy.for_user(request.user) if request is not None else None
    items: list[tuple[str, str, Any]] = []
    if policy is not None and policy.can_use_app:
        items.append(("home", reverse("slrt-home"), _("Dashboard")))
        if policy.can_register_anywhere:
            items.append(("intake", reverse("slrt-intake"), _("Register a case")))
        items.append(("cases", reverse("slrt-cases"), _("Cases")))
        queue = policy.is_service_operator and not policy.is_back_office
        items.append(
            ("referrals", reverse("slrt-referrals"), _("My queue") if queue else _("Referrals"))
        )
        items.append(("services", reverse("slrt-services"), _("Services")))
        items.append(("report", reverse("slrt-report"), _("Report")))
        if policy.can_review_proposals or policy.is_front_office:
            items.append(("proposals", reverse("slrt-proposals"), _("Registry proposals")))
    items.append(("ticket", reverse("slrt-ticket"), _("Ticket status")))
    return {"items": items, "current": current}
