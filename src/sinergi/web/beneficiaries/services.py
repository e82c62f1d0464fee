"""Beneficiary-list actions: programmes, column mappings, list imports, review decisions.

Pages and the CLI call these; they hold the rules. A list's rows are written by
:func:`import_list` as Parquet under ``DATA_DIR/beneficiaries/<list id>/`` (NIK and KK
as keyed hash + masked form only), through a temporary directory renamed into
place once the database rows are saved. Every change is audited.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.web.audit.models import Action
from sinergi.web.audit.services import record, snapshot
from sinergi.web.beneficiaries import importer
from sinergi.web.beneficiaries.models import (
    BeneficiaryList,
    ColumnMapping,
    Decision,
    ListStatus,
    MatchDecision,
    MatchRun,
    Programme,
)
from sinergi.web.regions.models import COUNTRY_CODE, Level, Region
from sinergi.web.registry.services import ImportRefused, pseudonymiser

log = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser | None
ROWS_FILE = "rows.parquet"
#: How many problems a stored report keeps (the counts are complete).
STORED_PROBLEMS = 5000

__all__ = [
    "ConflictError",
    "ImportOutcome",
    "ImportRefused",
    "create_programme",
    "decide",
    "import_list",
    "list_dir",
    "read_rows",
    "regions_for",
    "save_mapping",
    "update_programme",
    "withdraw",
]


def _actor(user: User) -> Any:
    return user if user is not None and user.is_authenticated else None


def max_upload_bytes() -> int:
    """The largest list file accepted (``SINERGI_BENEFICIARY_MAX_UPLOAD_MB``, default 50 MB)."""
    return int(getattr(settings, "SINERGI_BENEFICIARY_MAX_UPLOAD_MB", 50)) * 1024 * 1024


def lists_root() -> Path:
    return Path(settings.DATA_DIR) / "beneficiaries"


def list_dir(blist: BeneficiaryList) -> Path:
    return lists_root() / (blist.path or str(blist.pk))


def read_rows(blist: BeneficiaryList, columns: list[str] | None = None) -> Any:
    """The list's stored rows (an Arrow table)."""
    import pyarrow.parquet as pq

    return pq.read_table(list_dir(blist) / ROWS_FILE, columns=columns)


# --- programmes ---------------------------------------------------------------------


class ConflictError(Exception):
    """Someone saved the object since it was opened (optimistic locking on ``version``)."""

    def __init__(self, current: Any) -> None:
        self.current = current
        super().__init__(_("Someone else changed this programme meanwhile; reload the page."))


PROGRAMME_FIELDS = (
    "code",
    "name",
    "owner",
    "region",
    "period_start",
    "period_end",
    "eligibility_max_decile",
    "description",
)


@transaction.atomic
def create_programme(user: User, **values: Any) -> Programme:
    programme = Programme(**values)
    programme.full_clean()
    programme.save()
    record(programme, Action.CREATE, user)
    return programme


@transaction.atomic
def update_programme(
    programme: Programme, user: User, *, expected_version: int, **changes: Any
) -> Programme:
    """Save changed fields; :class:`ConflictError` when the version moved on meanwhile."""
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    if current.version != expected_version:
        raise ConflictError(current)
    if all(getattr(current, k) == v for k, v in changes.items()):
        return current
    before = snapshot(current)
    for k, v in changes.items():
        setattr(current, k, v)
    current.full_clean()
    current.version += 1
    current.save()
    record(current, Action.UPDATE, user, before=before)
    return current


# --- column mapping -----------------------------------------------------------------


def saved_mapping(programme: Programme) -> dict[str, str]:
    found = ColumnMapping.objects.filter(programme=programme).first()
    return dict(found.columns) if found is not None else {}


def save_mapping(programme: Programme, columns: Mapping[str, str], user: User) -> ColumnMapping:
    """Keep the programme's mapping for its next upload (audited when it changes)."""
    clean = {k: v for k, v in columns.items() if k in importer.FIELD_BY_KEY and v}
    with transaction.atomic():
        current = ColumnMapping.objects.select_for_update().filter(programme=programme).first()
        if current is None:
            current = ColumnMapping.objects.create(
                programme=programme, columns=clean, updated_by=_actor(user)
            )
            record(current, Action.CREATE, user)
        elif current.columns != clean:
            before = snapshot(current)
            current.columns = clean
            current.updated_by = _actor(user)
            current.save()
            record(current, Action.UPDATE, user, before=before)
    return current


# --- regions ------------------------------------------------------------------------


def regions_for(programme: Programme) -> importer.Regions:
    """The desa and kecamatan of the programme's area (to resolve the region column)."""
    area = programme.region_id
    qs = Region.objects.filter(level__in=[Level.DISTRICT, Level.VILLAGE])
    if area != COUNTRY_CODE:
        qs = qs.filter(code__startswith=area + ".")
    codes: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    for code, name, level in qs.values_list("code", "name", "level"):
        codes[code] = level
        if level == Level.VILLAGE:
            names.setdefault(name, []).append(code)
    return importer.Regions(area, codes, names)


# --- import -------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    """What an import did: the stored list (``None`` when nothing was written) and the report."""

    blist: BeneficiaryList | None
    validation: importer.Validation | None
    mapping: dict[str, str]
    headers: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return self.validation.counts if self.validation is not None else {}

    @property
    def problems(self) -> list[importer.Problem]:
        return self.validation.problems if self.validation is not None else []


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_file(
    programme: Programme, path: Path, mapping: Mapping[str, str] | None = None
) -> tuple[importer.RawTable, importer.Validation]:
    """Read and validate a list file with a mapping (default: saved, else suggested)."""
    table = importer.read_file(path, max_bytes=max_upload_bytes())
    if mapping is None:
        mapping = importer.suggest_mapping(table.headers, saved_mapping(programme))
    return table, importer.validate(
        table, mapping, pseudonymiser=pseudonymiser(), regions=regions_for(programme)
    )


