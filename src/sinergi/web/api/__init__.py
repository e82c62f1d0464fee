"""The REST API under /api/v1/: each app contributes its routes through its ``api.py``."""
