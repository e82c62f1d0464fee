from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "sinergi.web.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from sinergi.web.indicators import freshness

        freshness.connect()
