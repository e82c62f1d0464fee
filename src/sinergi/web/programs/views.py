"""Monev pages: quarter overview, late list, flagship, activity, realisation entry,
reports, import and documents. Views look up, ask the policy and call services."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.web.audit import services as audit
from sinergi.web.core.formatting import quarter_label, rounded
from sinergi.web.indicators import freshness
from sinergi.web.indicators.services import ConflictError
from sinergi.web.programs import documents, importer, reports, services
from sinergi.web.programs.choices import FundingSource, IndicatorLevel, RealisationStatus
from sinergi.web.programs.forms import DocumentForm, ImportForm, RealisationForm, ReviewForm
from sinergi.web.programs.models import (
    Activity,
    Document,
    FlagshipProgramme,
    MonevRound,
    NonApbdProposal,
    PerformanceIndicator,
)
from sinergi.web.programs.policy import MonevPolicy
from sinergi.web.regions.models import Region

IMPORT_STASH_SESSION_KEY = "programs_import"


def _need_details(
    request: HttpRequest, policy: MonevPolicy, region_code: str
) -> HttpResponse | None:
    """Send the public to the login page; refuse a role outside the region."""
    if policy.can_read_details(region_code):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("This region is outside your scope."))


def _period(year: int, quarter: int) -> None:
    if not (1900 <= year <= 2100 and 1 <= quarter <= 4):
        raise Http404("no such quarter")


def _as_of(request: HttpRequest) -> dt.date | None:
    raw = request.GET.get("per")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _chart(report: services.MonevReport) -> dict[str, Any]:
    """By agency: financial and physical realisation against plan (percent)."""

    def num(value: Decimal | None) -> float | None:
        r = rounded(value, services.PERCENT_DECIMALS)
        return float(r) if r is not None else None

    return {
        "labels": [str(b.agency) for b in report.blocks],
        "financial": [num(b.totals.financial_pct) for b in report.blocks],
        "financial_plan": [num(b.totals.planned_financial_pct) for b in report.blocks],
        "physical": [num(b.totals.physical_pct) for b in report.blocks],
        "late": [b.totals.late for b in report.blocks],
        "text": {
            "financial": _("Financial %"),
            "financial_plan": _("Planned financial %"),
            "physical": _("Physical %"),
        },
    }


def home(request: HttpRequest) -> HttpResponse:
    """The monev a user opens first: their region's current quarter when it plans
    activities this year, else its latest reported quarter (the demo: Banyuasin, Q3 2019).
    """
    home_code = getattr(settings, "SINERGI_HOME_REGION", "16.07")
    policy = MonevPolicy.for_user(request.user)
    scope = None if policy.is_public else policy.base.scope
    code = services.home_region(scope, home_code)
    period = services.default_period(code, timezone.localdate())
    if period is None:
        region = Region.objects.filter(code=code).first()
        return render(
            request, "programs/empty.html", {"region_code": region.name if region else code}
        )
    return redirect("monev-overview", code=code, year=period[0], quarter=period[1])


def overview(request: HttpRequest, code: str, year: int, quarter: int) -> HttpResponse:
    _period(year, quarter)
    region = get_object_or_404(Region, code=code)
    policy = MonevPolicy.for_user(request.user)
    flagship = None
    if request.GET.get("program"):
        flagship = FlagshipProgramme.objects.filter(
            region=region, slug=request.GET["program"]
        ).first()
    report = services.monev_data(region, year, quarter, flagship=flagship, as_of=_as_of(request))
    if not report.has_plan:
        return _no_plan(request, region, year, quarter)
    services.reveal_drafts(report, policy.can_see_unsubmitted)
    detail = policy.can_read_details(region.code)
    late_only = detail and request.GET.get("terlambat") == "1"
    return render(
        request,
        "programs/overview.html",
        {
            "region": region,
            "report": report,
            "detail": detail,
            "late_only": late_only,
            "chart": _chart(report),
            "flagships": FlagshipProgramme.objects.filter(region=region),
            "flagship": flagship,
            "periods": _periods(year, quarter),
            "can_import": detail
            and not policy.is_public
            and policy.base.role in ("bappeda_admin", "opd_operator"),
        },
    )


def _no_plan(request: HttpRequest, region: Region, year: int, quarter: int) -> HttpResponse:
    """A period without planned activities: say so (404) and offer the years that have them."""
    years = sorted(
        set(Activity.objects.filter(region=region).values_list("year", flat=True)), reverse=True
    )
    latest = MonevRound.objects.filter(region=region).order_by("-year", "-quarter").first()
    return render(
        request,
        "programs/no_plan.html",
        {
            "region": region,
            "period": quarter_label(year, quarter),
            "years": years,
            "latest": latest,
        },
        status=404,
    )


def _periods(year: int, quarter: int) -> dict[str, Any]:
    """The quarter picker: the year's four quarters and the neighbours of the current one."""
    return {
        "quarters": [{"year": year, "quarter": q, "current": q == quarter} for q in (1, 2, 3, 4)],
        "prev": (year, quarter - 1) if quarter > 1 else (year - 1, 4),
        "next": (year, quarter + 1) if quarter < 4 else (year + 1, 1),
    }


