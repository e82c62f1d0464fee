"""Pages: data sets, a period's completeness, data entry and review, import and export.

Every object is looked up through the policy's scoped querysets, so an object
of another scope answers 404 whatever its id.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.audit import presentation
from sinergi.web.audit.services import history
from sinergi.web.collection import importer, services, workflow
from sinergi.web.collection import periods as period_codes
from sinergi.web.collection.choices import SubmissionStatus, Timeliness
from sinergi.web.collection.forms import EntryGrid, ImportForm
from sinergi.web.collection.models import DataSet, Period, Submission
from sinergi.web.collection.policy import CollectionPolicy
from sinergi.web.collection.validation import blocking
from sinergi.web.indicators.services import ConflictError
from sinergi.web.regions.models import Region


def _dataset(policy: Policy, code: str) -> DataSet:
    return get_object_or_404(
        CollectionPolicy(policy).datasets(DataSet.objects.select_related("owner", "region")),
        code=code,
    )


def _period(dataset: DataSet, code: str) -> Period:
    period = get_object_or_404(Period, dataset=dataset, code=code)
    period.dataset = dataset  # already loaded
    return period


def _region(policy: Policy, dataset: DataSet, code: str) -> Region:
    return get_object_or_404(policy.regions(dataset.reporting_regions.all()), code=code)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The data sets the user works with and the submissions waiting for the user."""
    policy = Policy.for_user(request.user)
    today = timezone.localdate()
    datasets = list(
        CollectionPolicy(policy)
        .datasets(DataSet.objects.select_related("owner", "region"))
        .prefetch_related(Prefetch("periods", queryset=Period.objects.order_by("-code")))
    )
    cards = []
    for ds in datasets:
        current = next((p for p in ds.periods.all() if p.is_open(today)), None)  # type: ignore[attr-defined]
        cards.append({"dataset": ds, "period": current})
    return render(
        request,
        "collection/home.html",
        {
            "cards": cards,
            "tasks": _tasks(policy, datasets, today),
            "policy": policy,
            "can_manage_users": policy.can_manage_users,
            "can_design": CollectionPolicy(policy).can_design_any,
        },
    )


def _tasks(policy: Policy, datasets: list[DataSet], today: Any) -> list[dict[str, Any]]:
    """What waits for this user: regions to fill (operators), submissions to review."""
    tasks: list[dict[str, Any]] = []
    if policy.role == Role.KECAMATAN_OPERATOR:
        open_periods = [p for ds in datasets for p in ds.periods.all() if p.is_open(today)]  # type: ignore[attr-defined]
        regions = {r.code: r for r in policy.regions(Region.objects.all()).filter(level="district")}
        subs = {
            (s.period_id, s.region_id): s
            for s in Submission.objects.filter(period__in=open_periods, region_id__in=list(regions))
        }
        for period in open_periods:
            for code, region in regions.items():
                sub = subs.get((period.pk, code))
                if sub is None or sub.is_editable:
                    tasks.append(
                        {
                            "period": period,
                            "region": region,
                            "submission": sub,
                            "late": today > period.closes_on,
                        }
                    )
    else:
        wanted = {
            Role.OPD_OPERATOR: SubmissionStatus.SUBMITTED,
            Role.BAPPEDA_ADMIN: SubmissionStatus.VERIFIED,
        }.get(policy.role)  # type: ignore[call-overload]
        if wanted:
            subs = (
                policy.submissions(
                    Submission.objects.filter(status=wanted, period__dataset__in=datasets)
                )
                .select_related("period__dataset", "region")
                .order_by("submitted_at")[:200]
            )
            tasks = [
                {"period": s.period, "region": s.region, "submission": s, "late": False}
                for s in subs
            ]
    return tasks


@login_required
def dataset_detail(request: HttpRequest, code: str) -> HttpResponse:
    policy = Policy.for_user(request.user)
    dataset = _dataset(policy, code)
    elements, rules = services.definition(dataset)
    series = services.completeness_series(dataset, policy)
    periods = list(dataset.periods.order_by("-code"))  # type: ignore[attr-defined]
    by_code = {s["period"]: s for s in series}
    return render(
        request,
        "collection/dataset.html",
        {
            "dataset": dataset,
            "elements": elements,
            "rules": rules,
            "ratios": dataset.ratios.select_related("indicator", "numerator", "denominator"),  # type: ignore[attr-defined]
            "periods": [(p, by_code.get(p.code)) for p in periods],
            "series": series,
            "today": timezone.localdate(),
        },
    )


