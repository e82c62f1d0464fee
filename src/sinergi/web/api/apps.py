from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sinergi.web.api"
    label = "api"
