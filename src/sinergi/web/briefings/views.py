"""The "Bahan rapat" page: pick a document, preview its narrative, download it.
Views look up, ask the policy and call the services."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sinergi.web.briefings import kinds, services
from sinergi.web.briefings.documents import Chart, Paragraph, Table
from sinergi.web.briefings.forms import BriefingForm
from sinergi.web.briefings.policy import BriefingPolicy
from sinergi.web.regions.models import Region


def _allowed(request: HttpRequest, region: Region) -> HttpResponse | None:
    if BriefingPolicy.for_user(request.user).can_generate(region.code):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("This region is outside your scope."))


def _blocks(document: services.Document) -> list[dict[str, object]]:
    """The preview's sections as plain values for the template (no logic there)."""
    sections = []
    for section in document.sections:
        blocks: list[dict[str, object]] = []
        for block in section.blocks:
            if isinstance(block, Paragraph):
                blocks.append(
                    {
                        "type": "paragraph",
                        "text": block.text,
                        "style": block.style,
                        "mark": document.mark(block.sources),
                    }
                )
            elif isinstance(block, Table):
                blocks.append(
                    {
                        "type": "table",
                        "caption": block.caption + document.mark(block.sources),
                        "header": block.header,
                        "rows": [
                            [
                                {"text": text, "num": c in block.numeric}
                                for c, text in enumerate(row)
                            ]
                            for row in block.rows
                        ],
                    }
                )
            elif isinstance(block, Chart):
                blocks.append(
                    {
                        "type": "chart",
                        "caption": block.caption + document.mark(block.sources),
                        "alt": block.alt,
                    }
                )
        sections.append({"heading": section.heading, "blocks": blocks})
    return sections


def page(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    if (refused := _allowed(request, region)) is not None:
        return refused
    form = BriefingForm(request.GET or None)
    context: dict[str, object] = {"region": region, "form": form, "kinds": kinds.all_kinds()}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        document = services.build(
            region, data["jenis"], data["tahun"], quarter=data["triwulan"], language=data["bahasa"]
        )
        context.update(
            document=document,
            sections=_blocks(document),
            citations=document.citations(),
            omissions=document.omission_lines(),
            download=reverse("briefing-download", args=[region.code])
            + "?"
            + request.GET.urlencode(),
        )
    return render(request, "briefings/page.html", context)


def download(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    if (refused := _allowed(request, region)) is not None:
        return refused
    form = BriefingForm(request.GET)
    if not form.is_valid():
        return redirect(
            reverse("briefing-page", args=[region.code]) + "?" + request.GET.urlencode()
        )
    data = form.cleaned_data
    rendered = services.render(
        region,
        data["jenis"],
        data["tahun"],
        data["format"],
        quarter=data["triwulan"],
        language=data["bahasa"],
    )
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response
