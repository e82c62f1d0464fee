"""The history page of any audited object, access-checked by the policy."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sinergi.web.accounts.policy import Policy
from sinergi.web.audit import presentation
from sinergi.web.audit.models import AuditEntry


@login_required
def object_history(request: HttpRequest, app_label: str, model: str, pk: str) -> HttpResponse:
    """Every audit entry of the object, newest first, with each field's before and after.

    An object the user may not see answers 404, exactly like one that does not
    exist, so ids cannot be probed. A deleted object's history stays readable
    by superusers through the admin.
    """
    try:
        model_class = apps.get_model(app_label, model)
    except LookupError:
        raise Http404 from None
    try:
        obj = model_class._default_manager.filter(pk=pk).first()
    except (ValueError, ValidationError):
        obj = None
    if obj is None or not Policy.for_user(request.user).can_view_history(obj):
        raise Http404
    entries = AuditEntry.objects.filter(
        content_type__app_label=app_label, content_type__model=model, object_id=str(obj.pk)
    ).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/history.html",
        {
            "object": obj,
            "title": presentation.title(obj),
            "verbose_name": model_class._meta.verbose_name,
            "page": page,
            "views": presentation.describe(obj, list(page)),
        },
    )
