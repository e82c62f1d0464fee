"""The one rounding rule, pure (no Django): ``sinergi.web.core.formatting`` builds on it.

Numbers are rounded half away from zero (``ROUND_HALF_UP`` on the decimal
value, as people round by hand and as Excel does), never truncated. The core
packages (``stats``, ``targeting``) and the web use this same function.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Number = Decimal | float | int


def rounded(value: Number | str | None, decimals: int = 2) -> Decimal | None:
    """``value`` rounded half-up to ``decimals`` places (``None`` stays ``None``).

    An empty string is missing too: it is what a template gets from a failed
    lookup (``string_if_invalid``), so ``{{ row.nothing|fmt }}`` shows '–'.

    >>> rounded(Decimal("66.65"), 1), rounded(60.85, 1), rounded(None), rounded("")
    (Decimal('66.7'), Decimal('60.9'), None, None)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    # str() of a float gives the shortest repr (60.85, not 60.849999...), so a
    # float rounds as it is written.
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    try:
        return exact.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return exact