@login_required
def completeness(request: HttpRequest, code: str, period: str) -> HttpResponse:
    """Which regions reported the period, on time or late, and which are missing."""
    policy = Policy.for_user(request.user)
    dataset = _dataset(policy, code)
    if not policy.can_view_completeness(dataset):
        raise Http404
    per = _period(dataset, period)
    report = services.completeness(per, policy)
    series = services.completeness_series(dataset, policy)
    chart = {
        "labels": [period_codes.label(s["period"], dataset.period_type) for s in series],
        "series": {t.value: [s[t.value] for s in series] for t in Timeliness},
        "names": {t.value: str(t.label) for t in Timeliness},
        "current": report.counts,
    }
    return render(
        request,
        "collection/completeness.html",
        {
            "dataset": dataset,
            "period": per,
            "report": report,
            "chart": chart,
            "can_enter": policy.role == Role.KECAMATAN_OPERATOR,
            "periods": dataset.periods.order_by("-code"),  # type: ignore[attr-defined]
        },
    )


@login_required
def entry(request: HttpRequest, code: str, period: str, region: str) -> HttpResponse:
    """Enter (operator) or review (verifier, approver) a region's submission for a period."""
    policy = Policy.for_user(request.user)
    dataset = _dataset(policy, code)
    per = _period(dataset, period)
    reg = _region(policy, dataset, region)
    sub = (
        Submission.objects.filter(period=per, region=reg)
        .select_related("period__dataset", "region", "updated_by")
        .first()
    )
    can_enter = policy.can_enter_data(reg.code)
    if sub is not None and not (policy.can_read_submission(sub) or can_enter):
        raise Http404
    if sub is None and not can_enter:
        # Not a missing page: the region simply has not reported yet. Say so.
        return render(
            request,
            "collection/not_started.html",
            {
                "dataset": dataset,
                "period": per,
                "region": reg,
                "late": timezone.localdate() > per.closes_on,
                "can_view_completeness": policy.can_view_completeness(dataset),
            },
        )
    elements, _rules = services.period_definition(per)
    if request.method == "POST":
        return _save(request, policy, per, reg, sub, elements)
    values = services.values_of(sub) if sub else {}
    grid = EntryGrid.from_values(elements, values)
    if sub is not None:
        grid.comments = dict(sub.rule_comments or {})
    return _render_entry(request, policy, per, reg, sub, grid)


TRAIL = 10


def _render_entry(
    request: HttpRequest,
    policy: Policy,
    period: Period,
    region: Region,
    sub: Submission | None,
    grid: EntryGrid,
    *,
    conflict: int | None = None,
    version: int | None = None,
    status: int = 200,
    preview: dict[str, Any] | None = None,
) -> HttpResponse:
    """The entry page; ``preview`` (the designer's): the form as its operator sees it, with
    nothing to save, review or discard."""
    draft = sub or Submission(period=period, region=region)
    entered = {k: v for k, v in grid.values.items() if v is not None}
    issues = services.issues_for(draft, entered) if sub is not None or entered else []
    grid.attach(issues)
    previous = services.previous_approved(draft)
    if previous is not None:
        grid.show_previous(services.values_of(previous))
    editable = policy.can_enter_data(region.code) and (sub is None or sub.is_editable)
    if editable and not period.is_open(timezone.localdate()):
        editable = False
    if preview is not None:
        editable = True
    # The latest steps; the history page has them all (and every value changed).
    trail = presentation.describe(sub, list(history(sub)[:TRAIL])) if sub is not None else []
    cell_names = {
        (r.element.code, c.category): r.element.label + (f" ({c.label})" if c.category else "")
        for r in grid.rows
        for c in r.cells
    }
    return render(
        request,
        "collection/entry.html",
        {
            "dataset": period.dataset,
            "period": period,
            "region": region,
            "submission": sub,
            "grid": grid,
            "editable": editable,
            "previous": previous,
            "ratios": services.ratio_values(
                period.dataset, entered, [r.element for r in grid.rows]
            ),
            "derived_bad": {i.key.partition(":")[2] for i in issues if i.kind == "derived"},
            "hard": [i for i in issues if i.is_hard and i.kind != "missing"],
            "missing": [i for i in issues if i.kind == "missing"],
            "show_missing": sub is not None or bool(preview and request.method == "POST"),
            "missing_names": [
                cell_names.get((i.element, i.category), i.message)
                for i in issues
                if i.kind == "missing"
            ],
            "soft": [(i, grid.comments.get(i.key, "")) for i in issues if not i.is_hard],
            "transitions": (CollectionPolicy(policy).review_steps(sub) if sub is not None else []),
            "preview": preview,
            "trail": trail,
            "conflict": conflict,
            "version": version if version is not None else (sub.version if sub else ""),
            "can_discard": bool(sub and editable and sub.first_submitted_at is None),
        },
        status=status,
    )


