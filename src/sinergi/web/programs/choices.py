"""Choices of the programme monitoring app (one place, translated labels)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NomenclatureLevel(models.TextChoices):
    """Levels of the national nomenclature of regional programmes (Kepmendagri 050-5889/2021)."""

    URUSAN = "urusan", _("Government affair (urusan)")
    BIDANG = "bidang", _("Affair field (bidang urusan)")
    PROGRAM = "program", _("Programme")
    KEGIATAN = "kegiatan", _("Activity (kegiatan)")
    SUB_KEGIATAN = "sub_kegiatan", _("Sub-activity (sub-kegiatan)")


class FundingSource(models.TextChoices):
    APBD_KAB = "apbd_kab", _("APBD regency")
    APBD_PROV = "apbd_prov", _("APBD province")
    APBN_DAK = "apbn_dak", _("APBN / DAK")
    CSR = "csr", _("CSR")
    KUR = "kur", _("KUR through banks")
    PRIVATE = "private", _("Private")
    GRANT = "grant", _("Grant")

    @classmethod
    def public_budget(cls) -> set[str]:
        """Sources that are government budget (APBD/APBN); the rest are non-APBD financing."""
        return {cls.APBD_KAB, cls.APBD_PROV, cls.APBN_DAK}


class IndicatorLevel(models.TextChoices):
    OUTCOME = "outcome", _("Programme outcome")
    OUTPUT = "output", _("Activity output")


class Polarity(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class RealisationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to Bappeda")
    APPROVED = "approved", _("Approved by Bappeda")
    RETURNED = "returned", _("Returned for correction")


class RkpdStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    VERIFIED = "verified", _("Verified by Bappeda")
    IN_RKPD = "in_rkpd", _("In the non-APBD RKPD")
    FUNDED = "funded", _("Financing secured")
    REJECTED = "rejected", _("Not accepted")


class DocumentType(models.TextChoices):
    MASTER_PLAN = "master_plan", _("Master plan (rencana induk)")
    ROADMAP = "roadmap", _("Roadmap (peta jalan)")
    DED = "ded", _("Detailed engineering design (DED)")
    FS = "fs", _("Feasibility study (FS)")
    REPORT = "report", _("Report")
    PHOTO = "photo", _("Photo")


class WarningKind(models.TextChoices):
    PHYSICAL_LAG = "physical_lag", _("Physical progress behind plan")
    FINANCIAL_LAG = "financial_lag", _("Spending behind plan")
    DEADLINE = "deadline", _("Deadline near with work left")
    OVERDUE = "overdue", _("Past its end date, not finished")
    OUTPUT_TREND = "output_trend", _("Output will miss the year target")
    NO_REPORT = "no_report", _("No realisation reported")
