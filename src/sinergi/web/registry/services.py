"""Registry actions: import a release, score it, compare two, reveal a NIK/KK.

Pages, the API and the CLI call these; they hold the rules. The microdata is
written by :mod:`sinergi.targeting.releases` under ``SINERGI_REGISTRY_DIR``;
the database keeps the catalogue (:class:`Release`), the import reports and
the audit trail.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.targeting import compare as compare_mod
from sinergi.targeting import releases as rel
from sinergi.targeting.pseudonym import Pseudonymiser, parse_key
from sinergi.web.audit.models import Action
from sinergi.web.audit.services import record
from sinergi.web.regions.models import COUNTRY_CODE, Level, Region
from sinergi.web.registry.models import (
    ImportReport,
    PMTModelVersion,
    Release,
    ReleaseScoring,
    ReleaseStatus,
)

log = logging.getLogger(__name__)

#: The audit action of a NIK/KK shown in clear.
REVEAL = Action.REVEAL
#: How many error rows an import report keeps (the counts are complete).
STORED_ERRORS = 5000

User = AbstractBaseUser | AnonymousUser | None


class ImportRefused(Exception):
    """The import cannot start (name taken, unknown region, keys missing); nothing was written."""


def pseudonymiser() -> Pseudonymiser:
    """The NIK/KK pseudonymiser with the keys from settings."""
    hash_key, enc_key = settings.SINERGI_PII_HASH_KEY, settings.SINERGI_PII_ENCRYPTION_KEY
    if not hash_key or not enc_key:
        raise ImportRefused(
            _(
                "The registry keys are not configured: set SINERGI_PII_HASH_KEY and "
                "SINERGI_PII_ENCRYPTION_KEY, or run `sinergi demo` once to create them."
            )
        )
    try:
        return Pseudonymiser(
            parse_key(hash_key, name="SINERGI_PII_HASH_KEY"),
            parse_key(enc_key, name="SINERGI_PII_ENCRYPTION_KEY"),
        )
    except ValueError as exc:
        raise ImportRefused(str(exc)) from None


def registry_dir() -> Path:
    return Path(settings.SINERGI_REGISTRY_DIR)


def release_dir(release: Release) -> Path:
    """The directory of a release's Parquet files."""
    path = Path(release.path)
    return path if path.is_absolute() else registry_dir() / path


def desa_codes(region_code: str) -> list[str]:
    """The desa codes of the hierarchy inside ``region_code`` (``00``: the whole country)."""
    qs = Region.objects.filter(level=Level.VILLAGE)
    if region_code != COUNTRY_CODE:
        qs = qs.filter(code__startswith=region_code + ".")
    return list(qs.values_list("code", flat=True))


def kecamatan_prefixes() -> list[str]:
    """Every kecamatan code: a NIK keeps the place of registration, anywhere in Indonesia."""
    return list(Region.objects.filter(level=Level.DISTRICT).values_list("code", flat=True))


def _counts(report: rel.ValidationReport) -> dict[str, Any]:
    data = report.as_dict()
    data.pop("errors")
    return data


