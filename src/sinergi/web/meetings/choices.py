"""Codes of the meetings app (stored in English, shown translated)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    RKP_COORDINATION = "rkp", _("RKP coordination with central government")
    MONEV = "monev", _("Quarterly monev")
    JOINT_SECRETARIAT = "sekber", _("Joint secretariat")
    TKPK = "tkpk", _("TKPK poverty reduction team")
    MUSRENBANG = "musrenbang", _("Musrenbang")


class OrgLevel(models.TextChoices):
    """The government level an organisation belongs to (a recommendation is addressed to one)."""

    CENTRAL = "central", _("Central government (ministry, Kemenko)")
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency agency (OPD)")
    VERTICAL = "vertical", _("Vertical institution (BPS, BI, OJK)")
    PARTNER = "partner", _("Partner")


class ProblemLevel(models.TextChoices):
    CORE = "core", _("Core problem (masalah pokok)")
    PROBLEM = "problem", _("Problem (masalah)")
    ROOT = "root", _("Root cause (akar masalah)")


PARENT_LEVEL = {ProblemLevel.PROBLEM: ProblemLevel.CORE, ProblemLevel.ROOT: ProblemLevel.PROBLEM}


class Origin(models.TextChoices):
    INDICATOR = "indicator", _("Computed from an indicator")
    ACTIVITY = "activity", _("Computed from a late monev activity")
    EXCLUSION = "exclusion", _("Computed from targeting errors")
    USER = "user", _("Added by a participant")


class Decision(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    MERGED = "merged", _("Merged")
    REJECTED = "rejected", _("Rejected")


class ScoringMethod(models.TextChoices):
    USG = "usg", _("USG (urgency, seriousness, growth, 1-5 each)")
    WEIGHTED = "weighted", _("Weighted criteria (weights sum to 100)")


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
