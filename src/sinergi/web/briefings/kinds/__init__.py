"""The briefing kinds: each is a module that registers a builder with :func:`register`.

A builder takes a :class:`BriefingRequest` and returns a
:class:`~sinergi.web.briefings.documents.Document`; pages, the API and the CLI
all go through :func:`sinergi.web.briefings.services.build`. The kinds shipped
here (``achievements``, ``rakor``, ``monev``) load in the app's ``ready()``;
the meetings app will register ``minutes`` the same way from its own
``ready()`` (``from sinergi.web.briefings.kinds import register``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from sinergi.web.briefings.documents import Document
    from sinergi.web.briefings.narrative import Language
    from sinergi.web.regions.models import Region

BUILTIN = (
    "sinergi.web.briefings.kinds.achievements",
    "sinergi.web.briefings.kinds.rakor",
    "sinergi.web.briefings.kinds.monev",
)
BUILTIN_CODES = ("achievements", "rakor", "monev")


@dataclass(frozen=True)
class BriefingRequest:
    region: Region
    year: int
    language: Language
    quarter: int | None = None


Builder = Callable[[BriefingRequest], "Document"]


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise  # translated lazily
    description: str | Promise
    build: Builder
    needs_quarter: bool = False


KINDS: dict[str, Kind] = {}


def register(
    code: str, label: str | Promise, description: str | Promise, *, needs_quarter: bool = False
) -> Callable[[Builder], Builder]:
    """Register the decorated builder as the kind ``code`` (a second registration replaces it)."""

    def decorate(build: Builder) -> Builder:
        KINDS[code] = Kind(code, label, description, build, needs_quarter)
        return build

    return decorate


def load_builtin() -> None:
    for module in BUILTIN:
        import_module(module)


def get(code: str) -> Kind | None:
    if not KINDS:
        load_builtin()
    return KINDS.get(code)


def all_kinds() -> list[Kind]:
    if not KINDS:
        load_builtin()
    return list(KINDS.values())
