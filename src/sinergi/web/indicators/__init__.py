"""Indicator catalogue, values with revisions, targets per plan level, achievement."""
