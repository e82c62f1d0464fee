"""The Django project: settings, URLs and one app per domain area."""