render_entry = _render_entry  # the designer's preview shows the very same page


def _save(
    request: HttpRequest,
    policy: Policy,
    period: Period,
    region: Region,
    sub: Submission | None,
    elements: list,
) -> HttpResponse:
    grid = EntryGrid.from_post(elements, request.POST)
    raw_version = request.POST.get("version", "")
    # A form opened before the submission existed edited its first version.
    expected = int(raw_version) if raw_version.isdigit() else 1
    if grid.errors:
        messages.error(request, _("Nothing was saved: some cells are not numbers."))
        return _render_entry(
            request, policy, period, region, sub, grid, version=expected, status=400
        )
    try:
        if sub is None:
            sub = services.start_submission(period, region, request.user)
        result = services.save_values(
            sub, request.user, grid.values, expected_version=expected, rule_comments=grid.comments
        )
    except ConflictError as exc:
        current = Submission.objects.select_related("period__dataset", "region", "updated_by").get(
            pk=sub.pk
        )  # type: ignore[union-attr]
        differing = grid.mark_conflicts(services.values_of(current))
        messages.error(
            request,
            _(
                "Not saved: %(who)s saved this form after you opened it (now version %(now)s, you "
                "edited version %(yours)s). Your entries are kept below; cells marked "
                "“saved meanwhile” "
                "differ from what was saved. Check them and save again to keep yours."
            )
            % {
                "who": current.updated_by or _("someone"),
                "now": exc.current_version,
                "yours": expected,
            },
        )
        return _render_entry(
            request,
            policy,
            period,
            region,
            current,
            grid,
            conflict=differing,
            version=current.version,
            status=409,
        )
    except workflow.WorkflowError as exc:
        if exc.forbidden:
            raise Http404 from None
        for text in exc.messages:
            messages.error(request, text)
        return redirect(request.path)
    sub = result.submission
    if request.POST.get("do") == "submit":
        try:
            workflow.perform(sub, "submit", request.user, expected_version=sub.version)
        except workflow.WorkflowError as exc:
            messages.error(request, _("Saved as a draft but not submitted:"))
            for text in exc.messages:
                messages.error(request, text)
            return redirect(request.path)
        messages.success(request, _("Submitted for verification."))
        return redirect(request.path)
    hard = blocking(result.issues)
    if result.changed:
        messages.success(request, _("Draft saved (version %(v)s).") % {"v": sub.version})
    else:
        messages.info(request, _("Nothing changed."))
    # The same counts as the page lists: problems one by one, empty cells on one line.
    problems = sum(1 for i in hard if i.kind != "missing")
    empty = len(hard) - problems
    if problems and empty:
        messages.warning(
            request,
            _(
                "%(n)s problem(s) must be fixed and %(m)s empty cell(s) filled before you "
                "can submit."
            )
            % {"n": problems, "m": empty},
        )
    elif problems:
        messages.warning(
            request, _("%(n)s problem(s) must be fixed before you can submit.") % {"n": problems}
        )
    elif empty:
        messages.info(
            request, _("%(m)s empty cell(s) must be filled before you can submit.") % {"m": empty}
        )
    return redirect(request.path)


