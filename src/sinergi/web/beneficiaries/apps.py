from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "sinergi.web.beneficiaries"
    label = "beneficiaries"
    verbose_name = _("Beneficiary lists and convergence")
