"""The set-up hub (/pengaturan/): every planning and set-up page of Sinergi on one page.

The hub is a registry of :class:`Entry` rows, grouped. Each entry names the page's URL
(one or more candidate URL names, tried with the builder's arguments and then without),
its label and description, and who may see it: a callable on the user's
:class:`~sinergi.web.accounts.policy.Policy` that asks the page's own app policy (the
same rule the page enforces), so the hub never shows a link that ends in a 403. An entry
whose URL name is not (yet) routed is skipped, so a page appears here when it lands.

No entry reads the database beyond what the policies already keep per request
(:func:`sinergi.web.accounts.policy.memo`): the top-bar link asks the same registry on
every page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy, memo
from sinergi.web.regions.models import COUNTRY_CODE

Visible = Callable[[Policy], bool]
Args = Callable[[Policy], Sequence[Any]]


def _scope_args(policy: Policy) -> tuple[str, ...]:
    """The user's region; a national scope (a superuser) opens the home region's pages."""
    if policy.scope == COUNTRY_CODE:
        return (str(settings.SINERGI_HOME_REGION),)
    return (policy.scope,) if policy.scope else ()


def _no_args(policy: Policy) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class Entry:
    """One link of the hub."""

    url_names: tuple[str, ...]
    label: Any
    description: Any
    visible: Visible
    args: Args = _scope_args

    def url(self, policy: Policy) -> str | None:
        """The page's address for this user, or ``None`` when no candidate name is routed."""
        args = tuple(self.args(policy))
        for name in self.url_names:
            for candidate in (args, ()) if args else ((),):
                try:
                    return reverse(name, args=candidate)
                except NoReverseMatch:
                    continue
        return None


@dataclass(frozen=True)
class Group:
    title: Any
    entries: tuple[Entry, ...]


# --- who may see what: each asks the page's own policy --------------------------------


def _can_plan(policy: Policy) -> bool:
    from sinergi.web.programs.policy import MonevPolicy

    return policy.scope is not None and MonevPolicy(policy).can_plan(policy.scope)


def _can_propose(policy: Policy) -> bool:
    """Non-APBD proposals: Bappeda for its region, an OPD operator for its own agency."""
    if _can_plan(policy):
        return True
    return policy.role == Role.OPD_OPERATOR and policy.agency_id is not None


def _can_see_catalogue(policy: Policy) -> bool:
    """Whoever edits the catalogue, and every Bappeda administrator (a regency's reads it
    and asks its province for a change: see indicators/policy.py)."""
    from sinergi.web.indicators.policy import IndicatorPolicy

    indicators = IndicatorPolicy(policy)
    return indicators.can_edit_catalogue or (
        policy.role == Role.BAPPEDA_ADMIN and indicators.can_read_catalogue
    )


def _can_manage_indicator_data(policy: Policy) -> bool:
    from sinergi.web.indicators.policy import IndicatorPolicy

    return policy.scope is not None and IndicatorPolicy(policy).can_manage(policy.scope)


def _can_design(policy: Policy) -> bool:
    from sinergi.web.collection.policy import CollectionPolicy

    return CollectionPolicy(policy).can_design_any


def _can_manage_agencies(policy: Policy) -> bool:
    return policy.scope is not None and policy.can_manage_agencies(policy.scope)


def _can_manage_users(policy: Policy) -> bool:
    return policy.can_manage_users


def _can_import_registry(policy: Policy) -> bool:
    from sinergi.web.registry.policy import RegistryPolicy

    return bool(RegistryPolicy.for_user(policy.user).can_import)


def _can_manage_target_programmes(policy: Policy) -> bool:
    from sinergi.web.beneficiaries.policy import BeneficiaryPolicy

    return bool(BeneficiaryPolicy.for_user(policy.user).can_manage_any)


def _can_manage_services(policy: Policy) -> bool:
    from sinergi.web.social.policy import SocialPolicy

    return bool(SocialPolicy.for_user(policy.user).can_manage_services)


def _can_prepare_meetings(policy: Policy) -> bool:
    from sinergi.web.meetings.policy import MeetingPolicy

    meetings = MeetingPolicy(policy)
    scope = meetings.creation_scope
    return scope is not None and meetings.can_create(scope)


# --- the registry ----------------------------------------------------------------------

