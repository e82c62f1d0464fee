"""Exceptions raised by the estimation engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class StatsError(Exception):
    """Base class of every error the estimation engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One kind of bad input: which column, how many rows, and why.

    Examples
    --------
    >>> str(Problem("rb050", 3, "negative weight"))
    'rb050: 3 rows with negative weight'
    """

    column: str
    count: int
    reason: str

    def __str__(self) -> str:
        if self.count == 0:
            return f"{self.column}: {self.reason}"
        noun = "row" if self.count == 1 else "rows"
        return f"{self.column}: {self.count} {noun} with {self.reason}"


class InputError(StatsError, ValueError):
    """The input data cannot be estimated from: missing columns or bad values.

    ``problems`` lists every problem found in one pass, so a user fixes the
    file once instead of once per error.
    """

    def __init__(self, problems: Sequence[Problem], *, header: str = "invalid input") -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{header}:\n{lines}" if lines else header)


class DesignError(StatsError, ValueError):
    """The sample design is not usable as declared (e.g. a stratum with a single PSU)."""


class MissingExtraError(StatsError, ImportError):
    """An optional engine was asked for but its extra is not installed."""