@login_required
@require_POST
def act(request: HttpRequest, code: str, period: str, region: str) -> HttpResponse:
    """A workflow step (verify, approve, return, un-approve, submit) from the review page."""
    policy = Policy.for_user(request.user)
    dataset = _dataset(policy, code)
    per = _period(dataset, period)
    reg = _region(policy, dataset, region)
    sub = (
        Submission.objects.filter(period=per, region=reg).select_related("period__dataset").first()
    )
    if sub is None or not policy.can_read_submission(sub):
        raise Http404
    raw_version = request.POST.get("version", "")
    try:
        workflow.perform(
            sub,
            request.POST.get("action", ""),
            request.user,
            comment=request.POST.get("comment", ""),
            expected_version=int(raw_version) if raw_version.isdigit() else None,
        )
    except ConflictError:
        messages.error(
            request, _("Not done: the submission changed after you opened it. Review it again.")
        )
    except workflow.WorkflowError as exc:
        if exc.forbidden:
            # The site's 403 page, with the reason and the user's role (not a bare text).
            raise PermissionDenied(exc.messages[0]) from exc
        for text in exc.messages:
            messages.error(request, text)
    else:
        sub.refresh_from_db()
        messages.success(
            request,
            _("Done: the submission is now “%(status)s”.") % {"status": sub.get_status_display()},
        )
    return redirect("collection-entry", code=dataset.code, period=per.code, region=reg.code)


@login_required
def discard(request: HttpRequest, code: str, period: str, region: str) -> HttpResponse:
    """Discard a never-submitted draft: GET asks for confirmation (no script needed), POST
    discards."""
    policy = Policy.for_user(request.user)
    dataset = _dataset(policy, code)
    per = _period(dataset, period)
    reg = _region(policy, dataset, region)
    sub = get_object_or_404(Submission, period=per, region=reg)
    if request.method != "POST":
        if not policy.can_edit_submission(sub) or sub.first_submitted_at is not None:
            raise Http404
        return render(
            request,
            "collection/discard.html",
            {
                "dataset": dataset,
                "period": per,
                "region": reg,
                "submission": sub,
                "filled": sub.values.count(),  # type: ignore[attr-defined]
            },
        )
    raw_version = request.POST.get("version", "")
    try:
        services.delete_draft(
            sub, request.user, expected_version=int(raw_version) if raw_version.isdigit() else None
        )
    except ConflictError:
        messages.error(request, _("Not discarded: the draft changed after you opened it."))
        return redirect("collection-entry", code=dataset.code, period=per.code, region=reg.code)
    except workflow.WorkflowError as exc:
        if exc.forbidden:
            raise Http404 from None
        messages.error(request, " ".join(exc.messages))
        return redirect("collection-entry", code=dataset.code, period=per.code, region=reg.code)
    messages.success(request, _("Draft discarded."))
    return redirect("collection-completeness", code=dataset.code, period=per.code)


@login_required
def import_file(request: HttpRequest, code: str, period: str) -> HttpResponse:
    """Upload a filled template; every bad cell is listed, nothing is written unless asked."""
    policy = Policy.for_user(request.user)
    dataset = _dataset(policy, code)
    per = _period(dataset, period)
    if policy.role != Role.KECAMATAN_OPERATOR:
        raise Http404
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = importer.read(upload.name, upload.read())
        except importer.UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            try:
                report = importer.import_rows(
                    per,
                    request.user,
                    table.rows,
                    valid_only=form.cleaned_data["valid_only"],
                    first_line=table.first_line,
                )
            except ConflictError:
                form.add_error(
                    "file",
                    _(
                        "Nothing was imported: a submission changed while the "
                        "file was checked. Upload it again."
                    ),
                )
            if report and report.written:
                messages.success(
                    request,
                    _(
                        "Imported %(saved)s region(s) as drafts (%(unchanged)s unchanged, %(bad)s "
                        "skipped). Open each to submit it."
                    )
                    % {
                        "saved": report.saved,
                        "unchanged": report.unchanged,
                        "bad": report.bad_rows,
                    },
                )
    labels = importer.column_labels(services.period_definition(per)[0])
    return render(
        request,
        "collection/import.html",
        {
            "dataset": dataset,
            "period": per,
            "form": form,
            "report": report,
            "error_rows": [(e, labels.get(e.column, "")) for e in report.errors] if report else [],
        },
        status=400 if report and not report.written else 200,
    )


@login_required
def download(request: HttpRequest, code: str, period: str, kind: str, fmt: str) -> HttpResponse:
    """The import template (prefilled with the user's regions) or the export of what the user
    may read, as CSV or XLSX."""
    policy = Policy.for_user(request.user)
    dataset = _dataset(policy, code)
    per = _period(dataset, period)
    header, rows = importer.table(per, request.user, for_entry=(kind == "template"))
    name = f"{dataset.code}_{per.code}_{'template' if kind == 'template' else 'export'}"
    if fmt == "xlsx":
        body = importer.to_xlsx(header, rows, per.label, period=per, for_entry=(kind == "template"))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = importer.to_csv(header, rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
