from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "sinergi.web.briefings"
    label = "briefings"
    verbose_name = _("Briefings and meeting documents")

    def ready(self) -> None:
        # The kinds shipped here register themselves on import; another app (the
        # meetings app's ``minutes``) registers its own kind from its ready().
        from sinergi.web.briefings import kinds

        kinds.load_builtin()
