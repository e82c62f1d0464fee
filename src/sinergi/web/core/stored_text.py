"""Text stored on values (notes, sources, revision reasons) shown in the reader's language.

One mechanism for every page that shows such text (indicator pages, history pages):
:func:`shown`. Two kinds of stored text reach it:

- text Sinergi writes itself (data collection, demo estimates). The writer
  composes it from a :class:`SystemText` of :data:`SYSTEM_TEXTS` (``stored``,
  English with parameters, as the API and exports give it); :func:`shown`
  recognises it and gives its ``shown`` message in the active language, with
  a region code replaced by the region's name.
- text from a catalogue of known stored texts (the demo's Indonesian citations
  and notes, translated into English in the ``en`` message catalogue), or text
  a person typed, which no catalogue has and is shown as typed.

>>> from django.utils import translation
>>> stored = SUM_OF_REPORTING.compose(n=20, total=21)
>>> stored
'sum of 20 of 21 reporting regions (approved)'
>>> with translation.override("id"):
...     shown(stored)
'jumlah 20 dari 21 wilayah pelapor (laporan yang disetujui)'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

# A file name the loader kept for provenance, e.g. "[002_1625b9ee7aaa4cda.txt]".
_FILE_TOKEN = re.compile(
    r"\s*\[[^\]\s]+\.(?:txt|csv|tsv|xlsx?|pdf|json|parquet|docx?|md)\]", re.IGNORECASE
)
_PARAM = re.compile(r"%\((\w+)\)s")
# What a parameter may match: a region code, a count, or any text.
_PARAM_PATTERNS = {"region": r"[\d.]+", "n": r"\d+", "total": r"\d+"}


@dataclass(frozen=True)
class SystemText:
    """A text Sinergi writes: how it is stored, and the message a reader is shown."""

    stored: str  # English, with %(name)s parameters; never changed (old rows keep it)
    shown: str  # the message id shown, translated
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = _PARAM.split(self.stored)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_PARAM_PATTERNS.get(part, '.+')})"
            for i, part in enumerate(parts)
        )
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$", re.DOTALL))

    def compose(self, **params: object) -> str:
        """The text to store (what writers call)."""
        return self.stored % params

    def render(self, params: dict[str, str], region_names: dict[str, str]) -> str:
        if "region" in params:
            params = {**params, "region": region_names.get(params["region"], params["region"])}
        return gettext(self.shown) % params if params else gettext(self.shown)


APPROVED_REPORT = SystemText(
    "approved submission (%(region)s)", gettext_noop("from the approved report of %(region)s")
)
SUM_OF_REPORTING = SystemText(
    "sum of %(n)s of %(total)s reporting regions (approved)",
    gettext_noop("sum of %(n)s of %(total)s reporting regions (approved reports)"),
)
AGGREGATED = SystemText(
    "aggregated from approved submissions",
    gettext_noop("added up from the approved reports of the regions below"),
)
UNDER_CORRECTION = SystemText(
    "un-approved, under correction (%(region)s)",
    gettext_noop("approval withdrawn, being corrected by %(region)s"),
)
UNAPPROVED = SystemText("un-approved: %(comment)s", gettext_noop("approval withdrawn: %(comment)s"))
SYNTHETIC_ESTIMATE = SystemText(
    "synthetic survey estimate (demo)", gettext_noop("synthetic survey estimate (demo)")
)
COLLECTION_SOURCE_DEMO = SystemText(
    "Sinergi data collection: %(name)s (illustrative demo figures)",
    gettext_noop("Sinergi data collection: %(name)s (illustrative demo figures)"),
)
COLLECTION_SOURCE = SystemText(
    "Sinergi data collection: %(name)s", gettext_noop("Sinergi data collection: %(name)s")
)

# Most specific first: the first that matches is shown.
SYSTEM_TEXTS: tuple[SystemText, ...] = (
    APPROVED_REPORT,
    SUM_OF_REPORTING,
    AGGREGATED,
    UNDER_CORRECTION,
    UNAPPROVED,
    SYNTHETIC_ESTIMATE,
    COLLECTION_SOURCE_DEMO,
    COLLECTION_SOURCE,
)
# Reasons written before the texts had parameters ("approved submission Betung 2026-Q3").
_LEGACY_APPROVED = re.compile(r"^approved submission\b.*$")


def shown(text: str | None, region_names: dict[str, str] | None = None) -> str:
    """A stored note, source or reason as the reader is shown it, in the active language.

    ``region_names`` (from :func:`region_names`) turns a region code into its name.
    """
    value = str(text or "").strip()
    if not value:
        return ""
    for system in SYSTEM_TEXTS:
        match = system.pattern.match(value)
        if match:
            return system.render(match.groupdict(), region_names or {})
    if _LEGACY_APPROVED.match(value):
        return gettext("approved report")
    # Known stored texts (demo citations and notes) are in the message catalogues; a
    # person's text is in none and comes back as typed.
    return gettext(value)


def citation(source: str | None) -> str:
    """A stored source as a reader cites it (title, outlet, date), without file names.

    >>> citation("Rapat Paripurna (pidato Pj. Bupati, 22 April 2024) [002_1625b9ee7aaa4cda.txt]")
    'Rapat Paripurna (pidato Pj. Bupati, 22 April 2024)'
    """
    return shown(_FILE_TOKEN.sub("", source or ""))


def region_codes(texts: Iterable[str | None]) -> set[str]:
    """Region codes that system texts among ``texts`` name."""
    codes = set()
    for text in texts:
        value = str(text or "").strip()
        for system in SYSTEM_TEXTS:
            match = system.pattern.match(value)
            if match:
                if "region" in match.groupdict():
                    codes.add(match["region"])
                break
    return codes


def region_names(texts: Iterable[str | None]) -> dict[str, str]:
    """Names of the regions that system texts in ``texts`` name by code (one query)."""
    from sinergi.web.regions.models import Region

    codes = region_codes(texts)
    if not codes:
        return {}
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


__all__ = [
    "SYSTEM_TEXTS",
    "SystemText",
    "citation",
    "region_codes",
    "region_names",
    "shown",
]
