from django.contrib import admin

from sinergi.web.accounts.models import Agency, Profile

admin.site.register(Agency)
admin.site.register(Profile)
