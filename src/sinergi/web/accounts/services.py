"""User management: create users with a role and region scope, issue API tokens.

The Bappeda administrator page and ``sinergi user add`` both call
:func:`create_user`; the page passes the acting user (checked by the policy),
the command line acts as the system operator (it runs with server access).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from sinergi.web.accounts.models import Agency, Profile, Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.regions.models import Level, Region, ancestor_codes

# Roles and the region levels they may be scoped to.
ROLE_LEVELS = {
    Role.BAPPEDA_ADMIN: {Level.COUNTRY, Level.PROVINCE, Level.REGENCY},
    Role.OPD_OPERATOR: {Level.PROVINCE, Level.REGENCY},
    Role.KECAMATAN_OPERATOR: {Level.DISTRICT, Level.VILLAGE},
    Role.EXECUTIVE_VIEWER: {Level.COUNTRY, Level.PROVINCE, Level.REGENCY, Level.DISTRICT},
}


class UserError(Exception):
    """The user cannot be created; ``messages`` say why, per field."""

    def __init__(self, messages: dict[str, list[str]]) -> None:
        self.messages = messages
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in messages.items()))


def _user_state(user: User, profile: Profile | None) -> dict[str, object]:
    """What the audit trail keeps of a user (never the password hash)."""
    state: dict[str, object] = {
        "username": user.username,
        "email": user.email,
        "is_active": user.is_active,
    }
    if profile is not None:
        state.update(role=profile.role, region=profile.region_id, agency=profile.agency_id)
    return state


def find_agency(code: str, region_code: str) -> Agency | None:
    """The agency ``code`` of the region or the nearest region above it."""
    found = {
        a.region_id: a
        for a in Agency.objects.filter(code=code, region_id__in=ancestor_codes(region_code))
    }
    return next((found[c] for c in ancestor_codes(region_code) if c in found), None)


@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    region_code: str,
    agency_code: str | None = None,
    password: str | None = None,
    email: str = "",
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> User:
    """Create a user with a profile; raises :class:`UserError` listing every problem.

    ``actor`` is the administrator creating it (``None``: the command line). A user
    without a password can use only an API token until one is set.
    """
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    try:
        User.username_validator(username)
    except ValidationError as exc:
        errors["username"] = list(exc.messages)
    if not username:
        errors["username"] = [_("A username is required.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("The username %(name)s is taken.") % {"name": username}]
    if role not in Role.values:
        errors["role"] = [
            _("Unknown role %(role)s; use one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        ]
    region = Region.objects.filter(code=region_code, active=True).first()
    if region is None:
        errors["region"] = [_("Unknown region code %(code)s.") % {"code": region_code}]
    elif role in Role.values and region.level not in ROLE_LEVELS[Role(role)]:
        errors["region"] = [
            _("A %(role)s is scoped to a %(levels)s, not a %(level)s.")
            % {
                "role": Role(role).label,
                "levels": " / ".join(
                    str(Level(lv).label) for lv in sorted(ROLE_LEVELS[Role(role)])
                ),
                "level": region.get_level_display(),
            }
        ]
    agency = None
    if agency_code:
        agency = find_agency(agency_code, region_code) if region else None
        if agency is None:
            errors["agency"] = [
                _("No agency %(code)s in %(region)s or above it.")
                % {"code": agency_code, "region": region_code}
            ]
    elif role == Role.OPD_OPERATOR:
        errors["agency"] = [_("An OPD operator needs the agency (OPD) it works for.")]
    if (
        actor is not None
        and region is not None
        and role in Role.values
        and not Policy.for_user(actor).can_assign(role, region.code, agency)
    ):
        errors.setdefault("region", []).append(
            _("You may not create users for %(region)s.") % {"region": region}
        )
    if password:
        try:
            validate_password(password, user=User(username=username, email=email))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise UserError(errors)
    user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    profile = Profile.objects.create(user=user, role=role, region=region, agency=agency)
    audit.record(user, Action.CREATE, actor, after=_user_state(user, profile))
    return user


@transaction.atomic
def set_active(user: User, active: bool, *, actor: AbstractBaseUser | AnonymousUser | None) -> User:
    """Enable or disable a user's log-in (and API token)."""
    if (
        actor is not None
        and not Policy.for_user(actor).users(User.objects.filter(pk=user.pk)).exists()
    ):
        raise UserError({"user": [_("You may not manage this user.")]})
    profile = Profile.objects.filter(user=user).first()
    before = _user_state(user, profile)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(user, Action.UPDATE, actor, before=before, after=_user_state(user, profile))
    return user


def issue_token(user: User, *, rotate: bool = False) -> str:
    """The user's API token (created on first use; ``rotate`` replaces it)."""
    if rotate:
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