def import_release(
    households: Path,
    members: Path,
    *,
    name: str,
    reference_date: date,
    region_code: str,
    user: User,
    valid_only: bool = False,
    dry_run: bool = False,
    synthetic: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[Release | None, ImportReport]:
    """Validate and (unless ``dry_run``) store a release; always return its import report.

    Nothing is written (no directory, no :class:`Release`) when the files have
    errors, unless ``valid_only`` is set and some households are valid. Raises
    :class:`ImportRefused` before reading when the import cannot start.
    """
    households, members = Path(households), Path(members)
    name = name.strip()
    if not name:
        raise ImportRefused(_("Give the release a name."))
    try:
        slug = rel.slugify(name)
    except ValueError:
        raise ImportRefused(_("The release name needs at least one letter or digit.")) from None
    if Release.objects.filter(name=name).exists() or Release.objects.filter(slug=slug).exists():
        raise ImportRefused(
            _("A release with this name already exists; releases are never replaced.")
        )
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ImportRefused(_("Unknown region %(code)s.") % {"code": region_code})
    keys = pseudonymiser()
    dest = registry_dir() / slug
    if dest.exists():
        raise ImportRefused(_("A release directory with this name already exists."))
    started = timezone.now()
    desa, prefixes = desa_codes(region_code), kecamatan_prefixes()
    max_bytes = int(settings.SINERGI_REGISTRY_MAX_UPLOAD_MB) * 1024 * 1024
    report_row = ImportReport(
        name=name,
        households_file=households.name,
        members_file=members.name,
        dry_run=dry_run,
        valid_only=valid_only,
        started_at=started,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    manifest = None
    if dry_run:
        report = rel.validate_release(
            households,
            members,
            desa_codes=desa,
            kecamatan_prefixes=prefixes,
            reference_date=reference_date,
            max_bytes=max_bytes,
            max_errors=STORED_ERRORS,
        )
    else:
        got: list[rel.ValidationReport] = []
        try:
            manifest = rel.write_release(
                households,
                members,
                dest,
                name=name,
                reference_date=reference_date,
                pseudonymiser=keys,
                desa_codes=desa,
                kecamatan_prefixes=prefixes,
                valid_only=valid_only,
                synthetic=synthetic,
                progress=progress,
                max_bytes=max_bytes,
                max_errors=STORED_ERRORS,
                report_out=got,
            )
        except rel.ReleaseInvalid as exc:
            report = exc.report
        else:
            report = got[0]
    report_row.ok = report.ok()
    report_row.errors = [e.as_dict() for e in report.errors]
    report_row.counts = _counts(report)
    report_row.finished_at = timezone.now()
    release = None
    try:
        with transaction.atomic():
            if manifest is not None:
                release = Release.objects.create(
                    name=name,
                    slug=slug,
                    reference_date=reference_date,
                    region=region,
                    path=slug,
                    households=manifest.households,
                    members=manifest.members,
                    is_synthetic=synthetic,
                    status=ReleaseStatus.READY,
                    sha256s=manifest.sha256,
                    created_by=report_row.created_by,
                )
                record(
                    release,
                    Action.CREATE,
                    user,
                    comment=_("Imported from %(h)s and %(m)s")
                    % {"h": households.name, "m": members.name},
                )
                report_row.release = release
            report_row.save()
    except BaseException:
        if manifest is not None:  # the catalogue failed: take the files back too
            shutil.rmtree(dest, ignore_errors=True)
        raise
    log.info(
        "registry import %s: ok=%s households=%d members=%d errors=%d written=%s",
        slug,
        report.ok(),
        report.households,
        report.members,
        report.error_count,
        release is not None,
    )
    return release, report_row


def score_release(release: Release, model_version: PMTModelVersion, user: User) -> ReleaseScoring:
    """Score a release with a PMT model and rank it into deciles (national by default);
    the result goes to the release's ``scores.parquet``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sinergi.targeting import deciles as deciles_mod
    from sinergi.targeting import pmt

    path = release_dir(release)
    model = pmt.PMTModel.from_json(model_version.json)
    scores = pmt.score(path, model)
    households = pq.read_table(path / "households.parquet", columns=["household_id", "persons"])
    joined = pa.table(
        {
            "household_id": households.column("household_id"),
            "persons": households.column("persons"),
        }
    ).join(scores.select(["household_id", "score"]), "household_id")
    ranked = deciles_mod.deciles(joined, id="household_id", score="score", persons="persons")
    out = ranked.rename_columns(
        ["model_decile" if c == "decile" else c for c in ranked.column_names]
    )
    with transaction.atomic():
        rel.write_scores(path, out, model_version.version)
        scoring = ReleaseScoring.objects.create(
            release=release,
            model=model_version,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        record(scoring, Action.CREATE, user)
    return scoring


@dataclass(frozen=True)
class Change:
    """A compared household, with its label for the page."""

    change: compare_mod.HouseholdChange

    def __getattr__(self, name: str) -> Any:
        return getattr(self.change, name)

    @property
    def kind_label(self) -> str:
        return {
            "added": _("Added"),
            "removed": _("Removed"),
            "moved": _("Moved to another desa"),
            "decile_changed": _("Decile changed"),
        }.get(self.change.kind, self.change.kind)


def compare(
    old: Release, new: Release, *, scope: str | None = None, limit: int = 1000
) -> compare_mod.Comparison:
    """Households added, removed, moved and with a changed decile between two releases."""
    result = compare_mod.compare_releases(
        release_dir(old), release_dir(new), scope=scope, limit=limit
    )
    result.changes = [Change(c) for c in result.changes]  # type: ignore[misc]
    return result


def reveal(
    release: Release,
    household_id: str,
    *,
    user: User,
    reason: str,
    nik_hash: str | None = None,
) -> str:
    """A household's KK (or, with ``nik_hash``, one member's NIK) in clear, audited.

    Raises ``PermissionDenied`` unless the user may reveal numbers of that household.
    """
    from sinergi.targeting import browse
    from sinergi.web.registry.policy import RegistryPolicy

    policy = RegistryPolicy.for_user(user)  # type: ignore[arg-type]
    if not policy.can_reveal:
        raise PermissionDenied(_("Your role may not see full NIK or KK numbers."))
    reason = reason.strip()
    if len(reason) < 5:
        raise ValueError(_("Give a reason of at least 5 characters."))
    try:
        token = browse.encrypted_number(
            release_dir(release), household_id, nik_hash=nik_hash, scope=policy.microdata_scope()
        )
    except browse.BrowseError:
        raise PermissionDenied(_("No such member in a household of your area.")) from None
    clear = pseudonymiser().decrypt(token)
    record(
        release,
        REVEAL,
        user,
        before=None,
        after={
            "household_id": household_id,
            "number": "nik" if nik_hash else "kk",
            "nik_hash": nik_hash,
        },
        comment=reason,
    )
    return clear
