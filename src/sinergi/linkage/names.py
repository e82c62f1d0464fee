"""Indonesian personal names as matching keys: normalised form, tokens, phonetic keys.

The same person is written many ways in Indonesian lists: with or without the
hajj honorific (``H.``, ``Hj.``), academic degrees (``Drs.``, ``S.Pd.``,
``M.Pd.``), forms of address (``Bpk``, ``Ibu``, ``Sdr.``), the many spellings
of *Muhammad* (``Moh.``, ``Moch.``, ``M.``), the pre-1972 spelling
(``Soekarno``/``Sukarno``, ``Djoko``/``Joko``, ``Tjipto``/``Cipto``,
``Sjahrir``/``Syahrir``, ``Chairul``/``Khairul``), doubled letters
(``Mohammad``/``Mohamad``), spacing (``Nur Hayati``/``Nurhayati``) and word
order. Many people have one name only (a mononym): nothing here assumes a
surname.

:func:`normalise_name` gives the form names are compared on (Jaro-Winkler,
exact), :func:`sorted_name` the same tokens in alphabetical order (word order
ignored), and :func:`phonetic_key` a coarser key for blocking that also merges
``j``/``y`` (old ``Jusuf`` = new ``Yusuf``), ``kh``/``h``, ``sy``/``s``,
``dh``/``d``, ``f``/``p``-free endings and a final ``h`` (``Fatimah``/``Fatima``).
The old ``j`` = new ``y`` rule is kept out of the normalised form on purpose:
``Joko`` and ``Yoko`` are different names today, so it only widens blocking.

Examples
--------
>>> normalise_name("Hj. Siti Noerhajati, S.Pd.")
'siti nurhajati'
>>> normalise_name("MOCH. RIZKI")
'muhammad rizki'
>>> normalise_name("Ir. Soekarno")
'sukarno'
>>> sorted_name("Saputra Budi") == sorted_name("budi saputra")
True
>>> phonetic_key("Jusuf Chairul") == phonetic_key("Yusuf Khairul")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "DEGREES",
    "MUHAMMAD",
    "PREFIX_TITLES",
    "name_tokens",
    "normalise_name",
    "phonetic_key",
    "phonetic_token",
    "sorted_name",
]

PREFIX_TITLES = frozenset(
    [
        "h",
        "hj",
        "haji",
        "hajjah",
        "hajah",
        "hjh",
        "drs",
        "dra",
        "dr",
        "drg",
        "ir",
        "prof",
        "bpk",
        "bapak",
        "pak",
        "ibu",
        "bu",
        "sdr",
        "sdri",
        "saudara",
        "saudari",
        "alm",
        "almh",
        "almarhum",
        "almarhumah",
        "tn",
        "tuan",
        "ny",
        "nyonya",
        "nn",
        "nona",
        "kh",
        "ust",
        "ustad",
        "ustadz",
        "ustaz",
        "ustadzah",
        "ustazah",
        "kiai",
        "kyai",
    ]
)
"""Honorifics and titles written before a name (dots removed, casefolded)."""

DEGREES = frozenset(
    [
        "spd",
        "spdi",
        "spdsd",
        "se",
        "sh",
        "shi",
        "sag",
        "sthi",
        "skom",
        "st",
        "ssos",
        "ssi",
        "sip",
        "sh",
        "mh",
        "mpd",
        "mpdi",
        "msi",
        "mm",
        "mag",
        "mkom",
        "mkes",
        "mt",
        "msc",
        "ma",
        "mba",
        "mr",
        "amd",
        "amdkeb",
        "amdkep",
        "amdkes",
        "ama",
        "amapd",
        "skm",
        "skep",
        "sked",
        "sfarm",
        "sgz",
        "sst",
        "ssit",
        "stp",
        "sp",
        "spt",
        "shut",
        "slp",
        "sikom",
        "sds",
        "sei",
        "ssn",
        "ners",
        "ns",
        "lc",
        "phd",
        "dipl",
        "bsc",
    ]
)
"""Academic degrees written after a name (dots removed, casefolded)."""

MUHAMMAD = frozenset(
    [
        "muhammad",
        "muhamad",
        "muhammed",
        "muhamed",
        "mohammad",
        "mohamad",
        "mohammed",
        "mohamed",
        "mochammad",
        "mochamad",
        "mokhammad",
        "mokhamad",
        "mukhammad",
        "mukhamad",
        "muchammad",
        "muchamad",
        "mohd",
        "muh",
        "moh",
        "moch",
        "mhd",
        "mch",
        "mchd",
        "mukh",
        "much",
    ]
)
"""The spellings and abbreviations of *Muhammad* (``m`` too, unless it is the last word)."""

_CONNECTORS = frozenset({"bin", "binti", "bte", "bt"})
_ALIASES = {"abd": "abdul", "abdl": "abdul"}
_SPELLED_ALIASES = {"akhmad": "ahmad", "ahmat": "ahmad"}  # Achmad, Akhmad = Ahmad
_SPLIT = re.compile(r"[\s\-_/&+]+")
_NON_LETTER = re.compile(r"[^a-z]+")
_DOUBLE = re.compile(r"(.)\1+")
# Pre-1972 (Van Ophuijsen / Soewandi) spelling to today's (EYD), applied in order.
_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "kh"))
# Coarser merges for the blocking key only.
_PHONETIC = (
    ("kh", "h"),
    ("sy", "s"),
    ("dh", "d"),
    ("th", "t"),
    ("ph", "f"),
    ("dz", "z"),
    ("q", "k"),
    ("v", "f"),
    ("x", "ks"),
    ("j", "y"),
    ("ie", "i"),
)


def _fold(text: str) -> str:
    """Casefold and drop accents and apostrophes (``Ma'ruf`` -> ``maruf``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"['’`ʼ‘]", "", plain.casefold())


def _spell(token: str) -> str:
    for old, new in _OLD_SPELLING:
        token = token.replace(old, new)
    return _DOUBLE.sub(r"\1", token)


def _once(name: str) -> tuple[str, ...]:
    text = _fold(name)
    # Everything after the first comma is degrees ("Budi, S.Pd., M.Pd."):
    # Indonesian names never contain a comma.
    head = text.split(",", 1)[0]
    if not _NON_LETTER.sub("", head):
        head = text.replace(",", " ")
    raw = [t for t in _SPLIT.split(head) if t]
    # Each raw word: a title or degree as a whole ("s.pd."), else its letter runs
    # ("m.rizki" -> "m", "rizki").
    words: list[tuple[str, bool, bool]] = []  # (token, is_prefix_title, is_degree)
    for word in raw:
        key = _NON_LETTER.sub("", word)
        if not key:
            continue
        if key in PREFIX_TITLES or key in DEGREES:
            words.append((key, key in PREFIX_TITLES, key in DEGREES or "." in word.strip(".")))
            continue
        words.extend(
            (part, part in PREFIX_TITLES, part in DEGREES)
            for part in _NON_LETTER.split(word)
            if part
        )
    # Titles before the name, degrees after it; never remove the last word left.
    while len(words) > 1 and words[0][1]:
        words.pop(0)
    while len(words) > 1 and words[-1][2]:
        words.pop()
    tokens = [w for w, _p, _d in words if w not in _CONNECTORS] or [w for w, _p, _d in words]
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token in MUHAMMAD or (token == "m" and i < len(tokens) - 1):
            out.append("muhammad")
            continue
        if token == "st" and i == 0 and len(tokens) > 1:
            token = "siti"
        token = _spell(_ALIASES.get(token, token))
        out.append(_SPELLED_ALIASES.get(token, token))
    return tuple(t for t in out if t)


@lru_cache(maxsize=1 << 18)
def name_tokens(name: str | None) -> tuple[str, ...]:
    """The words of a name after normalisation (``()`` for an empty name).

    Applied until nothing changes, so ``name_tokens(normalise_name(x)) ==
    name_tokens(x)`` for every ``x``.

    >>> name_tokens("Drs. H. Achmad Djunaidi bin Oemar")
    ('ahmad', 'junaidi', 'umar')
    """
    if not name:
        return ()
    tokens = _once(name)
    for _ in range(4):
        again = _once(" ".join(tokens))
        if again == tokens:
            break
        tokens = again
    return tokens


def normalise_name(name: str | None) -> str:
    """The normalised name: lower-case words separated by one space (``""`` if none).

    Examples
    --------
    >>> normalise_name("  Bpk.  Moh. Hatta ")
    'muhammad hata'
    >>> normalise_name("Nur-Hayati")
    'nur hayati'
    >>> normalise_name(None)
    ''
    """
    return " ".join(name_tokens(name))


def sorted_name(name: str | None) -> str:
    """The normalised words in alphabetical order: word order does not matter.

    >>> sorted_name("Yani Ahmad")
    'ahmad yani'
    """
    return " ".join(sorted(name_tokens(name)))


@lru_cache(maxsize=1 << 16)
def phonetic_token(token: str) -> str:
    """A coarse sound key of one normalised word (for blocking, never for display).

    >>> phonetic_token("fatimah"), phonetic_token("fatima")
    ('fatima', 'fatima')
    >>> phonetic_token("hery"), phonetic_token("heri")
    ('heri', 'heri')
    """
    key = token
    for old, new in _PHONETIC:
        key = key.replace(old, new)
    if len(key) > 2 and key.endswith("y") and key[-2] not in "aiueo":
        key = key[:-1] + "i"
    if len(key) > 3 and key.endswith("h"):
        key = key[:-1]
    return _DOUBLE.sub(r"\1", key)


def phonetic_key(name: str | None) -> str:
    """The phonetic words of a name, sorted (``""`` if none): a blocking key.

    >>> phonetic_key("Syamsul Ramadhan") == phonetic_key("Ramadan Samsul")
    True
    """
    return " ".join(sorted(phonetic_token(t) for t in name_tokens(name)))
