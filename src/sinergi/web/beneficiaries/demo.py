"""Demo step: SYNTHETIC beneficiary lists of Banyuasin's programmes, imported and matched.

Nothing here is a real beneficiary. The lists are drawn from the synthetic registry
release "DTSEN 2025-Q3 (sintetis)" (its input files under ``microdata/``) for three
kecamatan (Betung, Rambutan, Suak Tapeh), with what real lists have: leakage
(households of decile 6-10 on a poverty programme), undercoverage (only part of the
eligible households), names written another way (``Muhammad``/``M.``, honorifics,
typos, spacing), mistyped and missing NIKs, the same person listed twice, and persons
who are not in the registry at all. Each stakeholder's file has its own layout
(headers, delimiter, date format, one XLSX); the demo imports them through the
ordinary import (column mapping suggested from the headers) and matches them to the
release. Files are written once; every step is skipped when its result exists.

The matching applies the Splink models shipped in ``data/demo_linkage_models.json``
instead of training them on every load: training took a fifth of the step's time, and
its samples differ between data directories (records are keyed by the pseudonymised
NIK, whose key each data directory draws), so fresh loads showed from about 100 to 380
pairs to review. With the shipped models the figures are the same on every load.
Retrain them (after changing the comparisons of :mod:`sinergi.linkage` or the synthetic
data) with ``.venv/bin/python scripts/demo_models.py --linkage``;
``tests/web/beneficiaries/test_demo.py`` compares them with a live training.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from sinergi.web.beneficiaries.models import OwnerKind

RELEASE = "DTSEN 2025-Q3 (sintetis)"
RELEASE_INPUT = "dtsen-banyuasin-2025-q3-synthetic"
KECAMATAN = ("16.07.05", "16.07.06", "16.07.16")  # Betung, Rambutan, Suak Tapeh
LABEL = "2025 Triwulan III (sintetis)"
PERIOD = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
SEED = 20251001
# Smaller Splink training samples than the default, for a demo that trains (a test, or
# models passed without ``link``/``dedupe``); the shipped models used Splink's own.
TRAINING = {"u_max_pairs": 5e4, "em_max_pairs": 2e4}
# The trained models (link, dedupe) the demo applies; see the module docstring.
MODELS_FILE = Path(__file__).resolve().parent / "data" / "demo_linkage_models.json"

STAKEHOLDERS = (
    # name, short name, kind, agency code
    ("Kementerian Sosial", "Kemensos", OwnerKind.MINISTRY, None),
    ("Dinas Sosial Kabupaten Banyuasin", "Dinsos Banyuasin", OwnerKind.OPD, "dinsos"),
    ("Pemerintah Provinsi Sumatera Selatan", "Pemprov Sumsel", OwnerKind.PROVINCE, None),
    (
        "Kementerian Desa dan Pembangunan Daerah Tertinggal (Pemerintah Desa)",
        "Kemendes / Pemdes",
        OwnerKind.MINISTRY,
        None,
    ),
    ("Kementerian Pendidikan Dasar dan Menengah", "Kemendikdasmen", OwnerKind.MINISTRY, None),
    (
        "Kantor Perwakilan Bank Indonesia Sumatera Selatan",
        "BI Sumsel",
        OwnerKind.BANK_INDONESIA,
        None,
    ),
    ("Otoritas Jasa Keuangan Sumatera Selatan", "OJK Sumsel", OwnerKind.OJK, None),
    ("Bank Sumsel Babel", "Bank Sumsel Babel", OwnerKind.BANK, None),
    ("Forum CSR Kabupaten Banyuasin (sintetis)", "Forum CSR", OwnerKind.CSR, None),
    ("Baznas Kabupaten Banyuasin", "Baznas Banyuasin", OwnerKind.BAZNAS, None),
    ("Pemerintah Kabupaten Banyuasin", "Pemkab Banyuasin", OwnerKind.REGENCY, None),
)


@dataclass(frozen=True)
class DemoProgramme:
    code: str
    name: str
    owner: str  # stakeholder short name
    region: str
    max_decile: int | None
    coverage: float  # share of eligible households listed
    leakage: float  # share of rows from households above the rule (decile 6-10)
    layout: str  # key of LAYOUTS
    person: str = "head"  # whom the list names: head | spouse | child
    size: int | None = None  # fixed number of rows (programmes without a rule)
    # Kemensos's lists are matched with a stricter accept threshold: more pairs reach the
    # review queue (the demo shows it at work).
    accept: float = 0.95
    description: str = ""


PROGRAMMES = (
    DemoProgramme(
        "pkh",
        "Program Keluarga Harapan (PKH)",
        "Kemensos",
        "16.07",
        4,
        0.40,
        0.10,
        "kemensos",
        accept=0.9999,
        description="Bantuan sosial bersyarat bagi keluarga miskin dan rentan (data sintetis).",
    ),
    DemoProgramme(
        "bpnt",
        "BPNT / Program Sembako",
        "Kemensos",
        "16.07",
        5,
        0.35,
        0.12,
        "kemensos",
        person="spouse",
        accept=0.9999,
    ),
    DemoProgramme(
        "pbi-jk",
        "PBI Jaminan Kesehatan",
        "Kemensos",
        "16.07",
        5,
        0.30,
        0.08,
        "pbi",
    ),
    DemoProgramme(
        "blt-dd",
        "BLT Dana Desa",
        "Kemendes / Pemdes",
        "16.07",
        4,
        0.15,
        0.15,
        "desa",
    ),
    DemoProgramme(
        "pip",
        "Program Indonesia Pintar (PIP)",
        "Kemendikdasmen",
        "16.07",
        5,
        0.12,
        0.10,
        "sekolah",
        person="child",
    ),
    DemoProgramme(
        "kur",
        "Kredit Usaha Rakyat (KUR)",
        "Bank Sumsel Babel",
        "16.07",
        None,
        0,
        0,
        "bank",
        size=500,
    ),
    DemoProgramme(
        "sumsel-sejahtera",
        "Bantuan Sosial Sumsel Sejahtera",
        "Pemprov Sumsel",
        "16",
        3,
        0.08,
        0.10,
        "provinsi",
    ),
    DemoProgramme(
        "banyuasin-prima-sejahtera",
        "Banyuasin Prima Sejahtera (bantuan daerah)",
        "Dinsos Banyuasin",
        "16.07",
        3,
        0.10,
        0.05,
        "dinsos",
    ),
)

# Each stakeholder's own layout: file type, delimiter, headers per field, date format.
LAYOUTS: dict[str, dict[str, Any]] = {
    "kemensos": {
        "ext": "csv",
        "delimiter": ";",
        "date": "%d-%m-%Y",
        "headers": {
            "source_id": "ID KPM",
            "nik": "NIK",
            "full_name": "Nama Penerima",
            "birth_date": "Tgl Lahir",
            "sex": "JK",
            "address": "Alamat",
            "region_code": "Kode Desa",
        },
    },
    "pbi": {
        "ext": "csv",
        "delimiter": ",",
        "date": "%Y-%m-%d",
        "headers": {
            "source_id": "No Peserta",
            "nik": "NIK",
            "full_name": "Nama Lengkap",
            "birth_date": "Tanggal Lahir",
            "sex": "Jenis Kelamin",
            "address": "Alamat",
            "region_code": "Kode Desa",
            "kk": "No KK",
        },
    },
    "desa": {
        "ext": "xlsx",
        "date": "excel",
        "headers": {
            "source_id": "No",
            "nik": "NIK",
            "full_name": "Nama",
            "birth_date": "Tanggal Lahir",
            "sex": "L/P",
            "address": "Alamat",
            "region_code": "Desa/Kelurahan",
        },
    },
    "sekolah": {
        "ext": "csv",
        "delimiter": "\t",
        "date": "%d/%m/%Y",
        "headers": {
            "source_id": "ID Peserta",
            "nik": "NIK",
            "full_name": "Nama Siswa",
            "birth_date": "Tgl Lahir",
            "sex": "Jenis Kelamin",
            "address": "Alamat",
            "region_code": "Kode Desa",
        },
    },
    "bank": {
        "ext": "csv",
        "delimiter": ",",
        "date": "%d/%m/%Y",
        "headers": {
            "source_id": "No Rekening",
            "nik": "NIK",
            "full_name": "Nama Debitur",
            "birth_date": "Tgl Lahir",
            "sex": "JK",
            "address": "Alamat",
            "region_code": "Kode Desa",
        },
    },
    "provinsi": {
        "ext": "csv",
        "delimiter": ";",
        "date": "%d/%m/%Y",
        "headers": {
            "source_id": "ID Penerima",
            "nik": "NIK",
            "full_name": "Nama",
            "birth_date": "Tanggal Lahir",
            "sex": "JK",
            "address": "Alamat",
            "region_code": "Kode Wilayah",
        },
    },
    "dinsos": {
        "ext": "csv",
        "delimiter": ",",
        "date": "%Y-%m-%d",
        "headers": {
            "source_id": "ID",
            "nik": "NIK",
            "full_name": "Nama Lengkap",
            "birth_date": "Tanggal Lahir",
            "sex": "Jenis Kelamin",
            "address": "Alamat",
            "region_code": "Kode Desa",
            "kk": "No KK",
        },
    },
}

# What is wrong with a synthetic list, row by row (shares of rows).
RATES = {
    "name_variant": 0.08,
    "nik_typo": 0.025,
    "nik_missing": 0.05,
    "nik_malformed": 0.01,
    "duplicate": 0.015,
    "not_in_registry": 0.02,
}

_FIRST = ("Ahmad", "Siti", "Rahmat", "Nur", "Dewi", "Agus", "Sri", "Budi", "Rina", "Joko")
_LAST = ("Saputra", "Lestari", "Hidayat", "Wati", "Pratama", "Sari", "Kurniawan", "Yanti")


def inputs_dir() -> Path:
    return Path(settings.DATA_DIR) / "microdata" / "beneficiaries-banyuasin-2025-q3-synthetic"


# --- drawing the lists --------------------------------------------------------------


def _registry(release_path: Path) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Households of the demo kecamatan (with the release's current decile) and their members
    (clear synthetic NIKs from the release's input files)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from sinergi.targeting import releases as rel

    hh = pq.read_table(
        release_path / "households.parquet",
        columns=["household_id", "desa_code", "kecamatan_code", "address", "decile"],
    )
    hh = hh.filter(pc.is_in(hh.column("kecamatan_code"), value_set=_array(KECAMATAN)))
    scores = rel.read_scores(release_path)
    model = (
        dict(
            zip(
                scores.column("household_id").to_pylist(),
                scores.column("model_decile").to_pylist(),
                strict=True,
            )
        )
        if scores is not None
        else {}
    )
    households = []
    for h in hh.to_pylist():
        decile = model.get(h["household_id"]) or h["decile"]
        if decile is not None:
            households.append({**h, "decile": int(decile)})
    households.sort(key=lambda h: h["household_id"])
    src = Path(settings.DATA_DIR) / "microdata" / RELEASE_INPUT / "members.parquet"
    members = pq.read_table(
        src, columns=["household_id", "kk", "nik", "full_name", "sex", "birth_date", "relationship"]
    )
    members = members.filter(
        pc.is_in(
            members.column("household_id"),
            value_set=_array([h["household_id"] for h in households]),
        )
    )
    by_household: dict[str, list[dict[str, Any]]] = {}
    for m in members.to_pylist():
        by_household.setdefault(m["household_id"], []).append(m)
    return households, by_household


def _array(values: Any) -> Any:
    import pyarrow as pa

    return pa.array(list(values), pa.string())


def _variant(name: str, rng: random.Random) -> str:
    """The same name as another office writes it."""
    words = name.split()
    choice = rng.randrange(7)
    if choice == 0 and words and words[0].lower().startswith("mu"):
        words[0] = rng.choice(["M.", "Moh.", "Moch.", "Muhamad"])
    elif choice == 0 or choice == 1:
        words.insert(0, rng.choice(["H.", "Hj.", "Bpk.", "Ibu"]))
    elif choice == 2 and len(words) > 1:
        words = [words[0] + words[1].lower(), *words[2:]]
    elif choice == 3:
        w = rng.randrange(len(words))
        word = words[w]
        if len(word) > 3:
            i = rng.randrange(1, len(word) - 1)
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        words[w] = word
    elif choice == 4:
        return name.upper()
    elif choice == 5:
        words.append(rng.choice(["S.Pd.", "S.E.", "A.Md."]))
    else:
        w = rng.randrange(len(words))
        if len(words[w]) > 4:
            words[w] = words[w][:-1]
    return " ".join(words)


def _nik_typo(nik: str, rng: random.Random) -> str:
    i = rng.randrange(12, 16)  # the serial: still a well-formed NIK, of nobody
    return nik[:i] + str((int(nik[i]) + rng.randrange(1, 10)) % 10) + nik[i + 1 :]


def _pick_person(members: list[dict[str, Any]], whom: str) -> dict[str, Any] | None:
    order = {"head": ("head", "spouse"), "spouse": ("spouse", "head"), "child": ("child",)}[whom]
    for rel in order:
        for m in members:
            if m["relationship"] == rel:
                return m
    return None if whom == "child" else (members[0] if members else None)


def draw_list(
    spec: DemoProgramme,
    households: list[dict[str, Any]],
    members: dict[str, list[dict[str, Any]]],
    rng: random.Random,
) -> list[dict[str, Any]]:
    """The rows of one synthetic list (fields as Sinergi names them, clear synthetic NIKs)."""
    if spec.max_decile is None:
        chosen = rng.sample(households, min(spec.size or 0, len(households)))
    else:
        eligible = [h for h in households if h["decile"] <= spec.max_decile]
        above = [h for h in households if h["decile"] >= 6]
        n = int(len(eligible) * spec.coverage)
        leak = int(n * spec.leakage / (1 - spec.leakage))
        chosen = rng.sample(eligible, min(n, len(eligible))) + rng.sample(
            above, min(leak, len(above))
        )
    rows: list[dict[str, Any]] = []
    for h in chosen:
        person = _pick_person(members.get(h["household_id"], []), spec.person)
        if person is None:
            continue
        rows.append(
            {
                "nik": person["nik"],
                "full_name": person["full_name"],
                "birth_date": person["birth_date"],
                "sex": person["sex"],
                "address": h["address"] or "",
                "region_code": h["desa_code"],
                "kk": person["kk"],
            }
        )
    desa = sorted({h["desa_code"] for h in households})
    for _ in range(int(len(rows) * RATES["not_in_registry"])):
        sex = rng.choice("MF")
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        code = rng.choice(desa)
        day = birth.day + (40 if sex == "F" else 0)
        rows.append(
            {
                "nik": f"{code[:8].replace('.', '')}{day:02d}{birth:%m%y}{rng.randrange(5000, 9999):04d}",
                "full_name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                "birth_date": birth,
                "sex": sex,
                "address": f"Dusun {rng.randrange(1, 6)}",
                "region_code": code,
                "kk": None,
            }
        )
    for r in rows:
        u = rng.random()
        if u < RATES["nik_missing"]:
            r["nik"] = None
        elif u < RATES["nik_missing"] + RATES["nik_typo"]:
            r["nik"] = _nik_typo(r["nik"], rng)
        elif u < RATES["nik_missing"] + RATES["nik_typo"] + RATES["nik_malformed"]:
            r["nik"] = r["nik"][: rng.randrange(10, 15)]
        if rng.random() < RATES["name_variant"]:
            r["full_name"] = _variant(r["full_name"], rng)
        if r["nik"] is None or u < 0.1:  # a row without a good NIK, often with more wrong
            v = rng.random()
            if v < 0.25 and r["birth_date"] is not None:
                b = r["birth_date"]
                r["birth_date"] = b.replace(day=min(b.month, 28), month=min(b.day, 12))
            elif v < 0.45:
                r["region_code"] = rng.choice(desa)
            elif v < 0.6:
                r["address"] = f"Dusun {rng.randrange(1, 9)}"
    for r in rng.sample(rows, int(len(rows) * RATES["duplicate"])):
        twin = dict(r)
        if rng.random() < 0.5:
            twin["full_name"] = _variant(twin["full_name"], rng)
        rows.append(twin)
    rng.shuffle(rows)
    for i, r in enumerate(rows, start=1):
        r["source_id"] = f"{spec.code.upper()[:3]}-{i:06d}"
    return rows


def _cell(field: str, value: Any, layout: dict[str, Any]) -> Any:
    if value is None:
        return ""
    if field == "birth_date":
        if layout["date"] == "excel":
            return value
        return value.strftime(layout["date"])
    if field == "sex" and layout["headers"].get("sex") in ("JK", "L/P"):
        return {"M": "L", "F": "P"}[value]
    if field == "sex":
        return {"M": "Laki-laki", "F": "Perempuan"}[value]
    return value


def write_list(
    path: Path, rows: list[dict[str, Any]], layout: dict[str, Any], names: dict[str, str]
) -> None:
    """Write one list in its stakeholder's layout (atomically)."""
    headers = layout["headers"]
    fields = list(headers)
    tmp = path.with_name(f".{path.name}.tmp")
    if layout["ext"] == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Penerima"
        sheet.append([headers[f] for f in fields])
        for r in rows:
            values = []
            for f in fields:
                v = _cell(f, r.get(f), layout)
                if f == "region_code":  # villages write their desa name
                    v = names.get(r.get(f) or "", v)
                values.append(v)
            sheet.append(values)
        book.save(tmp)
    else:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, delimiter=layout["delimiter"])
            writer.writerow([headers[f] for f in fields])
            for r in rows:
                writer.writerow([_cell(f, r.get(f), layout) for f in fields])
    tmp.replace(path)


