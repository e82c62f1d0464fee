"""SYNTHETIC Indonesian persons and dirty copies of them, with the true pairs known.

Nothing here is a real person. :func:`generate_persons` draws a registry of
persons of Kabupaten Banyuasin (``16.07``): Malay/Palembang, Javanese and
Islamic names, many single names (mononyms), birth dates, sex, a NIK that
follows the registration rules (kecamatan prefix ``16.07.xx``, birth date
``DDMMYY`` with 40 added to the day for women, a serial unique per prefix and
date; see :mod:`sinergi.targeting.nik`), an address and a desa code.

:func:`corrupt` makes the kind of copy a programme list is: names written
another way (``Muhammad``/``M.``/``Moch.``, a hajj title or a degree added,
spacing, a typo, the old spelling, words swapped), a NIK with one digit wrong
or two digits swapped, missing NIK, birth date or address, day and month of
the birth date swapped, addresses abbreviated (``Jl.``, ``RT.3/RW.2``). It
returns the dirty records and the true pairs, for measuring precision and
recall (tests, benchmark, the demo).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from sinergi.stats.synthetic import KECAMATAN_CODES, SYNTHETIC_KEY
from sinergi.targeting.synthetic import (
    _FEMALE,
    _FEMALE_SECOND,
    _MALE,
    _MALE_SECOND,
    _ddmmyy,
    _serials,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["DEFAULT_RATES", "corrupt", "dedupe_set", "generate_persons", "link_set"]

REFERENCE_DATE = date(2025, 6, 30)

# Javanese names (many written with the old spelling too) and Islamic given names,
# beside the Palembang Malay names of the registry generator.
_JAVANESE_MALE = tuple(
    [
        "Sutrisno",
        "Suparman",
        "Slamet",
        "Sumarno",
        "Wagiman",
        "Suharto",
        "Sugeng",
        "Joko",
        "Bambang",
        "Sukirman",
        "Paimin",
        "Tukijo",
        "Sarwono",
        "Mulyono",
        "Purwanto",
        "Haryanto",
        "Wahyudi",
        "Sunarto",
        "Suyatno",
        "Margono",
        "Tugiman",
        "Sukarno",
        "Sudirman",
        "Harjono",
        "Poniman",
        "Giyanto",
        "Kusno",
        "Parjo",
        "Sutarman",
        "Rianto",
        "Cipto",
        "Darsono",
    ]
)
_JAVANESE_FEMALE = tuple(
    [
        "Sumiati",
        "Tukiyem",
        "Sri",
        "Wahyuni",
        "Suparti",
        "Sulastri",
        "Painem",
        "Ngatini",
        "Sukinah",
        "Wartini",
        "Suminah",
        "Sumarni",
        "Parmi",
        "Sutini",
        "Legiyem",
        "Jumiati",
        "Rukmini",
        "Kasinem",
        "Siti",
        "Suwarni",
        "Tumini",
        "Sriyati",
        "Mujiati",
        "Sunarsih",
        "Karsih",
        "Darmi",
    ]
)
_ISLAMIC_MALE = tuple(
    [
        "Abdullah",
        "Abdurrahman",
        "Syaifullah",
        "Nurhadi",
        "Habibullah",
        "Fathurrahman",
        "Zainuddin",
        "Jamaluddin",
        "Kamaluddin",
        "Syamsuddin",
        "Burhanuddin",
        "Ridho",
        "Khairul",
        "Hidayatullah",
        "Fikri",
        "Ikhsan",
    ]
)
_ISLAMIC_FEMALE = tuple(
    [
        "Nurjanah",
        "Khoirunnisa",
        "Ummi",
        "Kulsum",
        "Nurlaila",
        "Zulaikha",
        "Syarifah",
        "Hafsah",
        "Rabiatul",
        "Adawiyah",
        "Nurhasanah",
        "Mutiara",
        "Qonita",
        "Nurul",
        "Hidayah",
    ]
)
_MALE_GIVEN = (*_MALE, *_JAVANESE_MALE, *_ISLAMIC_MALE)
_FEMALE_GIVEN = (*_FEMALE, *_JAVANESE_FEMALE, *_ISLAMIC_FEMALE)
_STREETS = tuple(
    [
        "Merdeka",
        "Sudirman",
        "Kartini",
        "Pangkalan",
        "Balai",
        "Sukarela",
        "Lintas",
        "Timur",
        "Talang",
        "Kelapa",
        "Sungai",
        "Rengit",
        "Musi",
        "Raya",
        "Angkatan",
        "45",
        "Perintis",
        "Kemerdekaan",
        "Gotong",
        "Royong",
        "Masjid",
        "Pasar",
        "Sekolah",
        "Pemuda",
        "Kenanga",
        "Melati",
        "Mawar",
        "Kamboja",
        "Cempaka",
    ]
)

DEFAULT_RATES: dict[str, float] = {
    "muhammad": 0.6,  # of names with Muhammad: written another way
    "title": 0.08,  # a hajj title, form of address or degree added
    "spacing": 0.05,  # two words joined, or one split / hyphenated
    "typo": 0.08,  # one letter wrong, missing, added or two swapped
    "old_spelling": 0.04,  # u -> oe, j -> dj, c -> tj, sy -> sj, kh -> ch
    "word_order": 0.04,  # words of the name swapped
    "upper": 0.3,  # all capitals, as many lists are
    "nik_digit": 0.02,  # one digit of the NIK wrong
    "nik_swap": 0.01,  # two neighbouring digits swapped
    "nik_missing": 0.15,
    "birth_missing": 0.05,
    "birth_swap": 0.02,  # day and month exchanged
    "birth_year": 0.01,  # year off by one
    "address_missing": 0.2,
    "address_variant": 0.5,  # abbreviations and RT/RW written another way
    "sex_alias": 0.3,  # L/P instead of M/F
    "region_kecamatan": 0.1,  # only the kecamatan code instead of the desa
}
"""Probabilities of each corruption per record (see :func:`corrupt`)."""


def _desa_codes(rng: np.random.Generator) -> list[str]:
    codes: list[str] = []
    for kec in KECAMATAN_CODES:
        n = int(rng.integers(8, 24))
        codes.extend(f"{kec}.{2000 + i:04d}" for i in range(1, n + 1))
    return codes


def generate_persons(
    n: int,
    *,
    seed: int = 20250630,
    desa_codes: Sequence[str] | None = None,
    reference_date: date = REFERENCE_DATE,
    id_prefix: str = "P",
) -> pa.Table:
    """A SYNTHETIC registry of ``n`` distinct persons in Banyuasin.

    Columns ``id, nik, full_name, birth_date, sex, address, region_code``;
    every NIK is valid and unique; the table is marked
    ``sinergi.synthetic=true``.

    Examples
    --------
    >>> t = generate_persons(1000, seed=1)
    >>> t.num_rows, len(set(t.column("nik").to_pylist()))
    (1000, 1000)
    >>> t.schema.metadata[b"sinergi.synthetic"]
    b'true'
    """
    import pyarrow as pa

    rng = np.random.default_rng([seed, 1])
    desa = np.array(sorted(desa_codes) if desa_codes else _desa_codes(rng))
    female = rng.random(n) < 0.5
    # Ages: a young population (Banyuasin), 0-90.
    age_days = (rng.gamma(2.0, 15.0, n).clip(0, 90) * 365.25).astype(np.int64)
    ref = np.datetime64(reference_date, "D")
    birth = ref - age_days - rng.integers(0, 365, n)
    region = desa[rng.integers(0, len(desa), n)]
    prefix = np.array([int(r[:8].replace(".", "")) for r in region], dtype=np.int64)
    nik = prefix * 10**10 + _ddmmyy(birth, np.where(female, 40, 0)) * 10**4
    nik = nik + _serials(nik, 0, 1)
    names = _draw_names(rng, female)
    streets = np.array(_STREETS)[rng.integers(0, len(_STREETS), n)]
    number = rng.integers(1, 200, n)
    rt = rng.integers(1, 25, n)
    rw = rng.integers(1, 8, n)
    dusun = np.array(["I", "II", "III", "IV", "V"])[rng.integers(0, 5, n)]
    rural = rng.random(n) < 0.6
    address = [
        f"Dusun {d} RT {a:03d} RW {b:03d}" if r else f"Jalan {s} No. {k} RT {a:03d}/RW {b:03d}"
        for d, a, b, r, s, k in zip(dusun, rt, rw, rural, streets, number, strict=True)
    ]
    ids = [f"{id_prefix}{i:07d}" for i in range(1, n + 1)]
    table = pa.table(
        {
            "id": pa.array(ids, pa.string()),
            "nik": pa.array([f"{v:016d}" for v in nik], pa.string()),
            "full_name": pa.array(names, pa.string()),
            "birth_date": pa.array(birth.astype("datetime64[D]").astype(str), pa.string()),
            "sex": pa.array(np.where(female, "F", "M"), pa.string()),
            "address": pa.array(address, pa.string()),
            "region_code": pa.array(region, pa.string()),
        }
    )
    return table.replace_schema_metadata(
        {
            SYNTHETIC_KEY: "true",
            "sinergi.description": "SYNTHETIC persons generated by sinergi.linkage.synthetic; "
            "no real person.",
        }
    )


def _draw_names(rng: np.random.Generator, female: np.ndarray) -> list[str]:
    n = len(female)
    kind = rng.random(n)
    out: list[str] = []
    for i in range(n):
        given = _FEMALE_GIVEN if female[i] else _MALE_GIVEN
        second = _FEMALE_SECOND if female[i] else _MALE_SECOND
        first = given[int(rng.integers(0, len(given)))]
        if kind[i] < 0.25:  # a single name
            words = [first]
        elif kind[i] < 0.55:  # two given names
            words = [first, given[int(rng.integers(0, len(given)))]]
        elif kind[i] < 0.85:  # given name and a family-like second name
            words = [first, second[int(rng.integers(0, len(second)))]]
        else:  # three words, e.g. Muhammad Rizki Saputra, Siti Nur Aminah
            lead = "Siti" if female[i] else "Muhammad"
            words = [lead, first, second[int(rng.integers(0, len(second)))]]
        deduped: list[str] = []
        for word in words:
            if word not in deduped:
                deduped.append(word)
        out.append(" ".join(deduped))
    return out


_MUHAMMAD_FORMS = (
    "M.",
    "Moh.",
    "Moch.",
    "Muh.",
    "Mohammad",
    "Muhamad",
    "Mochammad",
    "Mhd.",
    "Mohamad",
)
_PREFIX_M = ("H.", "Bpk.", "Bapak", "Drs.", "Ir.", "Sdr.", "Haji")
_PREFIX_F = ("Hj.", "Ibu", "Hajjah", "Dra.", "Sdri.")
_DEGREES = (", S.Pd.", ", S.E.", ", S.H.", ", S.Kom.", ", A.Md.", ", M.Pd.", " S.Pd.I", ", S.Sos.")
_OLD = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("sy", "sj"), ("kh", "ch"), ("y", "j"))


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 4:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(0, 4))
    letters = "aiueonrstlkmgh"
    if kind == 0:
        return word[:i] + letters[int(rng.integers(0, len(letters)))] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + letters[int(rng.integers(0, len(letters)))] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _name_variant(
    name: str, female: bool, rng: np.random.Generator, rates: Mapping[str, float]
) -> str:
    words = name.split()
    hit = rng.random(7)
    if words[0] == "Muhammad" and len(words) > 1 and hit[0] < rates["muhammad"]:
        words[0] = _MUHAMMAD_FORMS[int(rng.integers(0, len(_MUHAMMAD_FORMS)))]
    if hit[1] < rates["old_spelling"]:
        j = int(rng.integers(0, len(words)))
        for new, old in _OLD:
            if new in words[j][1:].lower() or words[j].lower().startswith(new):
                lower = words[j].lower().replace(new, old, 1)
                words[j] = lower.capitalize()
                break
    if hit[2] < rates["typo"]:
        j = int(rng.integers(0, len(words)))
        words[j] = _typo(words[j], rng)
    if hit[3] < rates["word_order"] and len(words) > 1:
        words = [*words[1:], words[0]]
    if hit[4] < rates["spacing"]:
        if len(words) > 1 and rng.random() < 0.6:
            j = int(rng.integers(0, len(words) - 1))
            words[j : j + 2] = [words[j] + words[j + 1].lower()]
        else:
            words = ["-".join(words)] if len(words) > 1 else [words[0] + " "]
    text = " ".join(w for w in words if w)
    if hit[5] < rates["title"]:
        if rng.random() < 0.6:
            titles = _PREFIX_F if female else _PREFIX_M
            text = f"{titles[int(rng.integers(0, len(titles)))]} {text}"
        else:
            text += _DEGREES[int(rng.integers(0, len(_DEGREES)))]
    if hit[6] < rates["upper"]:
        text = text.upper()
    return text


def _address_variant(address: str, rng: np.random.Generator) -> str:
    text = address
    choice = int(rng.integers(0, 4))
    if choice == 0:
        text = text.replace("Jalan ", "Jl. ").replace("Dusun ", "Dsn. ")
    elif choice == 1:
        text = text.replace("Jalan ", "JL ").replace(" No. ", " NO ")
    import re

    style = int(rng.integers(0, 3))
    match = re.search(r"RT (\d+)\s*/?\s*RW (\d+)", text)
    if match:
        rt, rw = int(match.group(1)), int(match.group(2))
        written = (f"RT.{rt}/RW.{rw}", f"RT {rt:02d} RW {rw:02d}", f"RT {rt:03d}/{rw:03d}")[style]
        text = text[: match.start()] + written + text[match.end() :]
    return text


def _nik_variant(nik: str, rng: np.random.Generator, rates: Mapping[str, float]) -> str | None:
    r = rng.random()
    if r < rates["nik_missing"]:
        return None
    r -= rates["nik_missing"]
    digits = list(nik)
    if r < rates["nik_digit"]:
        i = int(rng.integers(0, 16))
        digits[i] = str((int(digits[i]) + int(rng.integers(1, 10))) % 10)
    elif r < rates["nik_digit"] + rates["nik_swap"]:
        i = int(rng.integers(0, 15))
        if digits[i] == digits[i + 1]:
            digits[i] = str((int(digits[i]) + 1) % 10)
        else:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
    return "".join(digits)


def _birth_variant(
    birth: str | None, rng: np.random.Generator, rates: Mapping[str, float]
) -> str | None:
    if birth is None:
        return None
    r = rng.random()
    if r < rates["birth_missing"]:
        return None
    year, month, day = (int(p) for p in birth.split("-"))
    r -= rates["birth_missing"]
    if r < rates["birth_swap"] and day <= 12 and day != month:
        return f"{year:04d}-{day:02d}-{month:02d}"
    r -= rates["birth_swap"]
    if r < rates["birth_year"] and not (month == 2 and day == 29):
        return f"{year + (1 if rng.random() < 0.5 else -1):04d}-{month:02d}-{day:02d}"
    return birth


def corrupt(
    records: pa.Table,
    rng: np.random.Generator,
    rates: Mapping[str, float] | None = None,
    *,
    id_prefix: str = "L",
    id_column: str = "id",
) -> tuple[pa.Table, pa.Table]:
    """A dirty copy of ``records`` (one row per record) and the true pairs.

    Parameters
    ----------
    records
        Persons with ``id, nik, full_name, birth_date, sex, address,
        region_code`` (as :func:`generate_persons` makes; missing columns stay
        missing).
    rng
        The random generator (the copy is deterministic given its state).
    rates
        Probabilities overriding :data:`DEFAULT_RATES`.
    id_prefix
        New ids are ``<prefix>0000001``, ... in a shuffled order, so the row
        order tells nothing.

    Returns
    -------
    (corrupted, truth)
        ``corrupted`` has the same columns with new ids; ``truth`` has
        ``left_id`` (the new id) and ``right_id`` (the id in ``records``).

    Examples
    --------
    >>> persons = generate_persons(200, seed=3)
    >>> dirty, truth = corrupt(persons, np.random.default_rng(1))
    >>> dirty.num_rows, truth.num_rows, truth.column_names
    (200, 200, ['left_id', 'right_id'])
    """
    import pyarrow as pa

    r = {**DEFAULT_RATES, **(rates or {})}
    unknown = set(r) - set(DEFAULT_RATES)
    if unknown:
        raise ValueError(f"unknown corruption rates: {', '.join(sorted(unknown))}")
    n = records.num_rows
    columns = set(records.column_names)

    def col(name: str) -> list[Any]:
        return records.column(name).to_pylist() if name in columns else [None] * n

    ids, nik, names = col(id_column), col("nik"), col("full_name")
    birth, sex, address, region = col("birth_date"), col("sex"), col("address"), col("region_code")
    order = rng.permutation(n)
    out: dict[str, list[Any]] = {
        k: [] for k in ("nik", "full_name", "birth_date", "sex", "address", "region_code")
    }
    new_ids: list[str] = []
    truth_right: list[str] = []
    for k, i in enumerate(order):
        female = sex[i] in ("F", "P")
        new_ids.append(f"{id_prefix}{k + 1:07d}")
        truth_right.append(str(ids[i]))
        out["nik"].append(_nik_variant(nik[i], rng, r) if nik[i] else None)
        out["full_name"].append(_name_variant(names[i], female, rng, r) if names[i] else None)
        out["birth_date"].append(_birth_variant(birth[i], rng, r))
        s = sex[i]
        if s and rng.random() < r["sex_alias"]:
            s = {"M": "L", "F": "P"}.get(s, s)
        out["sex"].append(s)
        a = address[i]
        if a is not None:
            if rng.random() < r["address_missing"]:
                a = None
            elif rng.random() < r["address_variant"]:
                a = _address_variant(a, rng)
        out["address"].append(a)
        g = region[i]
        if g and len(g) > 8 and rng.random() < r["region_kecamatan"]:
            g = g[:8]
        out["region_code"].append(g)
    table = pa.table(
        {
            id_column: pa.array(new_ids, pa.string()),
            **{k: pa.array(v, pa.string()) for k, v in out.items() if k in columns},
        }
    )
    truth = pa.table(
        {"left_id": pa.array(new_ids, pa.string()), "right_id": pa.array(truth_right, pa.string())}
    )
    meta = {
        SYNTHETIC_KEY: "true",
        "sinergi.description": "SYNTHETIC dirty copy (sinergi.linkage.synthetic.corrupt)",
    }
    return table.replace_schema_metadata(meta), truth


def link_set(
    n_registry: int,
    n_list: int,
    *,
    seed: int = 7,
    rates: Mapping[str, float] | None = None,
    outsiders: float = 0.1,
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """A list to link against a registry: ``(list, registry, truth)``.

    The list holds dirty copies of ``n_list`` registry persons, of which a
    share ``outsiders`` are replaced by persons not in the registry (no true
    pair: they test precision).

    >>> lst, reg, truth = link_set(500, 100, seed=1)
    >>> lst.num_rows, reg.num_rows, truth.num_rows
    (100, 500, 90)
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    registry = generate_persons(n_registry, seed=seed)
    rng = np.random.default_rng([seed, 2])
    n_out = round(n_list * outsiders)
    picked = registry.take(pa.array(np.sort(rng.choice(n_registry, n_list - n_out, replace=False))))
    others = generate_persons(n_out + n_registry, seed=seed + 1_000_003, id_prefix="X")
    registry_niks = pc.is_in(others.column("nik"), registry.column("nik"))
    others = others.filter(pc.invert(registry_niks)).slice(0, n_out)
    dirty, truth = corrupt(pa.concat_tables([picked, others.cast(picked.schema)]), rng, rates)
    truth = truth.filter(pc.invert(pc.starts_with(truth.column("right_id"), "X")))
    return dirty, registry, truth.sort_by("left_id")


