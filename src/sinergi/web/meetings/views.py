"""Meeting pages under /rapat/. Views look up, ask the policy and call services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.web.briefings import services as briefing_services
from sinergi.web.meetings import matrix, minutes, services
from sinergi.web.meetings.choices import Decision, MeetingKind, ScoringMethod
from sinergi.web.meetings.forms import (
    ActionForm,
    AgendaForm,
    AttachmentForm,
    AttendanceForm,
    DecisionForm,
    MatrixImportForm,
    MeetingForm,
    PlaceForm,
    ProblemForm,
    RecommendationForm,
    ScoringForm,
    UsgForm,
)
from sinergi.web.meetings.models import ActionItem, Attachment, Meeting, Problem, Recommendation
from sinergi.web.meetings.policy import MeetingPolicy
from sinergi.web.regions.models import Region


def _policy(request: HttpRequest) -> MeetingPolicy:
    return MeetingPolicy.for_user(request.user)


def _need_reader(request: HttpRequest, policy: MeetingPolicy) -> HttpResponse | None:
    if policy.can_view_meetings:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("Meetings are open to Bappeda, OPD and executive users."))


def _meeting(request: HttpRequest, pk: int, policy: MeetingPolicy) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("region", "host"), pk=pk)
    if not policy.can_read(meeting):
        raise PermissionDenied(_("This meeting is outside your scope."))
    return meeting


def _manage(request: HttpRequest, pk: int) -> tuple[MeetingPolicy, Meeting]:
    policy = _policy(request)
    meeting = _meeting(request, pk, policy)
    if not policy.can_manage(meeting):
        raise PermissionDenied(_("Only Bappeda of the meeting's region may change it."))
    return policy, meeting


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for messages_ in exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]:
        for text in messages_:
            messages.error(request, text)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


def _back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + (f"#{anchor}" if anchor else ""))


def _apply(
    request: HttpRequest,
    form: Any,
    call: Callable[[dict[str, Any]], object],
    success: str,
    meeting: Meeting,
    anchor: str,
) -> HttpResponse:
    """The shape of every change on the meeting page: validate ``form``, run ``call`` (a
    service) on its cleaned data, say what happened (a stale copy or the service's own
    field errors as messages), and go back to ``anchor`` on the meeting page."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except services.ConflictError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, success)
    else:
        _form_errors(request, form)
    return _back(meeting, anchor)


def meeting_list(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_reader(request, policy)) is not None:
        return refused
    meetings = policy.meetings(Meeting.objects.select_related("region", "host")).order_by("-date")
    kind = request.GET.get("jenis", "")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    scope = policy.creation_scope
    can_create = scope is not None and policy.can_create(scope)
    rows = []
    for m in meetings.prefetch_related("recommendations__actions"):
        actions = [a for r in m.recommendations.all() for a in r.actions.all()]
        rows.append({"meeting": m, "progress": services.rollup(actions), "actions": len(actions)})
    return render(
        request,
        "meetings/list.html",
        {"rows": rows, "kinds": MeetingKind.choices, "kind": kind, "can_create": can_create},
    )


