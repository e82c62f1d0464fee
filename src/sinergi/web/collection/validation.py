"""Checks on a submission's values: required cells, types, ranges, rules between
elements and the change from the previous period.

Pure functions over the data set's definition and a ``{(element code,
category): value}`` mapping, so the web form, the API and the file import run
exactly the same checks.
"""

from __future__ import annotations

import operator as op
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from sinergi.web.collection.choices import Operator, RuleKind, Severity, ValueType
from sinergi.web.collection.models import DataElement, Ratio, ValidationRule
from sinergi.web.core.formatting import number, percent

Cell = tuple[str, str]  # (element code, category code; "" for an element that is not split)
Values = Mapping[Cell, Decimal]

_COMPARE = {
    Operator.LE: op.le,
    Operator.LT: op.lt,
    Operator.GE: op.ge,
    Operator.GT: op.gt,
    Operator.EQ: op.eq,
}
MAX_ABS = Decimal(10) ** 14  # what a value column (20 digits, 6 decimals) holds
_THOUSANDS = re.compile(r"^-?\d{1,3}([.,])\d{3}(\1\d{3})*$")


@dataclass(frozen=True)
class Issue:
    """One problem found in a submission.

    ``key`` identifies it across saves (a soft warning's comment is stored under
    it); ``element``/``category`` point at the cell to highlight.
    """

    key: str
    kind: str  # missing | type | range | rule | outlier | derived
    severity: str  # hard | soft
    message: str
    element: str = ""
    category: str = ""

    @property
    def is_hard(self) -> bool:
        return self.severity == Severity.HARD


def parse_number(text: str, value_type: str) -> Decimal | None:
    """Read a typed figure; ``None`` for an empty cell.

    Whole numbers may use "." or "," as thousands separator ("1.250" is 1250);
    decimals use either "." or "," as the decimal mark.

    >>> parse_number("1.250", "integer"), parse_number("12,5", "number")
    (Decimal('1250'), Decimal('12.5'))
    """
    raw = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not raw:
        return None
    if value_type == ValueType.INTEGER and _THOUSANDS.match(raw):
        raw = raw.replace(".", "").replace(",", "")
    elif raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError(_("“%(text)s” is not a number") % {"text": text.strip()}) from None
    if not number.is_finite():
        raise ValueError(_("“%(text)s” is not a number") % {"text": text.strip()})
    if abs(number) >= MAX_ABS:
        raise ValueError(_("%(text)s is too large") % {"text": text.strip()})
    if number != number.quantize(Decimal("0.000001")):
        raise ValueError(_("%(text)s has more than 6 decimals") % {"text": text.strip()})
    if value_type == ValueType.INTEGER and number != number.to_integral_value():
        raise ValueError(_("“%(text)s” is not a whole number") % {"text": text.strip()})
    return number


def figure_text(value: Decimal) -> str:
    """A figure as people write it (``1.250``, ``12,5``): its own decimals, at most 6."""
    exponent = value.normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return number(value, min(decimals, 6))


# A derived figure in this unit lies between 0 and 100.
PERCENT_UNITS = frozenset({"%", "percent", "persen"})


def ratio_value(ratio: Ratio, totals: Mapping[str, Decimal | None]) -> Decimal | None:
    """``factor * numerator / denominator`` of element totals (2 decimals), ``None`` when
    either is missing or the denominator is zero. The one place a derived ratio is computed."""
    num, den = totals.get(ratio.numerator.code), totals.get(ratio.denominator.code)
    if num is None or not den:
        return None
    return (ratio.factor * num / den).quantize(Decimal("0.01"))


def element_total(element: DataElement, values: Values) -> Decimal | None:
    """The element's total: the sum of its categories when every one is filled."""
    cells = [values.get((element.code, code)) for code, _label in element.categories]
    if any(v is None for v in cells):
        return None
    return sum(cells, Decimal(0))  # type: ignore[arg-type]


def check(
    elements: Sequence[DataElement],
    rules: Sequence[ValidationRule],
    values: Values,
    previous_totals: Mapping[str, Decimal] | None = None,
    ratios: Sequence[Ratio] = (),
) -> list[Issue]:
    """Every issue of ``values``; ``previous_totals`` are the previous period's approved totals,
    ``ratios`` the data set's derived figures (a percentage outside 0–100 is an error)."""
    issues: list[Issue] = []
    by_code = {e.code: e for e in elements}
    for element in elements:
        for category, label in element.categories:
            value = values.get((element.code, category))
            where = element.label + (f" ({label})" if category else "")
            cell = f"{element.code}:{category}"
            if value is None:
                if element.required:
                    issues.append(
                        Issue(
                            f"missing:{cell}",
                            "missing",
                            Severity.HARD,
                            _("%(cell)s is empty") % {"cell": where},
                            element.code,
                            category,
                        )
                    )
                continue
            if element.value_type == ValueType.INTEGER and value != value.to_integral_value():
                issues.append(
                    Issue(
                        f"type:{cell}",
                        "type",
                        Severity.HARD,
                        _("%(cell)s: %(value)s is not a whole number")
                        % {"cell": where, "value": figure_text(value)},
                        element.code,
                        category,
                    )
                )
            if element.min_value is not None and value < element.min_value:
                issues.append(
                    Issue(
                        f"range:{cell}",
                        "range",
                        Severity.HARD,
                        _("%(cell)s: %(value)s is below the minimum %(min)s")
                        % {
                            "cell": where,
                            "value": figure_text(value),
                            "min": figure_text(element.min_value),
                        },
                        element.code,
                        category,
                    )
                )
            if element.max_value is not None and value > element.max_value:
                issues.append(
                    Issue(
                        f"range:{cell}",
                        "range",
                        Severity.HARD,
                        _("%(cell)s: %(value)s is above the maximum %(max)s")
                        % {
                            "cell": where,
                            "value": figure_text(value),
                            "max": figure_text(element.max_value),
                        },
                        element.code,
                        category,
                    )
                )
    for rule in rules:
        left = by_code.get(rule.left.code)
        if left is None or (rule.right_id and rule.right.code not in by_code):
            continue  # a side is not on this form version
        if rule.kind == RuleKind.COMPARISON:
            issues.extend(_comparison(rule, left, by_code, values))
        elif rule.kind == RuleKind.OUTLIER and previous_totals is not None:
            issue = _outlier(rule, left, values, previous_totals)
            if issue is not None:
                issues.append(issue)
    if ratios:
        totals = {e.code: element_total(e, values) for e in elements}
        issues.extend(_derived(ratio, totals) for ratio in ratios if _out_of_range(ratio, totals))
    return issues


