"""The meetings' rules: proposals from the data, the problem tree and its scores, follow-up
progress roll-up and carry-over. Pages, the XLSX import, the minutes and the demo call these;
every write runs in a transaction and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.core.formatting import long_date
from sinergi.web.indicators.choices import Status
from sinergi.web.indicators.services import IndicatorStatus, region_statuses
from sinergi.web.meetings.choices import (
    OPEN_STATUSES,
    PARENT_LEVEL,
    ActionStatus,
    Decision,
    Origin,
    ProblemLevel,
    ScoringMethod,
)
from sinergi.web.meetings.models import (
    ActionItem,
    AgendaItem,
    Attachment,
    Attendance,
    Criterion,
    CriterionScore,
    Meeting,
    Organisation,
    Problem,
    Recommendation,
)

HUNDRED = Decimal(100)
# The indicator statuses that make a problem proposal: off track, at risk, not achieved, and
# "without data against its targets" (a target but no value, or no value for its baseline).
PROPOSAL_STATUSES = (Status.OFF_TRACK, Status.AT_RISK, Status.NOT_ACHIEVED)
NO_DATA_STATUSES = (Status.NO_DATA, Status.NO_BASELINE)


class ConflictError(Exception):
    """A change made from a stale copy (the row's ``version`` moved on since it was read)."""


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse a change made from a stale copy (optimistic locking on ``version``)."""
    if expected is not None and int(expected) != obj.version:
        raise ConflictError(
            _(
                "Someone else changed this record since you opened it (your copy is version "
                "%(mine)s, the stored one is version %(now)s). Reload the page and apply your "
                "change again."
            )
            % {"mine": expected, "now": obj.version}
        )


def _save(obj: Any, user: Any, before: dict[str, Any] | None, comment: str = "") -> None:
    obj.full_clean()
    if before is None:
        obj.save()
        audit.record(obj, Action.CREATE, _actor(user), comment=comment)
    else:
        obj.version += 1
        obj.save()
        audit.record(obj, Action.UPDATE, _actor(user), before=before, comment=comment)


# --- progress ---------------------------------------------------------------------------------


def effective_progress(item: ActionItem) -> Decimal:
    """An item's progress as it counts: a done item counts 100 %, whatever was typed."""
    return HUNDRED if item.status == ActionStatus.DONE else Decimal(item.progress)


def rollup(items: Iterable[ActionItem]) -> Decimal | None:
    """Progress (percent) of a set of action items, weighted by their weights.

    Dropped items do not count; ``None`` when nothing counts. Rounded half-up to 2 decimals.

    >>> a = ActionItem(progress=Decimal(50), weight=Decimal(3), status="in_progress")
    >>> b = ActionItem(progress=Decimal(0), weight=Decimal(1), status="done")
    >>> rollup([a, b])
    Decimal('62.50')
    """
    total = Decimal(0)
    weights = Decimal(0)
    for item in items:
        if item.status == ActionStatus.DROPPED:
            continue
        total += effective_progress(item) * Decimal(item.weight)
        weights += Decimal(item.weight)
    if weights <= 0:
        return None
    return (total / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def recommendation_progress(rec: Recommendation) -> Decimal | None:
    return rollup(rec.actions.all())


def problem_actions(problem: Problem) -> list[ActionItem]:
    """The action items of the problem's recommendations and of every problem under it."""
    ids, frontier = {problem.pk}, [problem.pk]
    while frontier:
        frontier = list(
            Problem.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return list(ActionItem.objects.filter(recommendation__problem_id__in=ids))


def problem_progress(problem: Problem) -> Decimal | None:
    return rollup(problem_actions(problem))


def meeting_actions(meeting: Meeting) -> list[ActionItem]:
    return list(
        ActionItem.objects.filter(recommendation__meeting=meeting)
        .select_related("owner", "recommendation", "recommendation__problem")
        .order_by("recommendation_id", "id")
    )


def progress_by_owner(meeting: Meeting) -> list[tuple[Organisation, Decimal | None, int]]:
    """(owner, rolled-up progress, number of items) for each owner of the meeting's actions."""
    groups: dict[int, list[ActionItem]] = defaultdict(list)
    owners: dict[int, Organisation] = {}
    for item in meeting_actions(meeting):
        groups[item.owner_id].append(item)
        owners[item.owner_id] = item.owner
    rows = [(owners[k], rollup(v), len(v)) for k, v in groups.items()]
    return sorted(rows, key=lambda r: str(r[0]))


def is_overdue(item: ActionItem, on: dt.date) -> bool:
    return item.status in OPEN_STATUSES and item.due_date is not None and item.due_date < on


# --- meetings and carry-over ------------------------------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The last earlier meeting of the same kind and region."""
    return (
        Meeting.objects.filter(region_id=meeting.region_id, kind=meeting.kind)
        .filter(Q(date__lt=meeting.date) | Q(date=meeting.date, pk__lt=meeting.pk))
        .exclude(pk=meeting.pk)
        .order_by("-date", "-pk")
        .first()
    )


def open_items_of(meeting: Meeting) -> list[ActionItem]:
    """Open (not started or in progress, overdue or not) items a meeting leaves behind: its own
    and those carried into it that are still open."""
    return list(
        ActionItem.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(recommendation__meeting=meeting) | Q(carried_to__meeting=meeting))
        .distinct()
        .select_related("owner", "recommendation")
        .order_by("due_date", "id")
    )


@transaction.atomic
def carry_over(meeting: Meeting, user: Any = None) -> list[AgendaItem]:
    """Put the previous meeting's open and overdue items on this meeting's agenda (once each)."""
    previous = previous_meeting(meeting)
    if previous is None:
        return []
    already = set(meeting.agenda.exclude(carried=None).values_list("carried_id", flat=True))
    start = (max(meeting.agenda.values_list("order", flat=True), default=0) or 0) + 1
    created = []
    with translation.override("id"):
        for item in open_items_of(previous):
            if item.pk in already:
                continue
            note = _("Follow-up of %(meeting)s (%(date)s), owner %(owner)s") % {
                "meeting": previous.title,
                "date": long_date(previous.date),
                "owner": item.owner,
            }
            if is_overdue(item, meeting.date):
                note += "; " + _("overdue since %(date)s") % {"date": long_date(item.due_date)}
            agenda = AgendaItem(
                meeting=meeting,
                order=start + len(created),
                title=item.title,
                notes=note,
                carried=item,
            )
            agenda.save()
            audit.record(agenda, Action.CREATE, _actor(user), comment="carried over")
            created.append(agenda)
    return created


@transaction.atomic
def create_meeting(
    user: Any, *, participants: Sequence[Organisation] = (), **values: Any
) -> Meeting:
    """A new meeting with the previous meeting's open items carried to its agenda and the
    problem proposals computed from the data."""
    meeting = Meeting(created_by=_actor(user), **values)
    if not meeting.year and meeting.date:
        meeting.year = meeting.date.year
    _save(meeting, user, None)
    meeting.participants.set(participants)
    carry_over(meeting, user)
    sync_proposals(meeting, user)
    return meeting


@transaction.atomic
def update_meeting(
    meeting: Meeting,
    user: Any,
    *,
    expected_version: int | None,
    participants: Sequence[Organisation] | None = None,
    **values: Any,
) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_version(meeting, expected_version)
    before = audit.snapshot(meeting)
    for name, value in values.items():
        setattr(meeting, name, value)
    _save(meeting, user, before)
    if participants is not None:
        meeting.participants.set(participants)
    return meeting


# --- proposals from the data ------------------------------------------------------------------


@dataclass
class Proposal:
    key: str
    origin: str
    title: str
    status: str = ""
    evidence: list[dict[str, str]] = field(default_factory=list)
    indicator_id: int | None = None
    activity_id: int | None = None


def _indicator_evidence(item: IndicatorStatus) -> list[dict[str, str]]:
    from sinergi.web.briefings import facts, narrative

    ind = item.indicator
    lines: list[dict[str, str]] = []
    if item.latest is not None and item.primary is not None:
        said = narrative.target(
            facts.measure(ind),
            facts.figure(item.latest, ind),
            facts.target_check(item.primary),
            "id",
        )
        if isinstance(said, narrative.Sentence):
            lines.append({"text": said.text, "source": "; ".join(said.sources)})
    if not lines:
        value = facts.value_cell(item.latest, ind, "id") if item.latest else _("no value")
        source = facts.figure(item.latest, ind).source if item.latest else ""
        lines.append({"text": _("Latest value: %(v)s") % {"v": value}, "source": source})
        if item.primary is not None:
            t = item.primary
            lines.append(
                {
                    "text": _("Target %(plan)s: %(reason)s")
                    % {"plan": facts.plan_name(t.target), "reason": t.evaluation.reason},
                    "source": facts.target_source(t.target),
                }
            )
    return lines


def indicator_proposals(meeting: Meeting) -> list[Proposal]:
    """One proposal per indicator the indicator rules judge off track, at risk, not achieved,
    or without the data its target needs (``region_statuses``: nothing recomputed here)."""
    found = []
    for item in region_statuses(meeting.region, meeting.year):
        status = item.status
        if status in PROPOSAL_STATUSES or (status in NO_DATA_STATUSES and item.primary is not None):
            label = Status(status).label
            found.append(
                Proposal(
                    key=f"indicator:{item.indicator.code}",
                    origin=Origin.INDICATOR,
                    title=_("%(indicator)s: %(status)s")
                    % {"indicator": item.indicator.name, "status": str(label).lower()},
                    status=str(status),
                    evidence=_indicator_evidence(item),
                    indicator_id=item.indicator.pk,
                )
            )
    return found


def review_period(meeting: Meeting) -> tuple[int, int]:
    """The monev quarter a meeting reviews: its own, else the last quarter ended by its date."""
    if meeting.quarter:
        return meeting.year, meeting.quarter
    if meeting.date.year == meeting.year:
        q = (meeting.date.month - 1) // 3
        return (meeting.year, q) if q else (meeting.year - 1, 4)
    return meeting.year, 4


def activity_proposals(meeting: Meeting) -> list[Proposal]:
    """One proposal per lagging monev activity, with its warnings and reported problems
    (``programs.services.monev_data``: the monev pages' own early warnings)."""
    from sinergi.web.programs.services import monev_data

    year, quarter = review_period(meeting)
    report = monev_data(meeting.region, year, quarter)
    source = _("Sinergi monev %(period)s") % {"period": report.period_label}
    if report.round is not None:
        source += f"; {report.round.title}"
    found = []
    for row in report.late:
        a = row.activity
        evidence = [{"text": w.message, "source": source} for w in row.warnings]
        real = row.realisation
        for label, text in (
            (_("Problems"), real.problems if real else ""),
            (_("Follow-up"), real.follow_up if real else ""),
        ):
            if text:
                evidence.append({"text": f"{label}: {text}", "source": source})
        found.append(
            Proposal(
                key=f"activity:{a.pk}",
                origin=Origin.ACTIVITY,
                title=_("%(activity)s (%(agency)s) is behind: %(warnings)s")
                % {
                    "activity": a.name,
                    "agency": a.agency,
                    "warnings": "; ".join(str(w.label) for w in row.warnings),
                },
                evidence=evidence,
                activity_id=a.pk,
            )
        )
    return found


def compute_proposals(meeting: Meeting) -> list[Proposal]:
    with translation.override("id"):
        return indicator_proposals(meeting) + activity_proposals(meeting)


@transaction.atomic
def sync_proposals(meeting: Meeting, user: Any = None) -> tuple[int, int]:
    """Store the computed proposals as proposed problems (new ones only; a proposal already
    decided keeps its decision, an undecided one gets its evidence refreshed).
    Returns (new, refreshed)."""
    new = refreshed = 0
    existing = {p.key: p for p in meeting.problems.exclude(key="")}
    for proposal in compute_proposals(meeting):
        problem = existing.get(proposal.key)
        if problem is None:
            problem = Problem(
                meeting=meeting,
                key=proposal.key,
                origin=proposal.origin,
                title=proposal.title[:400],
                status_code=proposal.status,
                evidence=proposal.evidence,
                decision=Decision.PROPOSED,
                level=ProblemLevel.PROBLEM,
                is_illustrative=meeting.is_illustrative,
            )
            problem.save()
            if proposal.indicator_id:
                problem.indicators.add(proposal.indicator_id)
            if proposal.activity_id:
                problem.activities.add(proposal.activity_id)
            problem.regions.add(meeting.region_id)
            audit.record(problem, Action.CREATE, _actor(user), comment="computed proposal")
            new += 1
        elif problem.decision == Decision.PROPOSED and (
            problem.evidence != proposal.evidence or problem.status_code != proposal.status
        ):
            before = audit.snapshot(problem)
            problem.evidence, problem.status_code = proposal.evidence, proposal.status
            problem.title = proposal.title[:400]
            _save(problem, user, before, "proposal refreshed")
            refreshed += 1
    return new, refreshed


# --- decisions and the tree -------------------------------------------------------------------


@transaction.atomic
def decide(
    problem: Problem,
    decision: str,
    user: Any,
    *,
    expected_version: int | None = None,
    into: Problem | None = None,
) -> Problem:
    """Accept, reject or merge a proposal (merging moves its evidence and links to ``into``)."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    check_version(problem, expected_version)
    if decision not in (Decision.ACCEPTED, Decision.REJECTED, Decision.MERGED):
        raise ValidationError({"decision": _("Choose accept, merge or reject.")})
    before = audit.snapshot(problem)
    if decision == Decision.MERGED:
        if into is None or into.pk == problem.pk or into.meeting_id != problem.meeting_id:
            raise ValidationError(
                {"into": _("Choose another problem of this meeting to merge into.")}
            )
        if into.decision in (Decision.REJECTED, Decision.MERGED):
            raise ValidationError({"into": _("A problem can only be merged into a kept problem.")})
        target_before = audit.snapshot(into)
        into.evidence = [*into.evidence, *[e for e in problem.evidence if e not in into.evidence]]
        into.indicators.add(*problem.indicators.all())
        into.activities.add(*problem.activities.all())
        into.regions.add(*problem.regions.all())
        _save(into, user, target_before, f"merged {problem.pk}")
        problem.merged_into = into
    else:
        problem.merged_into = None
    problem.decision = decision
    _save(problem, user, before, f"decision {decision}")
    return problem


def validate_parent(level: str, parent: Problem | None, meeting: Meeting) -> None:
    """A masalah pokok has no parent; a masalah sits under a masalah pokok, an akar masalah
    under a masalah, all of the same meeting."""
    wanted = PARENT_LEVEL.get(level)  # type: ignore[call-overload]
    if parent is None:
        return
    if wanted is None:
        raise ValidationError(
            {"parent": _("A core problem is the top of the tree: leave it without a parent.")}
        )
    if parent.meeting_id != meeting.pk or parent.level != wanted:
        raise ValidationError(
            {
                "parent": _("Put it under a %(level)s of this meeting.")
                % {"level": ProblemLevel(wanted).label}
            }
        )


@transaction.atomic
def add_problem(
    meeting: Meeting,
    user: Any,
    *,
    title: str,
    level: str = ProblemLevel.PROBLEM,
    parent: Problem | None = None,
    description: str = "",
    indicators: Sequence[Any] = (),
    regions: Sequence[Any] = (),
    activities: Sequence[Any] = (),
    flagships: Sequence[Any] = (),
    is_illustrative: bool = False,
    evidence: list[dict[str, str]] | None = None,
) -> Problem:
    validate_parent(level, parent, meeting)
    problem = Problem(
        meeting=meeting,
        title=title.strip(),
        level=level,
        parent=parent,
        description=description,
        origin=Origin.USER,
        decision=Decision.ACCEPTED,
        is_illustrative=is_illustrative,
        evidence=evidence or [],
    )
    _save(problem, user, None)
    problem.indicators.set(indicators)
    problem.regions.set(regions or [meeting.region_id])
    problem.activities.set(activities)
    problem.flagships.set(flagships)
    return problem


@transaction.atomic
def place_problem(
    problem: Problem, user: Any, *, level: str, parent: Problem | None, expected_version: int | None
) -> Problem:
    """Move a problem within the tree (its level and the node it hangs under)."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    check_version(problem, expected_version)
    if parent is not None and parent.pk == problem.pk:
        raise ValidationError({"parent": _("A problem cannot sit under itself.")})
    validate_parent(level, parent, problem.meeting)
    before = audit.snapshot(problem)
    problem.level, problem.parent = level, parent
    _save(problem, user, before)
    return problem


@transaction.atomic
def score_problem(
    problem: Problem,
    user: Any,
    *,
    expected_version: int | None,
    urgency: int | None = None,
    seriousness: int | None = None,
    growth: int | None = None,
    criteria: dict[int, int] | None = None,
) -> Problem:
    """Record a problem's USG scores (1-5) or its scores on the meeting's weighted criteria."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    check_version(problem, expected_version)
    before = audit.snapshot(problem)
    problem.urgency, problem.seriousness, problem.growth = urgency, seriousness, growth
    for criterion_id, score in (criteria or {}).items():
        if not 1 <= int(score) <= 5:
            raise ValidationError({"criteria": _("Scores run from 1 to 5.")})
        criterion = Criterion.objects.get(pk=criterion_id, meeting_id=problem.meeting_id)
        CriterionScore.objects.update_or_create(
            problem=problem, criterion=criterion, defaults={"score": int(score)}
        )
    _save(problem, user, before, "scored")
    return problem


def check_criteria(weights: Iterable[Decimal]) -> None:
    total = sum((Decimal(w) for w in weights), Decimal(0))
    if total != HUNDRED:
        raise ValidationError(
            {
                "weight": _("The weights of the criteria must sum to 100 (now %(total)s).")
                % {"total": total}
            }
        )


@transaction.atomic
def set_criteria(meeting: Meeting, user: Any, criteria: Sequence[tuple[str, Decimal]]) -> None:
    """Replace the meeting's weighted criteria (weights must sum to 100)."""
    check_criteria(w for _n, w in criteria)
    meeting.criteria.all().delete()
    for name, weight in criteria:
        c = Criterion(meeting=meeting, name=name, weight=weight)
        c.full_clean()
        c.save()
        audit.record(c, Action.CREATE, _actor(user))


def strategic_score(problem: Problem, method: str) -> Decimal | None:
    """USG: urgency + seriousness + growth (3-15). Weighted: sum(weight x score) / 100 (1-5)."""
    if method == ScoringMethod.USG:
        parts = (problem.urgency, problem.seriousness, problem.growth)
        return Decimal(sum(parts)) if all(p is not None for p in parts) else None  # type: ignore[misc]
    scores = list(problem.scores.all())
    criteria = list(problem.meeting.criteria.all())
    if not criteria or len(scores) < len(criteria):
        return None
    weight = {c.pk: c.weight for c in criteria}
    total = sum((weight[s.criterion_id] * s.score for s in scores), Decimal(0))
    return (total / HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def kept_problems(meeting: Meeting) -> list[Problem]:
    return list(
        meeting.problems.filter(decision=Decision.ACCEPTED).prefetch_related(
            "scores", "indicators", "recommendations"
        )
    )


def ranked(meeting: Meeting) -> list[tuple[Problem, Decimal | None]]:
    """Accepted problems by strategic-issue score, highest first (unscored last)."""
    rows = [(p, strategic_score(p, meeting.scoring)) for p in kept_problems(meeting)]
    return sorted(rows, key=lambda r: (r[1] is None, -(r[1] or 0), r[0].pk))


@dataclass
class Node:
    problem: Problem
    children: list[Node]
    depth: int


def tree(meeting: Meeting) -> list[Node]:
    """The accepted problems as a tree (masalah pokok first; orphans at the top level)."""
    kept = kept_problems(meeting)
    ids = {p.pk for p in kept}
    by_parent: dict[int | None, list[Problem]] = defaultdict(list)
    for p in kept:
        by_parent[p.parent_id if p.parent_id in ids else None].append(p)
    order = {ProblemLevel.CORE: 0, ProblemLevel.PROBLEM: 1, ProblemLevel.ROOT: 2}

    def build(parent: int | None, depth: int) -> list[Node]:
        items = sorted(by_parent.get(parent, []), key=lambda p: (order.get(p.level, 9), p.pk))  # type: ignore[call-overload]
        return [Node(p, build(p.pk, depth + 1), depth) for p in items]

    return build(None, 0)


def flat_tree(meeting: Meeting) -> list[Node]:
    out: list[Node] = []

    def walk(nodes: list[Node]) -> None:
        for n in nodes:
            out.append(n)
            walk(n.children)

    walk(tree(meeting))
    return out


# --- recommendations and actions --------------------------------------------------------------


@transaction.atomic
def add_recommendation(meeting: Meeting, user: Any, **values: Any) -> Recommendation:
    problem = values.get("problem")
    if problem is not None and problem.meeting_id != meeting.pk:
        raise ValidationError({"problem": _("Choose a problem of this meeting.")})
    rec = Recommendation(meeting=meeting, **values)
    _save(rec, user, None)
    return rec


def _check_action(item: ActionItem) -> None:
    if item.status == ActionStatus.DONE and item.progress != HUNDRED:
        item.progress = HUNDRED  # a done item is complete
    if item.status == ActionStatus.NOT_STARTED and item.progress > 0:
        raise ValidationError(
            {"progress": _("An action not started has no progress yet; set it in progress.")}
        )


@transaction.atomic
def add_action(rec: Recommendation, user: Any, **values: Any) -> ActionItem:
    item = ActionItem(recommendation=rec, **values)
    _check_action(item)
    _save(item, user, None)
    return item


@transaction.atomic
def add_agenda_item(meeting: Meeting, user: Any, **values: Any) -> AgendaItem:
    """A new agenda item, last in the order."""
    order = (max(meeting.agenda.values_list("order", flat=True), default=0) or 0) + 1
    item = AgendaItem(meeting=meeting, order=order, **values)
    _save(item, user, None)
    return item


@transaction.atomic
def add_attendance(meeting: Meeting, user: Any, **values: Any) -> Attendance:
    row = Attendance(meeting=meeting, **values)
    _save(row, user, None)
    return row


@transaction.atomic
def set_scoring(
    meeting: Meeting, user: Any, scoring: str, criteria: Sequence[tuple[str, Decimal]] | None
) -> Meeting:
    """The meeting's scoring method, and its weighted criteria when given."""
    if criteria:
        set_criteria(meeting, user, criteria)
    return update_meeting(meeting, user, expected_version=None, scoring=scoring)


PLAN_FIELDS = ("title", "owner", "due_date", "weight")
PROGRESS_FIELDS = ("status", "progress", "notes")


@transaction.atomic
def update_action(
    item: ActionItem,
    user: Any,
    *,
    expected_version: int | None,
    may_plan: bool = True,
    comment: str = "",
    **values: Any,
) -> bool:
    """Change an action item (``may_plan`` False: status, progress and notes only).
    Returns whether anything changed."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    check_version(item, expected_version)
    allowed = PLAN_FIELDS + PROGRESS_FIELDS if may_plan else PROGRESS_FIELDS
    before = audit.snapshot(item)
    changed = False
    for name, value in values.items():
        if name not in allowed:
            if getattr(item, name) != value:
                raise ValidationError({name: _("You may not change this field.")})
            continue
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed = True
    if not changed:
        return False
    _check_action(item)
    _save(item, user, before, comment)
    return True


@transaction.atomic
def add_attachment(
    meeting: Meeting,
    user: Any,
    *,
    doc_type: str,
    title: str,
    name: str,
    stream: IO[bytes],
    size: int,
    action: ActionItem | None = None,
    is_illustrative: bool = False,
) -> Attachment:
    """Check (as the monev documents are checked) and store a meeting file or an evidence file."""
    from sinergi.web.programs.documents import check_file

    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    if action is not None and action.recommendation.meeting_id != meeting.pk:
        raise ValidationError({"action": _("Choose an action of this meeting.")})
    checked = check_file(name, stream, size, doc_type)
    att = Attachment(
        meeting=meeting,
        action=action,
        doc_type=doc_type,
        title=title.strip()[:300],
        original_name=name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=_actor(user),
        is_illustrative=is_illustrative,
    )
    att.file.save(name, File(stream, name=name), save=False)
    try:
        att.save()
    except Exception:
        att.file.delete(save=False)
        raise
    audit.record(att, Action.CREATE, _actor(user))
    return att
