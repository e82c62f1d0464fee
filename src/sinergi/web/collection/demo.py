"""Demo: the quarterly kecamatan data set of Banyuasin, its users and an illustrative
reporting history (idempotent).

The figures are ILLUSTRATIVE, not official: the data set is flagged
``is_illustrative`` (shown on every page, and the indicator values it produces are
marked synthetic). They are drawn to be plausible (measured stunting about 11 %
overall, as the regency's own figures suggest) from a fixed seed, so every
run gives the same numbers. Submissions go through the real services and
workflow (audit trail and indicator values included); only their timestamps
are moved back to the dates the story needs.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from sinergi.web.accounts.models import Agency, Profile, Role
from sinergi.web.audit.models import AuditEntry
from sinergi.web.collection import periods as period_codes
from sinergi.web.collection import services, workflow
from sinergi.web.collection.choices import (
    Disaggregation,
    Operator,
    PeriodType,
    RuleKind,
    Severity,
    SubmissionStatus,
)
from sinergi.web.collection.models import (
    DataElement,
    DataSet,
    Period,
    Ratio,
    Submission,
    ValidationRule,
)
from sinergi.web.demo.services import DEMO_PASSWORD
from sinergi.web.indicators.models import Indicator
from sinergi.web.regions.models import Region

REGION = "16.07"
DATASET = "kecamatan-triwulanan"
# (username, role, region, agency code)
DEMO_USERS = [
    ("bappeda.demo", Role.BAPPEDA_ADMIN, REGION, "bappeda-litbang"),
    ("verifikator.demo", Role.OPD_OPERATOR, REGION, "bappeda-litbang"),
    ("betung.demo", Role.KECAMATAN_OPERATOR, "16.07.05", None),
    ("eksekutif.demo", Role.EXECUTIVE_VIEWER, REGION, None),
]
E2E_KECAMATAN = "16.07.05"
JOB_FAIR_KECAMATAN = "09"  # its registrations triple in the current quarter: a soft warning
JOB_FAIR_REASON = "Pendaftaran kartu AK/I massal saat job fair kecamatan."
CHECKED_REASON = (
    "Sudah dicek ulang dengan register posyandu."  # Betung: left to fill in the current quarter
)
NOTE = (
    "Ilustratif: angka contoh untuk demo Sinergi, bukan data resmi / Illustrative demo "
    "figures, not official data."
)
ELEMENTS = [
    # code, name (id), name (en), unit, max, disaggregation, indicator
    (
        "children_under5_measured",
        "Balita yang diukur",
        "Children under five measured",
        "anak",
        20000,
        Disaggregation.SEX,
        "children_under5_measured",
    ),
    (
        "children_under5_stunted",
        "Balita stunting (TB/U < -2 SD)",
        "Children under five stunted",
        "anak",
        20000,
        Disaggregation.SEX,
        "children_under5_stunted",
    ),
    (
        "job_seekers_registered",
        "Pencari kerja terdaftar (AK/I)",
        "Registered job seekers",
        "orang",
        10000,
        Disaggregation.NONE,
        "job_seekers_registered",
    ),
    (
        "kur_recipients_active",
        "Penerima KUR aktif",
        "Active KUR recipients",
        "orang",
        20000,
        Disaggregation.NONE,
        "kur_recipients_active",
    ),
]
# Outcome of each kecamatan (by its last two digits) in each of the four quarters,
# oldest first: A approved on time, L approved late, V verified, S submitted,
# R returned, D draft, - missing. The current quarter is mid-way.
STORY = {
    "01": "AAAA",
    "02": "AAAV",
    "03": "ALAS",
    "04": "A-L-",
    "05": "AA--",
    "06": "AAVA",
    "07": "LAA-",
    "08": "AAAV",
    "09": "AALS",
    "10": "AAAA",
    "11": "ALA-",
    "12": "-AS-",
    "13": "AAAR",
    "14": "AA-D",
    "15": "AAA-",
    "16": "AAVS",
    "17": "AAAA",
    "18": "LAA-",
    "19": "AAAV",
    "20": "AAS-",
    "21": "A-AA",
}

Progress = Callable[[str], None]


def _agency(region: Region) -> Agency:
    agency, _created = Agency.objects.get_or_create(
        region=region,
        code="bappeda-litbang",
        defaults={
            "name": "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah",
            "short_name": "Bappeda Litbang",
        },
    )
    return agency


def _user(username: str, role: str, region: str, agency: Agency | None, hashed: str | None) -> User:
    """The demo user (created once; an existing one keeps its password)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        if hashed:
            user.password = hashed
        else:
            user.set_unusable_password()
        user.save()
    Profile.objects.update_or_create(
        user=user, defaults={"role": role, "region_id": region, "agency": agency}
    )
    return user


