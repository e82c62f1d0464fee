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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.web.audit import services as audit
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
        return round(float(value), 1) if value is not None else None

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
    """The latest monev round of the home region (the demo: Banyuasin, Q3 2019)."""
    code = getattr(settings, "SINERGI_HOME_REGION", "16.07")
    latest = MonevRound.objects.filter(region_id=code).order_by("-year", "-quarter").first()
    if latest is not None:
        return redirect("monev-overview", code=code, year=latest.year, quarter=latest.quarter)
    year = (
        Activity.objects.filter(region_id=code)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if year is None:
        return render(request, "programs/empty.html", {"region_code": code})
    return redirect("monev-overview", code=code, year=year, quarter=4)


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
    return render(
        request,
        "programs/activity.html",
        {
            "activity": activity,
            "row": row,
            "report": report,
            "quarter": quarter,
            "quarters": _quarter_table(full_year, quarter),
            "chart": _activity_chart(full_year),
            "budget_lines": [(FundingSource(k).label, v) for k, v in sorted(row.budgets.items())],
            "indicators": activity.indicators.select_related(
                "serves__regional_indicator", "regional_indicator"
            ),
            "documents": activity.documents.select_related("uploaded_by"),
            "proposals": activity.proposals.all(),
            "can_write": policy.can_write_activity_data(activity),
            "upload_form": DocumentForm() if policy.can_write_activity_data(activity) else None,
            "history": audit.history(row.realisation)[:20] if row.realisation else [],
        },
    )


def _quarter_table(row: services.ActivityRow, current: int) -> list[dict[str, Any]]:
    table = []
    for q in (1, 2, 3, 4):
        plan = row.plans.get(q)
        real = row.history.get(q)
        table.append(
            {
                "quarter": q,
                "current": q == current,
                "plan": plan,
                "real": real,
                "financial_pct": (real.spent * 100 / row.public_budget)
                if real and row.public_budget
                else None,
                "planned_financial_pct": (plan.disbursement * 100 / row.public_budget)
                if plan and row.public_budget
                else None,
                "outputs": [o.by_quarter.get(q) for o in row.outputs],
            }
        )
    return table


def _activity_chart(row: services.ActivityRow) -> dict[str, Any]:
    def pct(value: Decimal | None) -> float | None:
        return round(float(value), 1) if value is not None else None

    budget = row.public_budget
    return {
        "labels": [f"TW {q}" for q in (1, 2, 3, 4)],
        "planned_physical": [
            pct(row.plans[q].physical_pct) if q in row.plans else None for q in (1, 2, 3, 4)
        ],
        "physical": [
            pct(row.history[q].physical_pct) if q in row.history else None for q in (1, 2, 3, 4)
        ],
        "planned_financial": [
            pct(row.plans[q].disbursement * 100 / budget) if q in row.plans and budget else None
            for q in (1, 2, 3, 4)
        ],
        "financial": [
            pct(row.history[q].spent * 100 / budget) if q in row.history and budget else None
            for q in (1, 2, 3, 4)
        ],
        "outputs": [
            {
                "name": f"{o.indicator.name} ({o.indicator.unit})",
                "values": [
                    float(o.by_quarter[q]) if q in o.by_quarter else None for q in (1, 2, 3, 4)
                ],
                "targets": [
                    float(t) if (t := o.indicator.quarter_target(q)) is not None else None
                    for q in (1, 2, 3, 4)
                ],
                "additive": o.indicator.additive,
            }
            for o in row.outputs
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
    content, content_type, name = reports.build(report, fmt)
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
    if request.method == "POST":
        stash = request.session.get(IMPORT_STASH_SESSION_KEY)
        if request.POST.get("token") and stash and stash.get("token") == request.POST["token"]:
            kind, name = stash["kind"], stash["name"]
            content = (_stash_dir() / stash["token"]).read_bytes()
            valid_only = True
        else:
            form = ImportForm(request.POST, request.FILES)
            if not form.is_valid():
                return render(
                    request, "programs/import.html", {"region": region, "form": form, "year": year}
                )
            upload = form.cleaned_data["file"]
            kind, name = form.cleaned_data["kind"], upload.name
            if upload.size > documents.max_bytes():
                form.add_error("file", _("The file is too large."))
                return render(
                    request, "programs/import.html", {"region": region, "form": form, "year": year}
                )
            content = upload.read()
            valid_only = False
        try:
            rows = importer.read_rows(name, content)
        except Exception as exc:  # a damaged file: openpyxl and csv raise many kinds
            messages.error(request, _("The file cannot be read: %(e)s") % {"e": exc})
            return render(
                request, "programs/import.html", {"region": region, "form": form, "year": year}
            )
        try:
            report = importer.import_file(
                kind,
                rows,
                region=region,
                user=request.user,
                can_write=policy.can_write_activity_data,
                valid_only=valid_only,
            )
        except importer.ImportFailed as exc:
            token = uuid.uuid4().hex
            (_stash_dir() / token).write_bytes(content)
            request.session[IMPORT_STASH_SESSION_KEY] = {"token": token, "kind": kind, "name": name}
            result = {
                "errors": exc.errors,
                "rows": len(rows),
                "token": token,
                "bad_rows": len({e.row for e in exc.errors}),
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
            result = {"report": report}
    return render(
        request, "programs/import.html", {"region": region, "form": form, "year": year, **result}
    )


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
    rows = importer.template_rows(kind, region, year, quarter)
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
