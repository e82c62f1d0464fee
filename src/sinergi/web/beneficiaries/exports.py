"""Field-verification lists and the convergence table as XLSX.

The household lists name households for a visit, masked: the KK and the head's NIK as
stored masked in the release (never a clear number: this module never reads a hash or
an encrypted column), the head's name, the desa, the decile and the programmes.

Every workbook is written whole (openpyxl's streaming ``write_only`` mode) to an
anonymous temporary file before a byte is sent: a failure leaves nothing half
written, and the file disappears when the response closes it. Numbers go through the
one rounding rule (:func:`sinergi.rounding.rounded`), as on the page.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sinergi.rounding import rounded
from sinergi.web.beneficiaries import analysis as an
from sinergi.web.core.formatting import long_date
from sinergi.web.regions.models import Region
from sinergi.web.registry.models import Release
from sinergi.web.registry.services import release_dir

log = logging.getLogger(__name__)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(kind: str, release: Release, region: Region) -> str:
    return f"{kind}-{slugify(region.name)}-{release.slug}.xlsx"


def _temp() -> IO[bytes]:
    root = settings.DATA_DIR / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryFile(dir=root, suffix=".xlsx")


def _write(
    sheet_title: str,
    preamble: Sequence[str],
    header: Sequence[tuple[str, float]],
    rows: Iterable[Sequence[Any]],
    *,
    warn: str | None = None,
) -> IO[bytes]:
    """A one-sheet workbook: title lines, a bold header row, then ``rows`` as they come."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    for index, (_label, width) in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{len(preamble) + (2 if warn else 1) + 2}"

    def styled(value: Any, **style: Any) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        for key, v in style.items():
            setattr(cell, key, v)
        return cell

    for i, line in enumerate(preamble):
        sheet.append([styled(line, font=Font(bold=True, size=13)) if i == 0 else line])
    if warn:
        sheet.append([styled(warn, font=Font(bold=True, color="9C4A00"))])
    sheet.append([])
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append(
        [styled(label, font=head_font, fill=head_fill, alignment=wrap) for label, _w in header]
    )
    for row in rows:
        sheet.append(list(row))
    handle = _temp()
    try:
        book.save(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


def _synthetic_note(a: an.Analysis) -> str | None:
    if not a.is_synthetic:
        return None
    return _(
        "Synthetic data: made-up households and lists for trying Sinergi out, not real people."
    )


def _made(user: Any) -> str:
    who = user.get_username() if user is not None and user.is_authenticated else "–"
    return _("Prepared %(when)s by %(who)s. Numbers are masked; do not copy them elsewhere.") % {
        "when": long_date(timezone.now()),
        "who": who,
    }


def _decile_note(a: an.Analysis) -> str:
    if a.registry.decile_source == "release":
        return _("Decile: as carried by the release (DTSEN).")
    if a.registry.decile_source == "model":
        return _("Decile: from the welfare model (PMT).")
    return _("Decile: not ranked yet.")


# --- household details ----------------------------------------------------------------------


def _details(
    release: Release, area_code: str, household_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Masked KK, head's name and masked NIK, desa and kecamatan of these households."""
    path = release_dir(release)
    column = an.area_column(area_code)
    wanted = pa.array(list(household_ids), pa.string())
    households = pq.read_table(
        path / "households.parquet",
        columns=["household_id", "kk_masked", "desa_code", "kecamatan_code", "persons"],
        filters=[(column, "=", area_code)],
    )
    households = households.filter(pc.is_in(households.column("household_id"), wanted))
    heads = pq.read_table(
        path / "members.parquet",
        columns=["household_id", "full_name", "nik_masked", "relationship"],
        filters=[("relationship", "=", "head")],
    )
    heads = heads.filter(pc.is_in(heads.column("household_id"), wanted))
    out = {r["household_id"]: dict(r) for r in households.to_pylist()}
    for r in sorted(heads.to_pylist(), key=lambda r: (r["household_id"], r["full_name"] or "")):
        d = out.get(r["household_id"])
        if d is not None and "head_name" not in d:
            d["head_name"] = r["full_name"]
            d["head_nik_masked"] = r["nik_masked"]
    return out


def _household_rows(
    a: an.Analysis,
    area: Region,
    table: pa.Table,
    programme_names: dict[str, str],
    *,
    with_count: bool,
) -> list[list[Any]]:
    ids = table.column("household_id").to_pylist()
    details = _details(a.release, area.code, ids)
    codes = {d["desa_code"] for d in details.values()} | {
        d["kecamatan_code"] for d in details.values()
    }
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    received = a.programmes_of(ids)
    records = table.to_pylist()
    records.sort(
        key=lambda r: (
            names.get(details.get(r["household_id"], {}).get("desa_code", ""), ""),
            r["household_id"],
        )
    )
    rows = []
    for no, r in enumerate(records, start=1):
        d = details.get(r["household_id"], {})
        programmes = [programme_names.get(c, c) for c in received.get(r["household_id"], [])]
        row = [
            no,
            names.get(d.get("kecamatan_code", ""), d.get("kecamatan_code")),
            names.get(d.get("desa_code", ""), d.get("desa_code")),
            r["household_id"],
            d.get("kk_masked"),
            d.get("head_name"),
            d.get("head_nik_masked"),
            int(r["persons"]),
            int(r["decile"]),
        ]
        if with_count:
            row.append(len(programmes))
        row.append(", ".join(programmes))
        rows.append(row)
    return rows


def _household_header(with_count: bool) -> list[tuple[str, float]]:
    header: list[tuple[str, float]] = [
        (_("No."), 6),
        (_("Kecamatan"), 20),
        (_("Desa/kelurahan"), 22),
        (_("Household id (registry)"), 18),
        (_("KK number (masked)"), 20),
        (_("Head of household"), 28),
        (_("Head's NIK (masked)"), 20),
        (_("Number of members"), 10),
        (_("Decile"), 8),
    ]
    if with_count:
        header.append((_("Number of programmes"), 12))
    header.append((_("Programmes received"), 40))
    return header


def unreached_xlsx(
    a: an.Analysis,
    area: Region,
    *,
    programme: str | None = None,
    k: int | None = None,
    user: Any = None,
) -> IO[bytes]:
    """Eligible households of a desa or kecamatan that no programme reaches (decile <= k,
    4 by default), or, with ``programme``, those its rule makes eligible that it misses."""
    names = {p.code: p.programme.name for p in a.programmes}
    table = a.unreached(area.code, programme=programme, k=k)
    rule: int | None
    if programme is None:
        rule = k if k is not None else an.TARGET_GROUP_K
        title = _("Eligible households no programme reaches")
        scope = _("Households in decile %(k)s or lower that are on no programme's list.") % {
            "k": rule
        }
    else:
        rule = k if k is not None else a.by_code()[programme].rule
        title = _("Eligible households %(programme)s does not reach") % {
            "programme": names[programme]
        }
        scope = _(
            "Households in decile %(k)s or lower that are not on the list of %(programme)s; "
            "the last column names the other programmes they receive."
        ) % {"k": rule, "programme": names[programme]}
    preamble = [
        title,
        f"{area.name} · {a.release.name} · {long_date(a.release.reference_date)}",
        scope,
        _decile_note(a),
        _made(user),
    ]
    rows = _household_rows(a, area, table, names, with_count=False)
    handle = _write(
        _("Verification list"), preamble, _household_header(False), rows, warn=_synthetic_note(a)
    )
    log.info(
        "field-verification list (unreached) of %s in %s: %d households, by user %s",
        a.release.slug,
        area.code,
        len(rows),
        getattr(user, "pk", None),
    )
    return handle


def well_off_xlsx(a: an.Analysis, area: Region, *, user: Any = None) -> IO[bytes]:
    """Households of a desa or kecamatan in decile 7 or above that receive two or more
    programmes."""
    names = {p.code: p.programme.name for p in a.programmes}
    table = a.well_off(area.code)
    preamble = [
        _("Better-off households receiving several programmes"),
        f"{area.name} · {a.release.name} · {long_date(a.release.reference_date)}",
        _("Households in decile %(d)s or higher on the lists of at least %(n)s programmes.")
        % {"d": an.WELL_OFF_MIN_DECILE, "n": an.WELL_OFF_MIN_PROGRAMMES},
        _decile_note(a),
        _made(user),
    ]
    rows = _household_rows(a, area, table, names, with_count=True)
    handle = _write(
        _("Verification list"), preamble, _household_header(True), rows, warn=_synthetic_note(a)
    )
    log.info(
        "field-verification list (well-off) of %s in %s: %d households, by user %s",
        a.release.slug,
        area.code,
        len(rows),
        getattr(user, "pk", None),
    )
    return handle


# --- the convergence table --------------------------------------------------------------------


def _num(value: Any, decimals: int) -> Any:
    """A figure as the page rounds it; a hidden or undefined one as the page's dash."""
    r = rounded(value, decimals)
    return "–" if r is None else (int(r) if decimals == 0 else float(r))


def convergence_header() -> list[tuple[str, float]]:
    return [
        (_("Programme"), 30),
        (_("Owner"), 24),
        (_("Eligible up to decile"), 12),
        (_("Households"), 12),
        (_("Eligible households"), 12),
        (_("Beneficiary households"), 12),
        (_("Eligible beneficiary households"), 12),
        (_("Inclusion error (%)"), 12),
        (_("Exclusion error (%)"), 12),
        (_("Coverage (%)"), 12),
        (_("Coverage of decile 1-4 (%)"), 12),
        (_("CGH indicator"), 10),
        (_("List rows matched to no household"), 14),
    ]


def convergence_values(row: dict[str, Any]) -> list[Any]:
    """One programme row of the dashboard table as the XLSX writes it."""
    m, g = row["m"], row["group"]
    return [
        row["name"],
        row["owner"],
        row["rule"] if row["rule"] is not None else _("no decile rule"),
        _num(m.households if m else None, 0),
        _num(m.eligible_households if m else None, 0),
        _num(m.beneficiary_households if m else None, 0),
        _num(m.reached_eligible if m else None, 0),
        _num(m.inclusion_error if m else None, 1),
        _num(m.exclusion_error if m else None, 1),
        _num(m.coverage if m else None, 1),
        _num(g.coverage if g else None, 1),
        _num(m.cgh if m else None, 2),
        row["unmatched"] + row["unranked"],
    ]


def convergence_xlsx(context: dict[str, Any]) -> IO[bytes]:
    """The dashboard's table of one area (``views_convergence.dashboard_context``)."""
    a: an.Analysis = context["analysis"]
    region: Region = context["region"]
    preamble = [
        _("Convergence of programmes") + f" · {region.name}",
        f"{a.release.name} · {long_date(a.release.reference_date)}",
        _decile_note(a),
        _("Each programme's own rule")
        if context["k"] is None
        else _("Eligible: decile %(k)s or lower, for every programme") % {"k": context["k"]},
    ]
    if context["suppressed"]:
        preamble.append(
            _("Counts below %(t)s households are hidden (–) to protect privacy.")
            % {"t": context["threshold"]}
        )
    preamble.append(_("Downloaded %(when)s.") % {"when": long_date(timezone.now())})
    rows = [convergence_values(r) for r in context["table"]]
    return _write(_("Convergence"), preamble, convergence_header(), rows, warn=_synthetic_note(a))


__all__ = [
    "XLSX_MIME",
    "convergence_header",
    "convergence_values",
    "convergence_xlsx",
    "file_name",
    "unreached_xlsx",
    "well_off_xlsx",
]