def dedupe_set(
    n_persons: int,
    *,
    seed: int = 11,
    duplicated: float = 0.2,
    rates: Mapping[str, float] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """A list with duplicates: ``(records, truth)``, truth = ``id, person`` (true cluster).

    A share ``duplicated`` of the persons appears twice (the second copy
    dirty), a few of them three times.

    >>> records, truth = dedupe_set(300, seed=1)
    >>> records.num_rows > 300, truth.column_names
    (True, ['id', 'person'])
    """
    import pyarrow as pa

    persons = generate_persons(n_persons, seed=seed, id_prefix="Q")
    rng = np.random.default_rng([seed, 3])
    k = round(n_persons * duplicated)
    first = persons.take(pa.array(np.sort(rng.choice(n_persons, k, replace=False))))
    copy1, truth1 = corrupt(first, rng, rates, id_prefix="D")
    k3 = k // 10
    third = first.slice(0, k3)
    copy2, truth2 = corrupt(third, rng, rates, id_prefix="E")
    records = pa.concat_tables([persons, copy1.cast(persons.schema), copy2.cast(persons.schema)])
    truth = pa.table(
        {
            "id": pa.concat_arrays(
                [
                    persons.column("id").combine_chunks(),
                    truth1.column("left_id").combine_chunks(),
                    truth2.column("left_id").combine_chunks(),
                ]
            ),
            "person": pa.concat_arrays(
                [
                    persons.column("id").combine_chunks(),
                    truth1.column("right_id").combine_chunks(),
                    truth2.column("right_id").combine_chunks(),
                ]
            ),
        }
    )
    order = rng.permutation(records.num_rows)
    return records.take(pa.array(order)), truth.take(pa.array(order))
