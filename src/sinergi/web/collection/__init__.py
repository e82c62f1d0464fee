"""Kecamatan data collection: data sets, entry, validation, approval and completeness."""
