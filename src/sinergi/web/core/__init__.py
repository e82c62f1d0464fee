"""Shared web pieces: base templates, home page, language switch, template tags."""