def meeting_create(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_reader(request, policy)) is not None:
        return refused
    scope = policy.creation_scope
    if scope is None or not policy.can_create(scope):
        raise PermissionDenied(_("Only Bappeda prepares meetings."))
    region = get_object_or_404(
        Region, code=scope if scope != "00" else request.GET.get("wilayah", "16.07")
    )
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        participants = data.pop("participants")
        try:
            meeting = services.create_meeting(
                request.user, region=region, participants=participants, **data
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            carried = meeting.agenda.exclude(carried=None).count()
            messages.success(
                request,
                _(
                    "Meeting saved: %(n)s follow-ups carried from the previous meeting, %(p)s problems proposed from the data."
                )
                % {"n": carried, "p": meeting.problems.count()},
            )
            return _back(meeting)
    return render(request, "meetings/form.html", {"form": form, "region": region, "meeting": None})


def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _unused, meeting = _manage(request, pk)
    initial = {
        "kind": meeting.kind,
        "title": meeting.title,
        "date": meeting.date,
        "place": meeting.place,
        "host": meeting.host_id,
        "participants": list(meeting.participants.values_list("pk", flat=True)),
        "year": meeting.year,
        "quarter": meeting.quarter,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "version": meeting.version,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        participants = data.pop("participants")
        try:
            services.update_meeting(
                meeting, request.user, expected_version=version, participants=participants, **data
            )
        except services.ConflictError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return _back(meeting)
    return render(
        request, "meetings/form.html", {"form": form, "region": meeting.region, "meeting": meeting}
    )


def _bar_rows(by_owner: list[tuple[Any, Any, int]]) -> list[dict[str, Any]]:
    return [
        {"owner": o, "progress": p, "count": n, "width": float(p or 0) * 3.0}
        for o, p, n in by_owner
    ]


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_reader(request, policy)) is not None:
        return refused
    meeting = _meeting(request, pk, policy)
    manage = policy.can_manage(meeting)
    proposals = list(
        meeting.problems.filter(decision=Decision.PROPOSED).prefetch_related("indicators")
    )
    scored = dict(services.ranked(meeting))
    nodes = [
        {
            "node": n,
            "score": scored.get(n.problem),
            "progress": services.problem_progress(n.problem),
            "indent": range(n.depth),
            "place_form": PlaceForm(
                meeting=meeting,
                prefix=f"place{n.problem.pk}",
                initial={
                    "level": n.problem.level,
                    "parent": n.problem.parent_id,
                    "version": n.problem.version,
                },
            )
            if manage
            else None,
            "usg_form": UsgForm(
                prefix=f"usg{n.problem.pk}",
                initial={
                    "urgency": n.problem.urgency,
                    "seriousness": n.problem.seriousness,
                    "growth": n.problem.growth,
                    "version": n.problem.version,
                },
            )
            if manage
            else None,
        }
        for n in services.flat_tree(meeting)
    ]
    today = timezone.localdate()  # overdue as of today: the page follows the actions up
    decided = meeting.problems.filter(
        decision__in=[Decision.MERGED, Decision.REJECTED]
    ).select_related("merged_into")
    recs = []
    for rec in meeting.recommendations.select_related("problem", "addressee").prefetch_related(
        "actions__owner", "actions__evidence"
    ):
        actions = [
            {
                "item": a,
                "progress": services.effective_progress(a),
                "overdue": services.is_overdue(a, today),
                "can_update": policy.can_update_action(a),
            }
            for a in rec.actions.all()
        ]
        recs.append(
            {
                "rec": rec,
                "progress": services.recommendation_progress(rec),
                "actions": actions,
                "action_form": ActionForm(prefix=f"action{rec.pk}") if manage else None,
            }
        )
    by_owner = _bar_rows(services.progress_by_owner(meeting))
    previous = services.previous_meeting(meeting)
    context = {
        "meeting": meeting,
        "manage": manage,
        "agenda": meeting.agenda.select_related(
            "carried", "carried__owner", "carried__recommendation__meeting"
        ),
        "attendance": meeting.attendance.select_related("organisation"),
        "participants": meeting.participants.all(),
        "attachments": meeting.attachments.filter(action=None),
        "proposals": [
            {
                "problem": p,
                "form": DecisionForm(
                    meeting=meeting, initial={"version": p.version}, prefix=f"p{p.pk}"
                ),
            }
            for p in proposals
        ],
        "decided": decided,
        "nodes": nodes,
        "recs": recs,
        "by_owner": by_owner,
        "chart_height": 28 * len(by_owner) + 10,
        "previous": previous,
        "usg": meeting.scoring == ScoringMethod.USG,
        "agenda_form": AgendaForm(prefix="agenda"),
        "attendance_form": AttendanceForm(prefix="att"),
        "problem_form": ProblemForm(meeting=meeting, prefix="problem"),
        "rec_form": RecommendationForm(meeting=meeting, prefix="rec"),
        "attachment_form": AttachmentForm(prefix="file"),
        "import_form": MatrixImportForm(),
        "criteria": list(meeting.criteria.all()),
        "score_range": range(1, 6),
        "scoring_form": ScoringForm(
            prefix="scoring",
            initial={
                "scoring": meeting.scoring,
                "criteria": "\n".join(
                    f"{c.name} = {c.weight.normalize():f}" for c in meeting.criteria.all()
                ),
            },
        ),
        "can_import": manage or any(a["can_update"] for r in recs for a in r["actions"]),
    }
    return render(request, "meetings/detail.html", context)


@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    _unused, meeting = _manage(request, pk)
    form = AgendaForm(request.POST, prefix="agenda")
    return _apply(
        request,
        form,
        lambda d: services.add_agenda_item(meeting, request.user, **d),
        _("Agenda item added."),
        meeting,
        "agenda",
    )


@require_POST
def carry(request: HttpRequest, pk: int) -> HttpResponse:
    _unused, meeting = _manage(request, pk)
    created = services.carry_over(meeting, request.user)
    messages.success(
        request, _("%(n)s follow-ups carried from the previous meeting.") % {"n": len(created)}
    )
    return _back(meeting, "agenda")


@require_POST
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    _unused, meeting = _manage(request, pk)
    form = AttendanceForm(request.POST, prefix="att")
    return _apply(
        request,
        form,
        lambda d: services.add_attendance(meeting, request.user, **d),
        _("Attendance recorded."),
        meeting,
        "attendance",
    )


@require_POST
def proposals_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    _unused, meeting = _manage(request, pk)
    new, refreshed = services.sync_proposals(meeting, request.user)
    messages.success(
        request,
        _("%(new)s new proposals, %(old)s refreshed from the data.")
        % {"new": new, "old": refreshed},
    )
    return _back(meeting, "proposals")


@require_POST
def problem_decide(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_object_or_404(Problem, pk=pk)
    _unused, meeting = _manage(request, problem.meeting_id)
    form = DecisionForm(request.POST, meeting=meeting, prefix=f"p{pk}")
    return _apply(
        request,
        form,
        lambda d: services.decide(
            problem,
            d["decision"],
            request.user,
            expected_version=d["version"],
            into=d.get("into"),
        ),
        _("Decision recorded."),
        meeting,
        "proposals",
    )


@require_POST
def problem_add(request: HttpRequest, pk: int) -> HttpResponse:
    _unused, meeting = _manage(request, pk)
    form = ProblemForm(request.POST, meeting=meeting, prefix="problem")
    return _apply(
        request,
        form,
        lambda d: services.add_problem(
            meeting,
            request.user,
            title=d["title"],
            level=d["level"],
            parent=d["parent"],
            description=d["description"],
            indicators=list(d["indicators"]),
        ),
        _("Problem added to the tree."),
        meeting,
        "tree",
    )


@require_POST
def problem_place(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_object_or_404(Problem, pk=pk)
    _unused, meeting = _manage(request, problem.meeting_id)
    form = PlaceForm(request.POST, meeting=meeting, prefix=f"place{pk}")
    return _apply(
        request,
        form,
        lambda d: services.place_problem(
            problem,
            request.user,
            level=d["level"],
            parent=d["parent"],
            expected_version=d["version"],
        ),
        _("Problem moved."),
        meeting,
        "tree",
    )


@require_POST
def problem_score(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_object_or_404(Problem, pk=pk)
    _unused, meeting = _manage(request, problem.meeting_id)
    form = UsgForm(request.POST, prefix=f"usg{pk}")
    usg = meeting.scoring == ScoringMethod.USG
    criteria = {}
    for c in meeting.criteria.all():
        raw = request.POST.get(f"crit{pk}-{c.pk}", "")
        if raw:
            criteria[c.pk] = int(raw) if raw.isdigit() else 0
    return _apply(
        request,
        form,
        lambda d: services.score_problem(
            problem,
            request.user,
            expected_version=d["version"],
            urgency=d["urgency"] if usg else problem.urgency,
            seriousness=d["seriousness"] if usg else problem.seriousness,
            growth=d["growth"] if usg else problem.growth,
            criteria=criteria,
        ),
        _("Score saved."),
        meeting,
        "tree",
    )


@require_POST
def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    _unused, meeting = _manage(request, pk)
    form = RecommendationForm(request.POST, meeting=meeting, prefix="rec")
    return _apply(
        request,
        form,
        lambda d: services.add_recommendation(meeting, request.user, **d),
        _("Recommendation added."),
        meeting,
        "recommendations",
    )


@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_object_or_404(Recommendation, pk=pk)
    _unused, meeting = _manage(request, rec.meeting_id)
    form = ActionForm(request.POST, prefix=f"action{pk}")
    return _apply(
        request,
        form,
        lambda d: services.add_action(
            rec, request.user, **{k: v for k, v in d.items() if k != "version"}
        ),
        _("Action added."),
        meeting,
        f"rec-{rec.pk}",
    )


def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_reader(request, policy)) is not None:
        return refused
    item = get_object_or_404(
        ActionItem.objects.select_related("recommendation__meeting", "owner"), pk=pk
    )
    meeting = _meeting(request, item.recommendation.meeting_id, policy)
    if not policy.can_update_action(item):
        raise PermissionDenied(_("Only the action's owner or Bappeda may update it."))
    plan = policy.can_edit_action_plan(item)
    form = ActionForm(request.POST or None, initial=ActionForm.initial_for(item), plan=plan)
    evidence_form = AttachmentForm(prefix="file")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_action(
                item, request.user, expected_version=version, may_plan=plan, **data
            )
        except services.ConflictError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _errors(request, exc)
            for field, errs in exc.message_dict.items():
                if field in form.fields:
                    for e in errs:
                        form.add_error(field, e)
        else:
            messages.success(request, _("Action updated."))
            return _back(meeting, f"action-{item.pk}")
    return render(
        request,
        "meetings/action.html",
        {
            "item": item,
            "meeting": meeting,
            "form": form,
            "evidence_form": evidence_form,
            "evidence": item.evidence.all(),
            "plan": plan,
        },
    )


@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    meeting = _meeting(request, pk, policy)
    action = None
    if request.POST.get("action"):
        action = get_object_or_404(
            ActionItem, pk=request.POST["action"], recommendation__meeting=meeting
        )
        if not policy.can_update_action(action):
            raise PermissionDenied(_("Only the action's owner or Bappeda may add its evidence."))
    elif not policy.can_manage(meeting):
        raise PermissionDenied(_("Only Bappeda of the meeting's region may change it."))
    form = AttachmentForm(request.POST, request.FILES, prefix="file")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_attachment(
                meeting,
                request.user,
                doc_type=form.cleaned_data["doc_type"],
                title=form.cleaned_data["title"],
                name=upload.name,
                stream=upload,
                size=upload.size,
                action=action,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Document uploaded."))
    else:
        _form_errors(request, form)
    if action is not None:
        return redirect("meeting-action", action.pk)
    return _back(meeting, "attachments")


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    policy = _policy(request)
    if not policy.can_view_meetings:
        raise PermissionDenied
    att = get_object_or_404(Attachment, pk=pk)
    _meeting(request, att.meeting_id, policy)
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=att.original_name, content_type=att.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def matrix_export(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_reader(request, policy)) is not None:
        return refused
    meeting = _meeting(request, pk, policy)
    response = HttpResponse(matrix.export(meeting), content_type=matrix.XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="matriks-tindak-lanjut-{meeting.pk}.xlsx"'
    )
    return response


@require_POST
def matrix_import(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    meeting = _meeting(request, pk, policy)
    form = MatrixImportForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(meeting, "matrix")
    try:
        result = matrix.import_for(meeting, form.cleaned_data["file"].read(), request.user, policy)
    except matrix.ImportRefused as exc:
        messages.error(request, str(exc))
        return _back(meeting, "matrix")
    except services.ConflictError as exc:
        messages.error(request, str(exc))
        return _back(meeting, "matrix")
    if result.errors:
        messages.error(
            request,
            _("Nothing was imported: %(n)s problems in the file. Fix them and import again.")
            % {"n": len(result.errors)},
        )
        for error in result.errors[:30]:
            messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Matrix imported: %(c)s rows changed, %(u)s unchanged.")
            % {"c": result.changed, "u": result.unchanged},
        )
    return _back(meeting, "matrix")


def minutes_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_reader(request, policy)) is not None:
        return refused
    meeting = _meeting(request, pk, policy)
    if fmt not in ("docx", "pdf"):
        raise Http404
    language = "en" if (get_language() or "id").startswith("en") else "id"
    with minutes.selected(meeting.pk):
        rendered = briefing_services.render(
            meeting.region,
            "minutes",
            meeting.date.year,
            fmt,
            language=language,  # type: ignore[arg-type]
        )
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response


@require_POST
def scoring_set(request: HttpRequest, pk: int) -> HttpResponse:
    _unused, meeting = _manage(request, pk)
    form = ScoringForm(request.POST, prefix="scoring")
    return _apply(
        request,
        form,
        lambda d: services.set_scoring(meeting, request.user, d["scoring"], d["parsed"]),
        _("Scoring saved."),
        meeting,
        "tree",
    )