def list_file(spec: DemoProgramme) -> Path:
    return inputs_dir() / f"{spec.code}.{LAYOUTS[spec.layout]['ext']}"


# --- the step -----------------------------------------------------------------------


def _stakeholders() -> dict[str, Any]:
    from sinergi.web.accounts.models import Agency
    from sinergi.web.beneficiaries.models import Stakeholder

    out = {}
    for name, short, kind, agency_code in STAKEHOLDERS:
        agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
        obj, _created = Stakeholder.objects.get_or_create(
            name=name, defaults={"short_name": short, "kind": kind, "agency": agency}
        )
        out[short] = obj
    return out


def packaged_models() -> dict[str, Any]:
    """The shipped Splink models: ``{"link": ..., "dedupe": ...}`` (``LinkResult.model``)."""
    data = json.loads(MODELS_FILE.read_text(encoding="utf-8"))
    return {"link": data["link"], "dedupe": data["dedupe"]}


def load(
    progress: Callable[[str], None] | None = None, models: dict[str, Any] | None = None
) -> str:
    """Create the demo stakeholders and programmes, write (once), import and match their lists.

    ``models``: the Splink models to apply (default: :func:`packaged_models`); pass a
    dict without them to train them (with the sample sizes of its ``training``, default
    :data:`TRAINING`), which then holds them (``link``, ``dedupe``).
    """
    from sinergi.web.beneficiaries import matching, services
    from sinergi.web.beneficiaries.models import BeneficiaryList, MatchRun, Programme, RunStatus
    from sinergi.web.regions.models import Region
    from sinergi.web.registry.models import Release
    from sinergi.web.registry.services import release_dir

    say = progress or (lambda _m: None)
    release = Release.objects.filter(name=RELEASE, status="ready").first()
    if release is None:
        return f"skipped: the release {RELEASE!r} is not loaded"
    user = User.objects.filter(username="dinsos.demo").first()
    owners = _stakeholders()
    programmes = {}
    for spec in PROGRAMMES:
        programme = Programme.objects.filter(code=spec.code).first()
        if programme is None:
            programme = services.create_programme(
                user,
                code=spec.code,
                name=spec.name,
                owner=owners[spec.owner],
                region=Region.objects.get(code=spec.region),
                period_start=PERIOD[0],
                period_end=PERIOD[1],
                eligibility_max_decile=spec.max_decile,
                description=spec.description or "Data sintetis untuk demo.",
                is_synthetic=True,
            )
        programmes[spec.code] = programme
    folder = inputs_dir()
    missing = [s for s in PROGRAMMES if not list_file(s).exists()]
    if missing:
        say("beneficiaries: drawing the synthetic lists")
        folder.mkdir(parents=True, exist_ok=True)
        households, members = _registry(release_dir(release))
        names = dict(
            Region.objects.filter(code__in={h["desa_code"] for h in households}).values_list(
                "code", "name"
            )
        )
        for spec in PROGRAMMES:
            rng = random.Random(f"{SEED}-{spec.code}")
            rows = draw_list(spec, households, members, rng)  # drawn for every spec: stable
            if spec in missing:
                write_list(list_file(spec), rows, LAYOUTS[spec.layout], names)
    total_rows = matched = review = 0
    # One model for all the lists (when trained: on all their rows left after the NIK stage).
    if models is None:
        models = packaged_models()
    models.setdefault("training", TRAINING)
    pending: list[tuple[Any, float, float]] = []
    lists = []
    for spec in PROGRAMMES:
        programme = programmes[spec.code]
        blist = BeneficiaryList.objects.filter(programme=programme, label=LABEL).first()
        if blist is None:
            say(f"beneficiaries: importing {spec.code}")
            outcome = services.import_list(
                programme,
                list_file(spec),
                label=LABEL,
                user=user,
                valid_only=True,
                synthetic=True,
            )
            if outcome.blist is None:
                raise RuntimeError(f"the demo list {spec.code} did not import: {outcome.counts}")
            blist = outcome.blist
        lists.append(blist)
        if not MatchRun.objects.filter(
            beneficiary_list=blist, release=release, status=RunStatus.DONE
        ).exists():
            pending.append((blist, spec.accept, matching.DEFAULT_REVIEW))
    if pending:
        say("beneficiaries: matching the lists to the registry")
        for run in matching.match_many(
            pending,
            release,
            user=user,
            models=models,
            kecamatan=list(KECAMATAN),
            training=models["training"],
        ):
            if run.status != RunStatus.DONE:
                raise RuntimeError(f"a demo list did not match: {run.stats}")
    for blist in lists:
        run = MatchRun.objects.filter(
            beneficiary_list=blist, release=release, status=RunStatus.DONE
        ).first()
        total_rows += blist.rows
        matched += run.counts.get("matched", 0)
        review += run.counts.get("review", 0)
    return (
        f"{len(PROGRAMMES)} programmes, {total_rows:,} list rows, {matched:,} matched, "
        f"{review:,} to review; all synthetic; files in {folder}"
    )
