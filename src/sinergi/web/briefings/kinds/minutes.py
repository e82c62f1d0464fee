"""``minutes``: a meeting's minutes written from its records (registered by the meetings app).

Built by :func:`sinergi.web.meetings.minutes.build` from the meeting chosen with
:func:`selected` (the CLI's ``--meeting``, the meeting page's download), else
the region's latest meeting of the year.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from sinergi.web.briefings.documents import Document
from sinergi.web.briefings.kinds import BriefingRequest, register


@register(
    "minutes",
    gettext_lazy("Meeting minutes"),
    gettext_lazy("A meeting's decisions, problems and the follow-up matrix with its progress."),
)
def build(request: BriefingRequest) -> Document:
    from sinergi.web.meetings import minutes

    return minutes.build(request)