def _dataset(region: Region, agency: Agency) -> DataSet:
    """The data set, published as form version 1 (a later version published in the
    designer is kept: a re-run only refreshes version 1's parts)."""
    fields = {
        "name": "Pendataan kecamatan Banyuasin Prima (triwulanan)",
        "description": (
            "Data layanan dasar per kecamatan: balita diukur dan stunting (posyandu), pencari "
            "kerja terdaftar dan penerima KUR aktif. Pendataan berbasis kecamatan sesuai "
            "arahan Bupati pada monev Banyuasin Prima (17 Oktober 2019)."
        ),
        "period_type": PeriodType.QUARTERLY,
        "region": region,
        "owner": agency,
        "is_illustrative": True,
        "note": NOTE,
    }
    dataset, _created = DataSet.objects.update_or_create(
        code=DATASET, defaults=fields, create_defaults={**fields, "published_version": 1}
    )
    dataset.reporting_regions.set(
        Region.objects.filter(parent=region, level="district", active=True)
    )
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(
            code__in=[e[6] for e in ELEMENTS] + ["stunting_prevalence"]
        )
    }
    elements = {}
    for order, (code, name, name_en, unit, high, split, indicator) in enumerate(ELEMENTS, start=1):
        elements[code], _c = DataElement.objects.update_or_create(
            dataset=dataset,
            code=code,
            added_in=1,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit": unit,
                "min_value": 0,
                "max_value": high,
                "disaggregation": split,
                "indicator": indicators.get(indicator),
                "is_additive": True,
                "sort_order": order * 10,
            },
        )
    rules = [
        (
            RuleKind.COMPARISON,
            "children_under5_stunted",
            Operator.LE,
            "children_under5_measured",
            Decimal(1),
            None,
            Severity.HARD,
            "Balita stunting tidak boleh melebihi balita yang diukur",
        ),
        (
            RuleKind.COMPARISON,
            "children_under5_stunted",
            Operator.LE,
            "children_under5_measured",
            Decimal("0.4"),
            None,
            Severity.SOFT,
            "Stunting di atas 40% dari balita yang diukur jarang terjadi; periksa kembali",
        ),
        (
            RuleKind.OUTLIER,
            "children_under5_measured",
            Operator.LE,
            None,
            Decimal(1),
            Decimal(50),
            Severity.SOFT,
            "Jumlah balita diukur berubah lebih dari 50% dari triwulan lalu",
        ),
        (
            RuleKind.OUTLIER,
            "job_seekers_registered",
            Operator.LE,
            None,
            Decimal(1),
            Decimal(100),
            Severity.SOFT,
            "Pencari kerja terdaftar berubah lebih dari 100% dari triwulan lalu",
        ),
    ]
    for kind, left, operator, right, factor, threshold, severity, message in rules:
        ValidationRule.objects.update_or_create(
            dataset=dataset,
            message=message,
            added_in=1,
            defaults={
                "kind": kind,
                "left": elements[left],
                "operator": operator,
                "right": elements[right] if right else None,
                "right_factor": factor,
                "threshold_pct": threshold,
                "severity": severity,
            },
        )
    if "stunting_prevalence" in indicators:
        Ratio.objects.update_or_create(
            dataset=dataset,
            indicator=indicators["stunting_prevalence"],
            defaults={
                "numerator": elements["children_under5_stunted"],
                "denominator": elements["children_under5_measured"],
                "factor": 100,
            },
        )
    return dataset


def _periods(dataset: DataSet, today: dt.date) -> list[Period]:
    """The current quarter and the three before it; each opens on its first day and
    closes 15 days after its last."""
    current = period_codes.containing(today, PeriodType.QUARTERLY)
    result = []
    for steps in (-3, -2, -1, 0):
        code = period_codes.shift(current, PeriodType.QUARTERLY, steps)
        first, last = period_codes.bounds(code, PeriodType.QUARTERLY)
        period, _c = Period.objects.get_or_create(
            dataset=dataset,
            code=code,
            defaults={"opens_on": first, "closes_on": last + dt.timedelta(days=15)},
        )
        result.append(period)
    return result


