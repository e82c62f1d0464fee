"""Programme and beneficiary-list pages: programmes, upload -> column mapping -> report ->
import, matching runs with their progress, the review queue and its decisions.

Views look up, ask :class:`BeneficiaryPolicy` and call :mod:`services` / :mod:`matching`;
they hold no rule of their own.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sinergi.web.beneficiaries import importer, matching, services
from sinergi.web.beneficiaries.forms import (
    DecisionForm,
    MappingForm,
    ProgrammeForm,
    RunForm,
    UploadForm,
)
from sinergi.web.beneficiaries.models import (
    BeneficiaryList,
    Decision,
    MatchDecision,
    MatchLink,
    MatchRun,
    MatchState,
    Programme,
    RunStatus,
)
from sinergi.web.beneficiaries.policy import BeneficiaryPolicy
from sinergi.web.regions.models import Region
from sinergi.web.registry.models import Release

SHOWN_PROBLEMS = 500
SESSION_UPLOADS = "beneficiary_uploads"
COMPARISON_FIELDS = ("nik", "full_name", "birth_date", "sex", "address", "region_code")


# --- helpers ------------------------------------------------------------------------


def _policy(request: HttpRequest) -> BeneficiaryPolicy:
    return BeneficiaryPolicy.for_user(request.user)


def _login_or_403(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("Programme lists are for officers of a programme's agencies."))


def _visible_programme(policy: BeneficiaryPolicy, code: str) -> Programme:
    return get_object_or_404(
        policy.programmes(Programme.objects.select_related("owner", "region")), code=code
    )


def _managed_programme(policy: BeneficiaryPolicy, code: str) -> Programme:
    programme = _visible_programme(policy, code)
    policy.require_manage(programme)
    return programme


def _managed_run(policy: BeneficiaryPolicy, pk: int) -> MatchRun:
    run = get_object_or_404(
        MatchRun.objects.select_related("beneficiary_list__programme__owner", "release"), pk=pk
    )
    policy.require_manage(run.beneficiary_list.programme)
    return run


def _region_names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in={c for c in codes if c}).values_list("code", "name"))


def _releases(policy: BeneficiaryPolicy) -> list[Release]:
    return list(
        policy.registry.releases(Release.objects.filter(status="ready")).order_by(
            "-reference_date", "-created_at"
        )
    )


def _uploads_dir() -> Path:
    return Path(settings.DATA_DIR) / "tmp" / "beneficiary-uploads"


def _problem_rows(problems: list[dict[str, Any]]) -> dict[str, Any]:
    by_reason: dict[tuple[str, bool], int] = {}
    for p in problems:
        key = (p["reason"], bool(p.get("fatal", True)))
        by_reason[key] = by_reason.get(key, 0) + 1
    ranked = sorted(by_reason.items(), key=lambda kv: (not kv[0][1], -kv[1]))
    shown = [
        {
            **p,
            "message": importer.describe(p["reason"], **p.get("params", {})),
            "field_label": importer.FIELD_BY_KEY[p["field"]].label
            if p.get("field") in importer.FIELD_BY_KEY
            else "",
        }
        for p in problems[:SHOWN_PROBLEMS]
    ]
    return {
        "by_reason": [
            {"message": importer.describe(r), "fatal": fatal, "rows": n} for (r, fatal), n in ranked
        ],
        "problems": shown,
        "problems_cut": len(problems) > SHOWN_PROBLEMS,
        "problem_total": len(problems),
    }


# --- programmes ---------------------------------------------------------------------


def programme_list(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not policy.is_signed_in_officer:
        return _login_or_403(request)
    programmes = list(
        policy.programmes(Programme.objects.select_related("owner", "region")).order_by("name")
    )
    managed = set(policy.managed_programmes(Programme.objects.all()).values_list("pk", flat=True))
    latest: dict[int, BeneficiaryList] = {}
    for blist in BeneficiaryList.objects.filter(programme__in=programmes, status="ready").order_by(
        "programme_id", "-created_at", "-id"
    ):
        latest.setdefault(blist.programme_id, blist)
    runs: dict[int, MatchRun] = {}
    for run in MatchRun.objects.filter(
        beneficiary_list__in=list(latest.values()), status=RunStatus.DONE
    ).order_by("-started_at", "-id"):
        runs.setdefault(run.beneficiary_list_id, run)
    rows = []
    for p in programmes:
        blist = latest.get(p.pk)
        rows.append(
            {
                "programme": p,
                "list": blist,
                "run": runs.get(blist.pk) if blist else None,
                "managed": p.pk in managed,
            }
        )
    return render(
        request,
        "beneficiaries/programmes.html",
        {"rows": rows, "can_create": policy.can_manage_any},
    )


def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy(request)
    if not policy.is_signed_in_officer:
        return _login_or_403(request)
    programme = _visible_programme(policy, code)
    can_manage = policy.can_manage(programme)
    lists = list(programme.lists.select_related("created_by").order_by("-created_at", "-id"))
    runs: dict[int, list[MatchRun]] = {}
    for run in MatchRun.objects.filter(beneficiary_list__in=lists).select_related("release"):
        runs.setdefault(run.beneficiary_list_id, []).append(run)
    mapping = services.saved_mapping(programme)
    return render(
        request,
        "beneficiaries/programme.html",
        {
            "programme": programme,
            "lists": [(b, runs.get(b.pk, [])) for b in lists],
            "can_manage": can_manage,
            "mapping": [
                (f.label, mapping.get(f.key)) for f in importer.FIELDS if mapping.get(f.key)
            ],
            "decisions": programme.decisions.count() if can_manage else None,
        },
    )


@never_cache
def programme_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    policy = _policy(request)
    if code is None:
        if not policy.can_manage_any:
            return _login_or_403(request)
        programme = None
    else:
        programme = _managed_programme(policy, code)
    form = ProgrammeForm(request.POST or None, instance=programme, scope=policy.scope)
    status = 200
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in form.Meta.fields if k in form.cleaned_data}
        try:
            if programme is None:
                programme = services.create_programme(request.user, **values)
                messages.success(request, _("The programme was created."))
            else:
                values.pop("code", None)
                expected = form.cleaned_data.get("version") or programme.version
                programme = services.update_programme(
                    programme, request.user, expected_version=expected, **values
                )
                messages.success(request, _("The programme was saved."))
        except services.ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            if not policy.can_manage(programme):  # created outside the user's own area
                return redirect("beneficiaries-programmes")
            return redirect("beneficiaries-programme", code=programme.code)
    return render(
        request,
        "beneficiaries/programme_form.html",
        {"form": form, "programme": programme},
        status=status,
    )


# --- upload -> mapping -> report -> import ------------------------------------------


@never_cache
def upload(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy(request)
    if not request.user.is_authenticated:
        return _login_or_403(request)
    programme = _managed_programme(policy, code)
    form = UploadForm(
        request.POST or None, request.FILES or None, max_bytes=services.max_upload_bytes()
    )
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        _remove_stale_uploads()
        token = secrets.token_urlsafe(16)
        folder = _uploads_dir() / token
        folder.mkdir(parents=True)
        suffix = Path(upload_file.name).suffix.lower()
        with (folder / f"source{suffix}").open("wb") as out:
            for chunk in upload_file.chunks():
                out.write(chunk)
        uploads = request.session.get(SESSION_UPLOADS, {})
        uploads[token] = {
            "programme": programme.code,
            "label": form.cleaned_data["label"],
            "file_name": Path(upload_file.name).name,
            "suffix": suffix,
        }
        request.session[SESSION_UPLOADS] = uploads
        return redirect("beneficiaries-mapping", code=programme.code, token=token)
    return render(
        request,
        "beneficiaries/upload.html",
        {
            "programme": programme,
            "form": form,
            "max_mb": services.max_upload_bytes() // (1024 * 1024),
        },
    )


def _remove_stale_uploads(max_age_hours: int = 24) -> None:
    """Uploads never imported (the user left the mapping step) are removed after a day."""
    import time

    root = _uploads_dir()
    if not root.exists():
        return
    limit = time.time() - max_age_hours * 3600
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _upload_of(request: HttpRequest, programme: Programme, token: str) -> tuple[dict, Path]:
    info = request.session.get(SESSION_UPLOADS, {}).get(token)
    if not info or info.get("programme") != programme.code:
        raise Http404("upload not found")
    path = _uploads_dir() / token / f"source{info['suffix']}"
    if not path.exists():
        raise Http404("upload gone")
    return info, path


def _forget_upload(request: HttpRequest, token: str) -> None:
    uploads = request.session.get(SESSION_UPLOADS, {})
    uploads.pop(token, None)
    request.session[SESSION_UPLOADS] = uploads
    shutil.rmtree(_uploads_dir() / token, ignore_errors=True)


@never_cache
def mapping(request: HttpRequest, code: str, token: str) -> HttpResponse:
    policy = _policy(request)
    if not request.user.is_authenticated:
        return _login_or_403(request)
    programme = _managed_programme(policy, code)
    info, path = _upload_of(request, programme, token)
    context: dict[str, Any] = {"programme": programme, "info": info, "token": token}
    try:
        table = importer.read_file(path, max_bytes=services.max_upload_bytes())
    except importer.FileRefused as exc:
        _forget_upload(request, token)
        context["refused"] = str(exc)
        context["form"] = UploadForm(max_bytes=services.max_upload_bytes())
        context["max_mb"] = services.max_upload_bytes() // (1024 * 1024)
        return render(request, "beneficiaries/upload.html", context, status=400)
    saved = services.saved_mapping(programme)
    suggested = importer.suggest_mapping(table.headers, saved)
    form = MappingForm(request.POST or None, headers=table.headers, initial_mapping=suggested)
    samples = table.samples()
    context.update(
        {
            "form": form,
            "headers": [
                {
                    "name": h,
                    "samples": [
                        importer.sample_text(v, masked=importer.looks_like_nik(samples[h]))
                        for v in samples[h]
                    ],
                }
                for h in table.headers
            ],
            "rows_in_file": len(table.rows),
            "from_saved": bool(saved) and all(suggested.get(k) == v for k, v in saved.items()),
        }
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.mapping()
        action = request.POST.get("action", "check")
        try:
            if action == "import":
                outcome = services.import_list(
                    programme,
                    path,
                    label=info["label"],
                    file_name=info["file_name"],
                    user=request.user,
                    mapping=chosen,
                    valid_only=form.cleaned_data["valid_only"],
                )
            else:
                outcome = services.import_list(
                    programme,
                    path,
                    label=info["label"],
                    file_name=info["file_name"],
                    user=request.user,
                    mapping=chosen,
                    dry_run=True,
                )
        except importer.MappingInvalid as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except (importer.FileRefused, services.ImportRefused) as exc:
            form.add_error(None, str(exc))
        else:
            if outcome.blist is not None:
                _forget_upload(request, token)
                messages.success(
                    request,
                    _("The list was imported: %(n)s rows.")
                    % {"n": f"{outcome.blist.rows:,}".replace(",", ".")},
                )
                return redirect("beneficiaries-list", pk=outcome.blist.pk)
            context["outcome"] = outcome
            context["counts"] = outcome.counts
            context["checked"] = True
            context["refused_import"] = action == "import"
            context.update(_problem_rows([p.as_dict() for p in outcome.problems]))
    return render(request, "beneficiaries/mapping.html", context)


# --- lists and runs -----------------------------------------------------------------


def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if not request.user.is_authenticated:
        return _login_or_403(request)
    blist = get_object_or_404(
        BeneficiaryList.objects.select_related("programme__owner", "created_by"), pk=pk
    )
    policy.require_manage(blist.programme)
    releases = _releases(policy)
    accept, review = matching.default_thresholds(blist)
    form = RunForm(
        initial={
            "release": releases[0].slug if releases else None,
            "accept": accept,
            "review": review,
        },
        releases=[(r.slug, r.name) for r in releases],
    )
    context = {
        "blist": blist,
        "programme": blist.programme,
        "runs": list(blist.runs.select_related("release", "created_by")),
        "form": form,
        "has_releases": bool(releases),
        "counts": blist.counts or {},
    }
    context.update(_problem_rows(list(blist.errors or [])))
    return render(request, "beneficiaries/list.html", context)


@require_POST
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if not request.user.is_authenticated:
        return _login_or_403(request)
    blist = get_object_or_404(BeneficiaryList.objects.select_related("programme"), pk=pk)
    policy.require_manage(blist.programme)
    releases = _releases(policy)
    form = RunForm(request.POST, releases=[(r.slug, r.name) for r in releases])
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("beneficiaries-list", pk=blist.pk)
    release = next(r for r in releases if r.slug == form.cleaned_data["release"])
    try:
        run = matching.start(
            blist,
            release,
            user=request.user,
            accept=form.cleaned_data["accept"],
            review=form.cleaned_data["review"],
        )
    except matching.RunRefused:
        messages.error(request, _("This list cannot be matched."))
        return redirect("beneficiaries-list", pk=blist.pk)
    return redirect("beneficiaries-run", pk=run.pk)


STEP_LABELS = {
    "queued": gettext_lazy("Waiting to start"),
    "reading": gettext_lazy("Reading the list and the release"),
    "exact": gettext_lazy("Matching on NIK"),
    "probabilistic": gettext_lazy("Matching on name, birth date and address"),
    "details": gettext_lazy("Collecting the candidate pairs"),
    "duplicates": gettext_lazy("Looking for duplicates within the list"),
    "saving": gettext_lazy("Saving the matches"),
    "done": gettext_lazy("Done"),
}


def _step_label(step: str | None) -> str:
    return str(STEP_LABELS.get(step or "queued", STEP_LABELS["queued"]))


@never_cache
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if not request.user.is_authenticated:
        return _login_or_403(request)
    run = _managed_run(policy, pk)
    progress = (run.stats or {}).get("progress") or {}
    stale = matching.is_stale(run)
    return render(
        request,
        "beneficiaries/run.html",
        {
            "run": run,
            "blist": run.beneficiary_list,
            "programme": run.beneficiary_list.programme,
            "counts": run.counts or {},
            "running": run.status == RunStatus.RUNNING and not stale,
            "stale": stale,
            "step": _step_label(progress.get("step")),
            "fraction": float(progress.get("fraction") or 0) * 100,
            "decisions": MatchDecision.objects.filter(
                programme=run.beneficiary_list.programme
            ).count(),
        },
    )


# --- review -------------------------------------------------------------------------

LEVELS = {
    "exact": ("agree", "✓", gettext_lazy("same")),
    "close": ("close", "≈", gettext_lazy("similar")),
    "different": ("differ", "✗", gettext_lazy("different")),
    "missing": ("missing", "–", gettext_lazy("missing on one side")),
}
FIELD_LABELS = {
    "nik": gettext_lazy("NIK"),
    "full_name": gettext_lazy("Name"),
    "birth_date": gettext_lazy("Birth date"),
    "sex": gettext_lazy("Sex"),
    "address": gettext_lazy("Address"),
    "region_code": gettext_lazy("Desa"),
}


def _level(field: str, mine: Any, theirs: Any) -> str:
    """What agreed, when the linkage did not label the pair (pairs it accepted outright)."""
    if mine in (None, "") or theirs in (None, ""):
        return "missing"
    if field == "full_name":
        from sinergi.linkage import normalise_name, sorted_name

        a, b = normalise_name(str(mine)), normalise_name(str(theirs))
        if a == b:
            return "exact"
        if sorted_name(str(mine)) == sorted_name(str(theirs)) or a.replace(" ", "") == b.replace(
            " ", ""
        ):
            return "close"
        shared = set(a.split()) & set(b.split())
        return "close" if shared else "different"
    if field == "birth_date":
        if mine == theirs:
            return "exact"
        if mine.year == theirs.year or (mine.day, mine.month) == (theirs.month, theirs.day):
            return "close"
        return "different"
    if field == "region_code":
        if mine == theirs:
            return "exact"
        return "close" if str(mine)[:8] == str(theirs)[:8] else "different"
    if field == "address":
        a, b = str(mine).lower().split(), str(theirs).lower().split()
        if a == b:
            return "exact"
        return "close" if set(a) & set(b) else "different"
    return "exact" if mine == theirs else "different"


def _levels(candidate: dict[str, Any], row: dict[str, Any] | None = None) -> list[dict[str, str]]:
    labelled = any(candidate.get(f"cmp_{f}") for f in COMPARISON_FIELDS if f != "nik")
    out = []
    for f in COMPARISON_FIELDS:
        level = candidate.get(f"cmp_{f}")
        if not level and row is not None and not labelled and f != "nik":
            level = _level(
                f, row.get(f), candidate.get(f"r_{f if f != 'region_code' else 'desa_code'}")
            )
        if not level and f == "nik" and row is not None:
            level = "missing" if not row.get("nik_hash") else "different"
        css, mark, text = LEVELS.get(level or "missing", LEVELS["missing"])
        out.append({"field": str(FIELD_LABELS[f]), "css": css, "mark": mark, "text": str(text)})
    return out


def _list_row(blist: BeneficiaryList, list_row: str) -> dict[str, Any]:
    import pyarrow.compute as pc

    rows = services.read_rows(blist)
    found = rows.filter(pc.equal(rows.column("source_id"), list_row)).to_pylist()
    if not found:
        raise Http404("row not found")
    return found[0]


def _review_rows(run: MatchRun) -> list[str]:
    return list(
        MatchLink.objects.filter(run=run, state=MatchState.REVIEW)
        .order_by("list_row")
        .values_list("list_row", flat=True)
        .distinct()
    )


@never_cache
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One list row of the review queue with its candidate persons, side by side."""
    policy = _policy(request)
    if not request.user.is_authenticated:
        return _login_or_403(request)
    run = _managed_run(policy, pk)
    if run.status != RunStatus.DONE:
        return redirect("beneficiaries-run", pk=run.pk)
    queue = _review_rows(run)
    wanted = request.GET.get("baris")
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise Http404("bad decision")
        data = form.cleaned_data
        if not MatchLink.objects.filter(
            run=run, list_row=data["list_row"], person_key=data["person_key"]
        ).exists() and not any(
            c["person_key"] == data["person_key"]
            for c in matching.candidates(run, data["list_row"])
        ):
            raise Http404("pair not in this run")
        services.decide(
            run,
            data["list_row"],
            data["person_key"],
            data["decision"],
            request.user,
            note=data.get("note") or "",
        )
        messages.success(
            request,
            _("Decision recorded: %(d)s.") % {"d": Decision(data["decision"]).label},
        )
        following = [r for r in _review_rows(run) if r > data["list_row"]]
        url = reverse("beneficiaries-review", args=[run.pk])
        if following:
            url += f"?baris={following[0]}"
        return redirect(url)
    current = wanted if wanted in queue else (queue[0] if queue else None)
    context: dict[str, Any] = {
        "run": run,
        "programme": run.beneficiary_list.programme,
        "blist": run.beneficiary_list,
        "queue_size": len(queue),
        "position": queue.index(current) + 1 if current else 0,
    }
    if current is not None:
        row = _list_row(run.beneficiary_list, current)
        links = list(
            MatchLink.objects.filter(run=run, list_row=current, state=MatchState.REVIEW).order_by(
                "-probability"
            )
        )
        details = {c["person_key"]: c for c in matching.candidates(run, current)}
        candidates = []
        for link in links:
            c = details.get(link.person_key, {})
            candidates.append(
                {
                    "link": link,
                    "person": c,
                    "levels": _levels(c, row),
                    "probability": (link.probability or 0) * 100,
                }
            )
        names = _region_names(
            {row.get("region_code") or ""}
            | {c["person"].get("r_desa_code") or "" for c in candidates}
        )
        index = queue.index(current)
        context.update(
            {
                "row": row,
                "candidates": candidates,
                "names": names,
                "next_row": queue[index + 1] if index + 1 < len(queue) else None,
                "previous_row": queue[index - 1] if index > 0 else None,
                "can_browse": policy.registry.can_browse,
            }
        )
    return render(request, "beneficiaries/review.html", context)