GROUPS: tuple[Group, ...] = (
    Group(
        gettext_lazy("Planning"),
        (
            Entry(
                ("plan-flagships",),
                gettext_lazy("Flagship programmes"),
                gettext_lazy("The regional head's flagship programmes and their coordinators."),
                _can_plan,
            ),
            Entry(
                ("plan-activities",),
                gettext_lazy("Activities"),
                gettext_lazy(
                    "Sub-activities of a budget year: nomenclature, agency, budgets and "
                    "quarterly plans."
                ),
                _can_plan,
            ),
            Entry(
                ("plan-perf-list",),
                gettext_lazy("Performance indicators"),
                gettext_lazy("Outcome and output indicators with their targets, and the cascade."),
                _can_plan,
            ),
            Entry(
                ("plan-proposals",),
                gettext_lazy("Non-APBD proposals"),
                gettext_lazy("Proposals for funding outside the APBD and their RKPD status."),
                _can_propose,
            ),
            Entry(
                ("plan-copy-year",),
                gettext_lazy("Copy last year's plan"),
                gettext_lazy(
                    "Start a new budget year from last year's activities, indicators and budgets."
                ),
                _can_plan,
            ),
        ),
    ),
    Group(
        gettext_lazy("Indicators"),
        (
            Entry(
                ("plan-indicators",),
                gettext_lazy("Indicator catalogue"),
                gettext_lazy("Definitions, units, polarity and grades of the indicators."),
                _can_see_catalogue,
                _no_args,
            ),
            Entry(
                ("plan-values",),
                gettext_lazy("Indicator values"),
                gettext_lazy("Enter and correct values, with the history of every correction."),
                _can_manage_indicator_data,
            ),
            Entry(
                ("plan-targets",),
                gettext_lazy("Indicator targets"),
                gettext_lazy("Targets of the plan documents (RPJMD, RKPD) year by year."),
                _can_manage_indicator_data,
            ),
        ),
    ),
    Group(
        gettext_lazy("Data collection"),
        (
            Entry(
                ("design-list",),
                gettext_lazy("Data set designer"),
                gettext_lazy(
                    "Kecamatan data sets: elements, validation rules, periods and versions."
                ),
                _can_design,
                _no_args,
            ),
        ),
    ),
    Group(
        gettext_lazy("Institutions"),
        (
            Entry(
                ("accounts-agencies",),
                gettext_lazy("Agencies (OPD)"),
                gettext_lazy("The region's agencies and the names and titles of their heads."),
                _can_manage_agencies,
                _no_args,
            ),
            Entry(
                ("accounts-users",),
                gettext_lazy("Users"),
                gettext_lazy("Accounts, roles and region scopes; disable an account."),
                _can_manage_users,
                _no_args,
            ),
        ),
    ),
    Group(
        gettext_lazy("Other capabilities"),
        (
            Entry(
                ("registry-import",),
                gettext_lazy("Registry releases"),
                gettext_lazy("Import a release of the social-economic registry."),
                _can_import_registry,
                _no_args,
            ),
            Entry(
                ("beneficiaries-programmes",),
                gettext_lazy("Target programmes"),
                gettext_lazy("Beneficiary programmes, their lists and matching."),
                _can_manage_target_programmes,
                _no_args,
            ),
            Entry(
                ("slrt-services",),
                gettext_lazy("SLRT service catalogue"),
                gettext_lazy("Services, eligibility and service levels for referrals."),
                _can_manage_services,
                _no_args,
            ),
            Entry(
                ("meeting-list",),
                gettext_lazy("Coordination meetings"),
                gettext_lazy("Meetings, problems, recommendations and follow-up actions."),
                _can_prepare_meetings,
                _no_args,
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    description: str
    url: str


def links_for(user: User | AnonymousUser) -> list[tuple[str, list[Link]]]:
    """The hub's groups of links the user may open (empty groups left out); kept on the
    request's user, so the top bar and the hub page compute it once."""
    kept = memo(user)
    if kept is not None and "setup_links" in kept:
        return kept["setup_links"]  # type: ignore[no-any-return]
    policy = Policy.for_user(user)
    groups: list[tuple[str, list[Link]]] = []
    if not policy.is_public:
        for group in GROUPS:
            links = []
            for entry in group.entries:
                if not entry.visible(policy):
                    continue
                url = entry.url(policy)
                if url is not None:
                    links.append(Link(str(entry.label), str(entry.description), url))
            if links:
                groups.append((str(group.title), links))
    if kept is not None:
        kept["setup_links"] = groups
    return groups


def hub(request: HttpRequest) -> HttpResponse:
    """The set-up hub: signed-in roles with at least one entry; others 403 (or log in)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    groups = links_for(request.user)
    if not groups:
        raise PermissionDenied(_("There is nothing to set up for your role."))
    return render(request, "core/setup.html", {"groups": groups, "title": _("Settings")})