def _figures(
    rng: random.Random, base: dict[str, float], quarter_index: int
) -> dict[tuple[str, str], Decimal]:
    measured = base["measured"] * rng.uniform(0.93, 1.07)
    rate = base["rate"] * rng.uniform(0.94, 1.04) * (1 - 0.015 * quarter_index)
    m_measured = round(measured * rng.uniform(0.50, 0.53))
    f_measured = round(measured) - m_measured
    stunted = measured * rate
    m_stunted = round(stunted * rng.uniform(0.52, 0.56))
    f_stunted = max(0, round(stunted) - m_stunted)
    return {
        ("children_under5_measured", "m"): Decimal(m_measured),
        ("children_under5_measured", "f"): Decimal(f_measured),
        ("children_under5_stunted", "m"): Decimal(m_stunted),
        ("children_under5_stunted", "f"): Decimal(f_stunted),
        ("job_seekers_registered", ""): Decimal(round(base["seekers"] * rng.uniform(0.8, 1.25))),
        ("kur_recipients_active", ""): Decimal(round(base["kur"] * (1 + 0.03 * quarter_index))),
    }


def _backdate(sub: Submission, times: list[dt.datetime]) -> None:
    """Move the submission's audit entries (oldest first) to the story's dates, with the
    timestamps they recorded."""
    content_type = ContentType.objects.get_for_model(Submission)
    entries = list(
        AuditEntry.objects.filter(content_type=content_type, object_id=str(sub.pk)).order_by("id")
    )
    moved: dict[str, str] = {}  # a recorded timestamp -> the story's
    stamps = ("first_submitted_at", "submitted_at", "approved_at", "updated_at")
    for entry, when in zip(entries, times + [times[-1]] * len(entries), strict=False):
        before, after = dict(entry.before or {}), dict(entry.after or {})
        for key in stamps:
            old = after.get(key)
            if old and old != before.get(key) and old not in moved:
                moved[old] = when.isoformat()
        for state in (before, after):
            for key in stamps:
                if state.get(key) in moved:
                    state[key] = moved[state[key]]
        AuditEntry.objects.filter(pk=entry.pk).update(
            at=when, before=before or entry.before, after=after or entry.after
        )


def _play(
    code: str,
    outcome: str,
    period: Period,
    quarter_index: int,
    rng: random.Random,
    base: dict[str, float],
    users: dict[str, User],
    region: Region,
) -> None:
    if outcome == "-" or Submission.objects.filter(period=period, region=region).exists():
        return
    operator = users[code]
    figures = _figures(rng, base, quarter_index)
    closes = timezone.make_aware(dt.datetime.combine(period.closes_on, dt.time(10, 0)))
    now = timezone.now()
    if period.closes_on >= now.date():  # the current period: reported in the weeks so far
        open_days = max(2, (now.date() - period.opens_on).days)
        submitted = now - dt.timedelta(
            days=rng.randint(1, min(open_days, 45)), hours=rng.randint(1, 8)
        )
    elif outcome == "L":
        submitted = closes + dt.timedelta(days=rng.randint(3, 20))
    else:
        submitted = closes - dt.timedelta(days=rng.randint(2, 12))
    opened = max(
        submitted - dt.timedelta(hours=3),
        timezone.make_aware(dt.datetime.combine(period.opens_on, dt.time(8))),
    )
    sub = services.start_submission(period, region, operator)
    if outcome == "S" and code == JOB_FAIR_KECAMATAN:
        figures[("job_seekers_registered", "")] *= 3
    if outcome == "D":
        figures = {k: v for k, v in figures.items() if k[0].startswith("children")}
    result = services.save_values(sub, operator, figures, expected_version=sub.version)
    sub = result.submission
    times = [opened, opened + dt.timedelta(minutes=20)]
    warnings = [i for i in result.issues if not i.is_hard]
    if warnings and outcome != "D":
        explain = {
            i.key: JOB_FAIR_REASON if i.element == "job_seekers_registered" else CHECKED_REASON
            for i in warnings
        }
        sub = services.save_values(
            sub, operator, {}, expected_version=sub.version, rule_comments=explain
        ).submission
        times.append(opened + dt.timedelta(minutes=30))
    if outcome != "D":
        sub = workflow.perform(sub, "submit", operator)
        times.append(submitted)
    if outcome in {"A", "L", "V"}:
        sub = workflow.perform(sub, "verify", users["verifier"])
        times.append(min(submitted + dt.timedelta(days=2), now))
    if outcome in {"A", "L"}:
        sub = workflow.perform(sub, "approve", users["bappeda"], publish=False)
        times.append(min(submitted + dt.timedelta(days=5), now))
    if outcome == "R":
        sub = workflow.perform(
            sub,
            "return",
            users["verifier"],
            comment=(
                "Balita stunting laki-laki naik tajam dibanding triwulan lalu; mohon dicek ulang "
                "dengan data posyandu."
            ),
        )
        times.append(min(submitted + dt.timedelta(days=1), now))
    _backdate(sub, times)
    fields: dict[str, dt.datetime] = {"updated_at": times[-1]}
    if sub.first_submitted_at:
        fields.update(first_submitted_at=submitted, submitted_at=submitted)
    if sub.approved_at:
        fields["approved_at"] = times[-1]
    if fields:
        Submission.objects.filter(pk=sub.pk).update(**fields)


