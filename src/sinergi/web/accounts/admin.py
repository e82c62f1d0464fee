from django.contrib import admin

from sinergi.web.accounts.admin_site import superusers_only
from sinergi.web.accounts.models import Agency, Profile

superusers_only(admin.site)
admin.site.register(Agency)
admin.site.register(Profile)
