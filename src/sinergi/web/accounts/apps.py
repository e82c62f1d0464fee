from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sinergi.web.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from sinergi.web.accounts.models import Profile
        from sinergi.web.audit.presentation import borrow_fields

        # A user's audit snapshot keeps its profile's role, region and agency
        # (accounts.services._user_state): read them as the profile's fields.
        borrow_fields(get_user_model(), Profile, "role", "region", "agency")