def _out_of_range(ratio: Ratio, totals: Mapping[str, Decimal | None]) -> bool:
    value = ratio_value(ratio, totals)
    return (
        value is not None
        and ratio.indicator.unit.strip().lower() in PERCENT_UNITS
        and not Decimal(0) <= value <= Decimal(100)
    )


def _derived(ratio: Ratio, totals: Mapping[str, Decimal | None]) -> Issue:
    value = ratio_value(ratio, totals)
    assert value is not None
    return Issue(
        f"derived:{ratio.pk}",
        "derived",
        Severity.HARD,
        _(
            "%(name)s comes out at %(value)s, outside 0–100%%: check %(numerator)s "
            "and %(denominator)s"
        )
        % {
            "name": ratio.indicator.name,
            "value": percent(value, ratio.indicator.decimals),
            "numerator": ratio.numerator.label,
            "denominator": ratio.denominator.label,
        },
        ratio.numerator.code,
    )


def _comparison(
    rule: ValidationRule, left: DataElement, by_code: dict[str, DataElement], values: Values
) -> list[Issue]:
    right = by_code.get(rule.right.code) if rule.right_id else None
    # Elements split the same way are compared per category, then in total.
    pairs: list[tuple[str, Decimal | None, Decimal | None]] = []
    if right is not None and right.disaggregation == left.disaggregation and left.disaggregation:
        for category, _label in left.categories:
            pairs.append(
                (category, values.get((left.code, category)), values.get((right.code, category)))
            )
    pairs.append(
        ("", element_total(left, values), element_total(right, values) if right else Decimal(0))
    )
    compare = _COMPARE[Operator(rule.operator)]
    issues = []
    labels = dict(left.categories)
    for category, lhs, rhs_raw in pairs:
        if lhs is None or rhs_raw is None:
            continue  # reported as missing
        rhs = rule.right_factor * rhs_raw + rule.right_constant if right else rule.right_constant
        if compare(lhs, rhs):
            continue
        where = f" ({labels[category]})" if category else ""
        detail = f"{figure_text(lhs)} {rule.get_operator_display()} {figure_text(rhs)}"
        text = rule.message or _("%(left)s must be %(op)s %(right)s") % {
            "left": left.label,
            "op": rule.get_operator_display(),
            "right": right.label if right else figure_text(rule.right_constant),
        }
        issues.append(
            Issue(
                f"rule:{rule.pk}:{category}",
                "rule",
                rule.severity,
                _("%(rule)s%(where)s: %(detail)s does not hold")
                % {"rule": text, "where": where, "detail": detail},
                left.code,
                category,
            )
        )
        if category:
            break  # one per-category failure is enough to explain; the total follows from it
    return issues


def _outlier(
    rule: ValidationRule, left: DataElement, values: Values, previous_totals: Mapping[str, Decimal]
) -> Issue | None:
    now, before = element_total(left, values), previous_totals.get(left.code)
    if now is None or before is None or before == 0 or rule.threshold_pct is None:
        return None
    change = (now - before) / before * 100
    if abs(change) <= rule.threshold_pct:
        return None
    text = rule.message or _("%(element)s changed a lot from the previous period") % {
        "element": left.label
    }
    return Issue(
        f"outlier:{rule.pk}",
        "outlier",
        rule.severity,
        _("%(rule)s: %(before)s → %(now)s (%(change)s%%, more than ±%(limit)s%%)")
        % {
            "rule": text,
            "before": figure_text(before),
            "now": figure_text(now),
            "change": f"{change:+.0f}",
            "limit": figure_text(rule.threshold_pct),
        },
        left.code,
    )


def blocking(issues: Sequence[Issue]) -> list[Issue]:
    return [i for i in issues if i.is_hard]


def unexplained(issues: Sequence[Issue], comments: Mapping[str, str]) -> list[Issue]:
    """Soft warnings without a comment."""
    return [i for i in issues if not i.is_hard and not (comments.get(i.key) or "").strip()]