def import_list(
    programme: Programme,
    path: Path,
    *,
    label: str,
    user: User,
    file_name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    valid_only: bool = False,
    dry_run: bool = False,
    synthetic: bool = False,
) -> ImportOutcome:
    """Validate a list file whole, then (unless ``dry_run`` or it has errors and
    ``valid_only`` is not set) store its valid rows and save the mapping.

    Raises :class:`importer.FileRefused` (unreadable file), :class:`importer.MappingInvalid`
    (a mapping that cannot be used) or :class:`ImportRefused` (no label, keys missing)
    before anything is written.
    """
    path = Path(path)
    label = label.strip()
    if not label:
        raise ImportRefused(_("Give the list a label, e.g. 2025 Triwulan II."))
    table, validation = check_file(programme, path, mapping)
    used = importer.check_mapping(
        mapping
        if mapping is not None
        else importer.suggest_mapping(table.headers, saved_mapping(programme)),
        table.headers,
    )
    outcome = ImportOutcome(None, validation, used, table.headers, dry_run)
    if dry_run or (not validation.ok and not valid_only) or not validation.rows:
        return outcome
    rows = importer.rows_table(validation.rows)
    root = lists_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".import-", dir=root))
    dest: Path | None = None
    try:
        import pyarrow.parquet as pq

        pq.write_table(rows, tmp / ROWS_FILE)
        digest = _sha256(path)
        with transaction.atomic():
            blist = BeneficiaryList.objects.create(
                programme=programme,
                label=label[:120],
                file_name=(file_name or path.name)[:255],
                sha256=digest,
                rows=len(validation.rows),
                status=ListStatus.READY,
                errors=[p.as_dict() for p in validation.problems[:STORED_PROBLEMS]],
                counts=dict(validation.counts),
                is_synthetic=synthetic or programme.is_synthetic,
                created_by=_actor(user),
            )
            blist.path = str(blist.pk)
            blist.save(update_fields=["path"])
            save_mapping(programme, used, user)
            record(
                blist,
                Action.CREATE,
                user,
                comment=_("Imported from %(file)s") % {"file": blist.file_name},
            )
            dest = root / blist.path
            if dest.exists():  # a leftover of a database that was reset
                shutil.rmtree(dest)
            tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if dest is not None:
            shutil.rmtree(dest, ignore_errors=True)
        raise
    outcome.blist = blist
    log.info(
        "beneficiary list %s of %s: %d rows stored, %d rows with errors",
        blist.pk,
        programme.code,
        blist.rows,
        validation.error_rows,
    )
    return outcome


# --- review decisions ---------------------------------------------------------------


@transaction.atomic
def decide(
    run: MatchRun,
    list_row: str,
    person_key: str,
    decision: str,
    user: User,
    *,
    note: str = "",
) -> MatchDecision:
    """Record "same person"/"different person" on one pair of a programme (audited),
    and apply it to the run's matches at once (and on every later run)."""

    if decision not in Decision.values:
        raise ValueError(f"unknown decision {decision!r}")
    programme = run.beneficiary_list.programme
    current = (
        MatchDecision.objects.select_for_update()
        .filter(programme=programme, list_row=list_row, person_key=person_key)
        .first()
    )
    if decision == Decision.MATCH:
        # One person per row: a new "same person" replaces an earlier one on another person.
        for other in MatchDecision.objects.filter(
            programme=programme, list_row=list_row, decision=Decision.MATCH
        ).exclude(person_key=person_key):
            record(other, Action.DELETE, user, before=snapshot(other))
            other.delete()
    if current is None:
        current = MatchDecision.objects.create(
            programme=programme,
            list_row=list_row,
            person_key=person_key,
            decision=decision,
            note=note[:300],
            decided_by=_actor(user),
        )
        record(current, Action.CREATE, user)
    elif current.decision != decision or current.note != note[:300]:
        before = snapshot(current)
        current.decision = decision
        current.note = note[:300]
        current.decided_by = _actor(user)
        current.version += 1
        current.save()
        record(current, Action.UPDATE, user, before=before)
    _reapply_everywhere(run, list_row)
    return current


def _reapply_everywhere(run: MatchRun, list_row: str) -> None:
    """Apply a changed decision to this run and to every other finished run of the
    programme that holds the row (convergence reads the newest one)."""
    from sinergi.web.beneficiaries import matching
    from sinergi.web.beneficiaries.models import RunStatus

    others = (
        MatchRun.objects.filter(
            beneficiary_list__programme_id=run.beneficiary_list.programme_id,
            status=RunStatus.DONE,
            links__list_row=list_row,
        )
        .exclude(pk=run.pk)
        .select_related("beneficiary_list", "release")
        .distinct()
    )
    for target in [run, *others]:
        matching.reapply(target, [list_row])


@transaction.atomic
def withdraw(decision: MatchDecision, run: MatchRun | None, user: User) -> None:
    """Take a decision back (audited): the pair is a candidate again, as the run found it."""
    before = snapshot(decision)
    list_row = decision.list_row
    record(decision, Action.DELETE, user, before=before, comment=_("Decision withdrawn"))
    decision.delete()
    if run is not None:
        _reapply_everywhere(run, list_row)