def late(request: HttpRequest, code: str, year: int, quarter: int) -> HttpResponse:
    """What is late this quarter, by agency, with the reasons."""
    _period(year, quarter)
    region = get_object_or_404(Region, code=code)
    policy = MonevPolicy.for_user(request.user)
    if (refused := _need_details(request, policy, region.code)) is not None:
        return refused
    report = services.monev_data(region, year, quarter, as_of=_as_of(request))
    if not report.has_plan:
        return _no_plan(request, region, year, quarter)
    blocks = [
        {"agency": b.agency, "rows": [r for r in b.rows if r.warnings]} for b in report.blocks
    ]
    return render(
        request,
        "programs/late.html",
        {"region": region, "report": report, "blocks": [b for b in blocks if b["rows"]]},
    )


def flagship_detail(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    flagship = get_object_or_404(
        FlagshipProgramme.objects.select_related("coordinator"), region=region, slug=slug
    )
    policy = MonevPolicy.for_user(request.user)
    year = int(request.GET["tahun"]) if request.GET.get("tahun", "").isdigit() else None
    quarter = int(request.GET["tw"]) if request.GET.get("tw") in {"1", "2", "3", "4"} else None
    if year is None or quarter is None:
        latest = MonevRound.objects.filter(region=region).order_by("-year", "-quarter").first()
        year = year or (latest.year if latest else flagship.year_start)
        quarter = quarter or (latest.quarter if latest else 4)
    report = services.monev_data(region, year, quarter, flagship=flagship)
    if not report.has_plan:
        return _no_plan(request, region, year, quarter)
    services.reveal_drafts(report, policy.can_see_unsubmitted)
    detail = policy.can_read_details(region.code)
    outcomes = []
    if detail:
        outcomes = list(
            PerformanceIndicator.objects.filter(
                region=region, year=year, level=IndicatorLevel.OUTCOME
            )
            .filter(served_by__activity__flagship=flagship)
            .distinct()
            .select_related("programme", "agency", "regional_indicator")
            .prefetch_related("served_by__activity")
        )
    return render(
        request,
        "programs/flagship.html",
        {
            "region": region,
            "flagship": flagship,
            "report": report,
            "detail": detail,
            "chart": _chart(report),
            "outcomes": outcomes,
            "documents": flagship.documents.select_related("uploaded_by") if detail else [],
            "proposals": flagship.proposals.select_related("agency", "activity") if detail else [],
            "upload_form": DocumentForm()
            if detail and policy.can_upload_to_flagship(flagship)
            else None,
            "year": year,
            "quarter": quarter,
        },
    )


def _activity(request: HttpRequest, pk: int) -> tuple[Activity, MonevPolicy]:
    activity = get_object_or_404(
        Activity.objects.select_related(
            "agency", "region", "nomenclature__parent__parent", "flagship"
        ),
        pk=pk,
    )
    return activity, MonevPolicy.for_user(request.user)


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity, policy = _activity(request, pk)
    if (refused := _need_details(request, policy, activity.region_id)) is not None:
        return refused
    quarter = int(request.GET["tw"]) if request.GET.get("tw") in {"1", "2", "3", "4"} else None
    if quarter is None:
        rounds = MonevRound.objects.filter(region_id=activity.region_id, year=activity.year)
        latest = rounds.order_by("-quarter").first()
        reported = (
            activity.realisations.order_by("-quarter").values_list("quarter", flat=True).first()
        )
        quarter = latest.quarter if latest else (reported or 1)
    report = services.monev_data(
        activity.region, activity.year, quarter, activity_ids=[activity.pk]
    )
    row = report.rows[0]
    full_year = services.monev_data(
        activity.region, activity.year, 4, activity_ids=[activity.pk]
    ).rows[0]
    show_drafts = policy.can_see_unsubmitted(activity)
    quarters = _quarter_table(full_year, quarter, show_drafts)
    shown = row.realisation or (row.pending if show_drafts else None)
    return render(
        request,
        "programs/activity.html",
        {
            "activity": activity,
            "row": row,
            "report": report,
            "quarter": quarter,
            "period": quarter_label(activity.year, quarter),
            "quarters": quarters,
            "chart": _activity_chart(full_year, quarters),
            "budget_lines": [(FundingSource(k).label, v) for k, v in sorted(row.budgets.items())],
            "indicators": activity.indicators.select_related(
                "serves__regional_indicator", "regional_indicator"
            ),
            "documents": activity.documents.select_related("uploaded_by"),
            "proposals": activity.proposals.all(),
            "can_write": policy.can_write_activity_data(activity),
            "upload_form": DocumentForm() if policy.can_write_activity_data(activity) else None,
            "history": audit.history(shown)[:20] if shown else [],
        },
    )


def _quarter_table(
    row: services.ActivityRow, current: int, show_drafts: bool
) -> list[dict[str, Any]]:
    """Quarter by quarter, cumulative to the end of each quarter, as the chart draws it.

    Physical progress and spending are reported cumulatively; an additive output is
    summed over the quarters so far (a level is the quarter's level). A quarter's
    draft is shown (and marked) only to those who may see drafts; otherwise it is a
    quarter "not submitted".
    """
    draft_outputs: dict[int, dict[int, Decimal]] = {}
    if show_drafts and row.pending_history:
        for pending in row.pending_history.values():
            draft_outputs[pending.quarter] = {
                o.indicator_id: o.value for o in pending.outputs.all()
            }
    last_reported = max([*row.history, *(row.pending_history if show_drafts else {})], default=0)
    totals = [Decimal(0)] * len(row.outputs)
    table = []
    for q in (1, 2, 3, 4):
        plan = row.plans.get(q)
        real = row.history.get(q)
        draft = row.pending_history.get(q) if show_drafts and real is None else None
        shown = real or draft
        unsubmitted = real is None and q in row.pending_history
        outputs = []
        for index, out in enumerate(row.outputs):
            value = out.by_quarter.get(q)
            if value is None and draft is not None:
                value = draft_outputs.get(q, {}).get(out.indicator.pk)
            if out.indicator.additive:
                totals[index] += value or 0
                outputs.append(totals[index] if q <= last_reported else None)
            else:
                outputs.append(value)
        budget = row.public_budget
        table.append(
            {
                "quarter": q,
                "label": quarter_label(row.activity.year, q),
                "current": q == current,
                "planned_physical": plan.physical_pct if plan else None,
                "planned_disbursement": plan.disbursement if plan else None,
                "planned_financial_pct": plan.disbursement * 100 / budget
                if plan and budget
                else None,
                "real": shown,
                "physical": shown.physical_pct if shown else None,
                "spent": shown.spent if shown else None,
                "financial_pct": shown.spent * 100 / budget if shown and budget else None,
                "is_draft": draft is not None,
                "status": (
                    str(shown.get_status_display())
                    if shown
                    else services.status_label(services.NOT_SUBMITTED)
                    if unsubmitted
                    else ""
                ),
                "outputs": outputs,
                "targets": [o.indicator.quarter_target(q) for o in row.outputs],
            }
        )
    return table


def _activity_chart(row: services.ActivityRow, table: list[dict[str, Any]]) -> dict[str, Any]:
    """The activity chart draws exactly the figures of the quarter table (rounded alike)."""

    def pct(value: Decimal | None) -> float | None:
        r = rounded(value, services.PERCENT_DECIMALS)
        return float(r) if r is not None else None

    def num(value: Decimal | None) -> float | None:
        return float(value) if value is not None else None

    return {
        "labels": [q["label"] for q in table],
        "planned_physical": [pct(q["planned_physical"]) for q in table],
        "physical": [pct(q["physical"]) for q in table],
        "planned_financial": [pct(q["planned_financial_pct"]) for q in table],
        "financial": [pct(q["financial_pct"]) for q in table],
        "outputs": [
            {
                "name": f"{o.indicator.name} ({o.indicator.unit})",
                "values": [num(q["outputs"][i]) for q in table],
                "targets": [num(q["targets"][i]) for q in table],
                "additive": o.indicator.additive,
            }
            for i, o in enumerate(row.outputs)
        ],
        "text": {
            "planned_physical": _("Planned physical %"),
            "physical": _("Physical %"),
            "planned_financial": _("Planned financial %"),
            "financial": _("Financial %"),
            "target": _("target"),
        },
    }


def realisation_entry(request: HttpRequest, pk: int, quarter: int) -> HttpResponse:
    """Enter (the owning OPD) or review (Bappeda) an activity's realisation for a quarter."""
    activity, policy = _activity(request, pk)
    if not 1 <= quarter <= 4:
        raise Http404("no such quarter")
    if (refused := _need_details(request, policy, activity.region_id)) is not None:
        return refused
    can_write = policy.can_write_activity_data(activity)
    can_review = policy.can_review(activity)
    outputs = list(activity.indicators.filter(level=IndicatorLevel.OUTPUT))
    current = activity.realisations.filter(quarter=quarter).prefetch_related("outputs").first()
    if current is not None and not policy.can_see_realisation(current):
        current = None  # an unsubmitted realisation is its agency's and the reviewers' only
    conflict = None
    initial: dict[str, Any] = {"version": current.version if current else 0}
    if current is not None:
        initial.update(
            physical_pct=current.physical_pct.normalize(),
            spent=f"{current.spent:.0f}",
            problems=current.problems,
            follow_up=current.follow_up,
        )
        for out in current.outputs.all():
            initial[f"output_{out.indicator_id}"] = out.value.normalize()
    form = RealisationForm(initial=initial, outputs=outputs)
    review_form = ReviewForm(initial={"version": current.version if current else 0})
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action in services.REVIEW_ACTIONS:
            if not can_review or current is None:
                raise PermissionDenied(_("Only Bappeda reviews realisations."))
            review_form = ReviewForm(request.POST)
            if review_form.is_valid():
                try:
                    services.transition(
                        current,
                        action,
                        request.user,
                        note=review_form.cleaned_data["review_note"],
                        expected_version=review_form.cleaned_data["version"],
                    )
                except ConflictError as exc:
                    messages.error(request, _("Not saved: %(e)s") % {"e": exc})
                except (services.TransitionError, ValidationError) as exc:
                    messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
                else:
                    messages.success(
                        request,
                        _("Realisation %(action)s.")
                        % {
                            "action": _("approved")
                            if action == "approve"
                            else _("returned to the agency")
                        },
                    )
                    return redirect("monev-realisation", pk=activity.pk, quarter=quarter)
        else:
            if not can_write:
                raise PermissionDenied(
                    _("Only the agency running this activity enters its realisation.")
                )
            form = RealisationForm(request.POST, outputs=outputs)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.save_realisation(
                        activity,
                        quarter,
                        physical_pct=data["physical_pct"],
                        spent=data["spent"],
                        problems=data["problems"],
                        follow_up=data["follow_up"],
                        outputs=form.output_values(),
                        expected_version=data["version"] if data["version"] is not None else None,
                        submit=action == "submit",
                        user=request.user,
                    )
                except ConflictError as exc:
                    current = (
                        activity.realisations.filter(quarter=quarter)
                        .prefetch_related("outputs")
                        .first()
                    )
                    conflict = current
                    mutable = request.POST.copy()
                    mutable["version"] = str(current.version if current else 0)
                    form = RealisationForm(mutable, outputs=outputs)
                    form.is_valid()
                    messages.error(
                        request,
                        _(
                            "Someone else saved this realisation while you were editing (%(e)s). Their values are "
                            "shown below; yours are still in the form. Save again to replace theirs."
                        )
                        % {"e": exc},
                    )
                except services.LockedError as exc:
                    messages.error(request, str(exc))
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    messages.success(
                        request,
                        _("Realisation saved.")
                        if action != "submit"
                        else _("Realisation saved and sent to Bappeda for review."),
                    )
                    return redirect(
                        reverse("monev-activity", args=[activity.pk]) + f"?tw={quarter}"
                    )
    report = services.monev_data(
        activity.region, activity.year, quarter, activity_ids=[activity.pk]
    )
    return render(
        request,
        "programs/realisation_form.html",
        {
            "activity": activity,
            "quarter": quarter,
            "current": current,
            "conflict": conflict,
            "form": form,
            "review_form": review_form,
            "can_write": can_write
            and (current is None or current.status != RealisationStatus.APPROVED),
            "can_review": can_review and current is not None,
            "actions": services.allowed_actions(current) if current else [],
            "period": quarter_label(activity.year, quarter),
            "row": report.rows[0],
            "plan": report.rows[0].plans.get(quarter),
        },
    )


def report_download(
    request: HttpRequest, code: str, year: int, quarter: int, fmt: str
) -> HttpResponse:
    _period(year, quarter)
    region = get_object_or_404(Region, code=code)
    policy = MonevPolicy.for_user(request.user)
    if (refused := _need_details(request, policy, region.code)) is not None:
        return refused
    flagship = None
    if request.GET.get("program"):
        flagship = get_object_or_404(FlagshipProgramme, region=region, slug=request.GET["program"])
    report = services.monev_data(region, year, quarter, flagship=flagship, as_of=_as_of(request))
    if not report.has_plan:
        return _no_plan(request, region, year, quarter)
    if fmt not in ("xlsx", "pdf"):
        raise Http404("no such report format")
    # Built once per change of the region's monev data, like the report it renders (the
    # same for every reader: drafts stay out of it, see reveal_drafts).
    content, content_type, name = freshness.cached(
        "monev-report-file",
        (
            region.code,
            year,
            quarter,
            flagship.slug if flagship else None,
            _as_of(request),
            timezone.localdate(),
            fmt,
        ),
        freshness.monev_scopes(region.code),
        lambda: reports.build(report, fmt),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- import ------------------------------------------------------------------------------


def _stash_dir() -> Path:
    path = Path(settings.MEDIA_ROOT).parent / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_page(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a realisation or budget file; every bad row is listed before anything is written."""
    region = get_object_or_404(Region, code=code)
    policy = MonevPolicy.for_user(request.user)
    if (refused := _need_details(request, policy, region.code)) is not None:
        return refused
    if policy.base.role not in ("bappeda_admin", "opd_operator"):
        raise PermissionDenied(_("Your role cannot import monev data."))
    form = ImportForm()
    result: dict[str, Any] = {}
    year = (
        int(request.GET.get("tahun", "0") or 0)
        or Activity.objects.filter(region=region)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
        or dt.date.today().year
    )
    quarter = request.GET.get("tw") if request.GET.get("tw") in {"1", "2", "3", "4"} else ""
    page = {
        "region": region,
        "year": year,
        "quarter": quarter,
        "max_mb": importer.max_megabytes(),
    }
    if request.method == "POST":
        stash = request.session.get(IMPORT_STASH_SESSION_KEY)
        if request.POST.get("token") and stash and stash.get("token") == request.POST["token"]:
            kind, name = stash["kind"], stash["name"]
            content = (_stash_dir() / stash["token"]).read_bytes()
            valid_only = True
        else:
            form = ImportForm(request.POST, request.FILES)
            if not form.is_valid():
                return render(request, "programs/import.html", {**page, "form": form})
            upload = form.cleaned_data["file"]
            kind, name = form.cleaned_data["kind"], upload.name
            if upload.size > importer.max_bytes():
                # Refused before reading: the file never reaches memory as a whole.
                form.add_error(
                    "file",
                    _("The file is %(size)s MB; the limit is %(limit)s MB.")
                    % {
                        "size": importer.megabytes(upload.size),
                        "limit": importer.max_megabytes(),
                    },
                )
                return render(request, "programs/import.html", {**page, "form": form})
            content = upload.read()
            valid_only = False
        try:
            rows = importer.read_upload(name, content)
            report = importer.import_file(
                kind,
                rows,
                region=region,
                user=request.user,
                can_write=policy.can_write_activity_data,
                valid_only=valid_only,
            )
        except importer.FileRefused as exc:
            # The file as a whole does not fit: no rows to pick from, nothing to stash.
            result = {"refused": _error_rows(exc.errors)}
        except importer.ImportFailed as exc:
            token = uuid.uuid4().hex
            (_stash_dir() / token).write_bytes(content)
            request.session[IMPORT_STASH_SESSION_KEY] = {"token": token, "kind": kind, "name": name}
            bad_rows = len({e.row for e in exc.errors})
            result = {
                "errors": _error_rows(exc.errors),
                "rows": len(rows),
                "token": token,
                "bad_rows": bad_rows,
                "good_rows": importer.count_rows(kind, rows) - bad_rows,
            }
        else:
            if stash := request.session.pop(IMPORT_STASH_SESSION_KEY, None):
                (_stash_dir() / stash["token"]).unlink(missing_ok=True)
            messages.success(
                request,
                _(
                    "%(rows)s rows read: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(skipped)s skipped."
                )
                % {
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": len({e.row for e in report.errors}),
                },
            )
            result = {"report": report, "skipped": _error_rows(report.errors)}
    return render(request, "programs/import.html", {**page, "form": form, **result})


def _error_rows(errors: list[importer.RowError]) -> list[dict[str, Any]]:
    """Row errors as the page shows them: the column by its label, not its code."""
    return [
        {
            "row": e.row,
            "column": importer.column_label(e.column) if e.column != "-" else "–",
            "reason": e.reason,
        }
        for e in errors
    ]


def import_template(request: HttpRequest, code: str, kind: str, fmt: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    policy = MonevPolicy.for_user(request.user)
    if (refused := _need_details(request, policy, region.code)) is not None:
        return refused
    if kind not in importer.KINDS or fmt not in {"csv", "xlsx"}:
        raise Http404("no such template")
    year = (
        int(request.GET["tahun"])
        if request.GET.get("tahun", "").isdigit()
        else dt.date.today().year
    )
    quarter = int(request.GET["tw"]) if request.GET.get("tw") in {"1", "2", "3", "4"} else None
    rows = importer.template_rows(kind, region, year, quarter, policy.can_write_activity_data)
    if fmt == "csv":
        response = HttpResponse(
            importer.template_csv(kind, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            importer.template_xlsx(kind, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = (
        f'attachment; filename="template-{kind}-{region.code}-{year}.{fmt}"'
    )
    return response


# --- documents and proposals -------------------------------------------------------------------


def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = get_object_or_404(Document, pk=pk)
    policy = MonevPolicy.for_user(request.user)
    if (refused := _need_details(request, policy, document.region_id)) is not None:
        return refused
    try:
        return documents.download_response(document)
    except FileNotFoundError:
        raise Http404("the stored file is missing") from None


@require_POST
def document_upload(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    policy = MonevPolicy.for_user(request.user)
    subject: dict[str, Any]
    if kind not in {"kegiatan", "unggulan"}:
        raise Http404("no such subject")
    if kind == "kegiatan":
        activity = get_object_or_404(Activity, pk=pk)
        allowed = policy.can_write_activity_data(activity)
        subject, back = {"activity": activity}, reverse("monev-activity", args=[activity.pk])
    else:
        flagship = get_object_or_404(FlagshipProgramme, pk=pk)
        allowed = policy.can_upload_to_flagship(flagship)
        subject, back = (
            {"flagship": flagship},
            reverse("monev-flagship", args=[flagship.region_id, flagship.slug]),
        )
    if not allowed:
        if not request.user.is_authenticated:
            return redirect_to_login(back)
        raise PermissionDenied(_("You may not add documents here."))
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            documents.add_document(
                doc_type=form.cleaned_data["doc_type"],
                title=form.cleaned_data["title"],
                name=upload.name,
                stream=upload.file,
                size=upload.size,
                user=request.user,
                **subject,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Document added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(back + "#dokumen")


def proposals(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    policy = MonevPolicy.for_user(request.user)
    if (refused := _need_details(request, policy, region.code)) is not None:
        return refused
    items = NonApbdProposal.objects.filter(region=region).select_related(
        "agency", "activity", "flagship"
    )
    return render(request, "programs/proposals.html", {"region": region, "proposals": items})