@never_cache
def decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's decisions on the rows of this run's list, each reversible."""
    policy = _policy(request)
    if not request.user.is_authenticated:
        return _login_or_403(request)
    run = _managed_run(policy, pk)
    blist = run.beneficiary_list
    rows = services.read_rows(
        blist, columns=["source_id", "full_name", "birth_date", "nik_masked"]
    ).to_pylist()
    by_id = {r["source_id"]: r for r in rows}
    items = []
    qs = (
        MatchDecision.objects.filter(programme=blist.programme, list_row__in=list(by_id))
        .select_related("decided_by")
        .order_by("-decided_at")
    )
    for d in qs:
        items.append({"decision": d, "row": by_id.get(d.list_row, {})})
    return render(
        request,
        "beneficiaries/decisions.html",
        {"run": run, "blist": blist, "programme": blist.programme, "items": items},
    )


@require_POST
def withdraw(request: HttpRequest, pk: int, decision_id: int) -> HttpResponse:
    policy = _policy(request)
    if not request.user.is_authenticated:
        return _login_or_403(request)
    run = _managed_run(policy, pk)
    decision = get_object_or_404(
        MatchDecision, pk=decision_id, programme=run.beneficiary_list.programme
    )
    services.withdraw(decision, run, request.user)
    messages.success(request, _("The decision was withdrawn; the pair is back in review."))
    return redirect("beneficiaries-decisions", pk=run.pk)
