from decimal import Decimal

import pytest

from sinergi.web.collection import services
from sinergi.web.collection.validation import blocking, check, parse_number, unexplained

from .conftest import figures


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("1250", "integer", 1250),
        ("1.250", "integer", 1250),
        ("1,250", "integer", 1250),
        ("12,5", "number", Decimal("12.5")),
        ("12.5", "number", Decimal("12.5")),
        ("", "integer", None),
        (" 7 ", "integer", 7),
    ],
)
def test_parse_number_reads_indonesian_and_english_writing(text, kind, expected):
    assert parse_number(text, kind) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [("abc", "integer"), ("12.5", "integer"), ("1e999999", "number"), ("NaN", "number")],
)
def test_parse_number_refuses_what_is_not_a_figure(text, kind):
    with pytest.raises(ValueError):
        parse_number(text, kind)


@pytest.fixture
def definition(dataset):  # type: ignore[no-untyped-def]
    return services.definition(dataset)


def test_valid_figures_have_no_issue(definition):
    assert check(*definition, figures()) == []


def test_stunted_above_measured_fails_per_category_as_a_hard_rule(definition):
    issues = check(*definition, figures(measured=(100, 90), stunted=(120, 10)))
    hard = blocking(issues)
    assert [i.kind for i in hard] == ["rule"]
    assert hard[0].element == "children_under5_stunted" and hard[0].category == "m"
    assert "120 ≤ 100" in hard[0].message


def test_range_and_missing_cells(definition):
    values = figures(seekers=20000)
    del values[("kur_recipients_active", "")]
    issues = check(*definition, values)
    kinds = {(i.kind, i.element) for i in issues}
    assert ("range", "job_seekers_registered") in kinds
    assert ("missing", "kur_recipients_active") in kinds
    assert all(i.is_hard for i in issues)


def test_soft_rule_warns_and_needs_a_comment(definition):
    issues = check(*definition, figures(measured=(100, 100), stunted=(60, 30)))  # 45 %
    soft = [i for i in issues if not i.is_hard]
    assert len(soft) == 1 and blocking(issues) == []
    assert unexplained(issues, {}) == soft
    assert unexplained(issues, {soft[0].key: "Posyandu register checked"}) == []


def test_outlier_against_the_previous_period(definition):
    previous = {"children_under5_measured": Decimal(1000), "job_seekers_registered": Decimal(100)}
    issues = check(*definition, figures(measured=(800, 800), seekers=150), previous)
    outliers = [i for i in issues if i.kind == "outlier"]
    assert [i.element for i in outliers] == [
        "children_under5_measured"
    ]  # +60 % > 50 %; +50 % ≤ 100 %
    assert "+60%" in outliers[0].message and not outliers[0].is_hard


def test_a_decimal_typed_for_a_whole_number_is_quoted_as_typed():
    with pytest.raises(ValueError) as error:
        parse_number("12,5", "integer")
    assert str(error.value) == "“12,5” is not a whole number"


def test_a_derived_percentage_above_100_is_a_hard_issue(dataset, definition):
    elements, rules = definition
    ratios = services.ratios(dataset)
    # Each element within its range; stunted 105 of 100 measured.
    values = figures(measured=(50, 50), stunted=(55, 50))
    issues = check(elements, rules, values, ratios=ratios)
    [derived] = [i for i in issues if i.kind == "derived"]
    assert derived.is_hard and derived in blocking(issues)
    assert "105.0%" in derived.message and "outside 0–100%" in derived.message
    fine = check(elements, rules, figures(), ratios=ratios)
    assert not [i for i in fine if i.kind == "derived"]


def test_the_stored_derived_rate_is_the_one_the_page_shows(dataset):
    values = figures(measured=(50, 50), stunted=(55, 50))
    [(ratio, value)] = services.ratio_values(dataset, values)
    assert ratio.indicator.code == "stunting_prevalence" and value == Decimal("105.00")
