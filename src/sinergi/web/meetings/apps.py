from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "sinergi.web.meetings"
    label = "meetings"
    verbose_name = _("Coordination meetings")

    def ready(self) -> None:
        # The ``minutes`` briefing kind registers itself with the briefings generator.
        from sinergi.web.briefings.kinds import minutes  # noqa: F401
