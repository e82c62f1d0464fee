"""Sinergi: regional development indicators, targets and programme monitoring."""

__version__ = "0.1.0"
