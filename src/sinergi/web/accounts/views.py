"""The Bappeda administrator's user page: users in scope, create one, disable one."""

from __future__ import annotations

from axes import helpers as axes_helpers
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sinergi.web.accounts import services
from sinergi.web.accounts.forms import UserCreateForm
from sinergi.web.accounts.models import Agency
from sinergi.web.accounts.policy import Policy
from sinergi.web.regions.models import Level, Region


@login_required
def users(request: HttpRequest) -> HttpResponse:
    policy = Policy.for_user(request.user)
    if not policy.can_manage_users:
        raise Http404
    form = UserCreateForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                username=data["username"],
                role=data["role"],
                region_code=data["region"].strip(),
                agency_code=data["agency"].strip() or None,
                password=data["password1"] or None,
                email=data["email"],
                actor=request.user,
            )
        except services.UserError as exc:
            for field, texts in exc.messages.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            if data["issue_token"]:
                token = services.issue_token(user)
            else:
                return redirect("accounts-users")
    listed = policy.users(
        User.objects.select_related("profile__agency", "profile__region")
    ).order_by("profile__region_id", "username")
    if request.GET.get("unduh") == "xlsx":
        from sinergi.web.accounts.tables import UserSheet
        from sinergi.web.core.lists import export_response

        return export_response(UserSheet(request.user, policy), listed)
    regions = policy.regions(
        Region.objects.filter(
            level__in=[Level.PROVINCE, Level.REGENCY, Level.DISTRICT], active=True
        )
    ).only("code", "name")[:2000]
    agencies = Agency.objects.filter(policy.region_q("region")).order_by("code")
    return render(
        request,
        "accounts/users.html",
        {
            "form": form,
            "users": listed,
            "regions": regions,
            "agencies": agencies,
            "token": token,
        },
        status=400 if form.errors else 200,
    )


@login_required
def toggle_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Disable or enable a user. Disabling asks first: a GET (or a POST without
    ``active``) shows a confirmation page; only a POST with ``active`` acts."""
    policy = Policy.for_user(request.user)
    user = get_object_or_404(
        policy.users(User.objects.select_related("profile__region", "profile__agency")), pk=pk
    )
    wanted = request.POST.get("active") if request.method == "POST" else None
    if wanted not in ("0", "1"):
        return render(request, "accounts/confirm_active.html", {"target": user})
    if user.pk == request.user.pk:
        messages.error(request, _("You cannot disable yourself."))
    else:
        services.set_active(user, wanted == "1", actor=request.user)
        messages.success(
            request,
            _("%(name)s is now %(state)s.")
            % {"name": user.username, "state": _("active") if user.is_active else _("disabled")},
        )
    return redirect("accounts-users")


def locked_out(
    request: HttpRequest,
    response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """The page django-axes shows when a username and address are locked out
    (``AXES_LOCKOUT_CALLABLE``): what happened and when to try again."""
    cool_off = axes_helpers.get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(
        request,
        "registration/locked.html",
        {
            "failure_limit": axes_helpers.get_failure_limit(request, credentials),
            "minutes": minutes,
        },
        status=429,
    )
