"""The one entry point of the briefing generator: pages, the API and the CLI call :func:`build`
and :func:`render` and hold no rules of their own."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from sinergi.web.briefings import documents, kinds
from sinergi.web.briefings.documents import Document
from sinergi.web.briefings.narrative import LANGUAGES, Language
from sinergi.web.regions.models import Region


class BriefingError(ValueError):
    """The request cannot give a briefing (unknown kind, missing quarter, bad format...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Rendered:
    content: bytes
    content_type: str
    filename: str
    document: Document


def check(kind: str, year: int, quarter: int | None, language: str, fmt: str | None) -> kinds.Kind:
    """The kind asked for, once every parameter is valid; raises :class:`BriefingError`."""
    found = kinds.get(kind)
    if found is None:
        codes = ", ".join(k.code for k in kinds.all_kinds())
        raise BriefingError("kind", f"unknown briefing kind {kind!r}; use one of {codes}")
    if not 1900 <= year <= 2100:
        raise BriefingError("year", "enter a year from 1900 to 2100")
    if found.needs_quarter and quarter not in (1, 2, 3, 4):
        raise BriefingError("quarter", f"the {kind} briefing needs a quarter from 1 to 4")
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise BriefingError("quarter", "enter a quarter from 1 to 4")
    if language not in LANGUAGES:
        raise BriefingError("language", "use language id or en")
    if fmt is not None and fmt not in documents.FORMATS:
        raise BriefingError("format", "use format docx or pdf")
    return found


def build(
    region: Region, kind: str, year: int, *, quarter: int | None = None, language: Language = "id"
) -> Document:
    """The document model of a briefing, written in ``language``."""
    found = check(kind, year, quarter, language, None)
    request = kinds.BriefingRequest(
        region=region,
        year=year,
        language=language,
        quarter=quarter if found.needs_quarter else None,
    )
    with translation.override(language):
        return found.build(request)


def render(
    region: Region,
    kind: str,
    year: int,
    fmt: str,
    *,
    quarter: int | None = None,
    language: Language = "id",
) -> Rendered:
    """The briefing as a DOCX or PDF file, from the one document model."""
    check(kind, year, quarter, language, fmt)
    document = build(region, kind, year, quarter=quarter, language=language)
    with translation.override(language):
        content, content_type, name = documents.render(document, fmt)
    return Rendered(content, content_type, name, document)