def load(progress: Progress | None = None) -> str:
    """Load the data set, the demo users and four quarters of illustrative reports."""
    say = progress or (lambda _m: None)
    region = Region.objects.get(code=REGION)
    today = timezone.localdate()
    with transaction.atomic():
        agency = _agency(region)
        missing = set(dict.fromkeys(u[0] for u in DEMO_USERS)) - set(
            User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list(
                "username", flat=True
            )
        )
        hashed = None
        if missing:
            # Validated like any password; hashed once for the four demo users (hashing is slow
            # on purpose, and these accounts share their documented password anyway).
            for name in missing:
                validate_password(DEMO_PASSWORD, user=User(username=name))
            hashed = make_password(DEMO_PASSWORD)
        users = {
            name: _user(name, role, scope, agency if agency_code else None, hashed)
            for name, role, scope, agency_code in DEMO_USERS
        }
        dataset = _dataset(region, agency)
        kecamatan = list(dataset.reporting_regions.order_by("code"))
        operators = {
            k.code[-2:]: users["betung.demo"]
            if k.code == E2E_KECAMATAN
            else _user(f"kec.{k.code}", Role.KECAMATAN_OPERATOR, k.code, None, None)
            for k in kecamatan
        }
        actors = {
            **operators,
            "verifier": users["verifikator.demo"],
            "bappeda": users["bappeda.demo"],
        }
        quarters = _periods(dataset, today)
        rng = random.Random(1607)
        bases = {
            k.code[-2:]: {
                "measured": 7200 if k.code.endswith(".10") else rng.randint(1300, 4600),
                "rate": rng.uniform(0.075, 0.15),
                "seekers": rng.randint(40, 320),
                "kur": rng.randint(300, 1900),
            }
            for k in kecamatan
        }
        for index, period in enumerate(quarters):
            say(f"kecamatan data {period.code}")
            for k in kecamatan:
                suffix = k.code[-2:]
                outcome = STORY.get(suffix, "AAAA")[index]
                if k.code == E2E_KECAMATAN and index == len(quarters) - 1:
                    outcome = "-"
                # Each kecamatan draws from its own stream, so the story stays reproducible.
                stream = random.Random(f"{k.code}/{period.code}")
                _play(suffix, outcome, period, index, stream, bases[suffix], actors, k)
            approved = Submission.objects.filter(
                period=period, status=SubmissionStatus.APPROVED
            ).first()
            if approved is not None:
                services.aggregate_up(period, approved.region_id, users["bappeda.demo"])
    counts = {
        s: Submission.objects.filter(period__dataset=dataset, status=s).count()
        for s in SubmissionStatus
    }
    logins = ", ".join(name for name, *_rest in DEMO_USERS)
    return (
        f"{dataset.name}: {len(quarters)} quarters × {len(kecamatan)} kecamatan, "
        f"{counts['approved']} approved, {counts['verified']} verified, "
        f"{counts['submitted']} submitted, "
        f"{counts['returned']} returned, {counts['draft']} draft (illustrative); "
        f"users {logins} / password {DEMO_PASSWORD}"
    )
