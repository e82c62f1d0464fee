"""Convergence dashboard and province view with named roles: Bappeda administrator,
Dinsos verifier, kecamatan operator of Betung, executive viewer and the public.

The release is imported from real files and the match outcomes written with the ORM
(``_fixtures_convergence``); every figure on the page is checked against a count made
by hand from the same lists.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from sinergi.rounding import rounded
from sinergi.web.beneficiaries import analysis
from tests.web.beneficiaries import _fixtures_convergence as fx

# The fixtures live with the fixture data; bound here so pytest finds them.
data_dir = fx.data_dir
users = fx.users
release = fx.release


def page(client, user, release, code: str | None = None, **query: Any):  # type: ignore[no-untyped-def]
    client.force_login(user)
    url = (
        reverse("convergence-area", args=[release.slug, code])
        if code
        else reverse("convergence-release", args=[release.slug])
    )
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    return response


def by_code(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {r["code"]: r for r in response.context["table"]}


def pct(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)) * 100


def close(shown: Decimal | None, exact: float | None) -> bool:
    if shown is None or exact is None:
        return shown is None and exact is None
    return abs(float(shown) - exact * 100) < 1e-9


@pytest.mark.parametrize("area", ["16.07", fx.BETUNG, fx.DESA_A, fx.DESA_C])
def test_figures_equal_an_independent_count(client, users, release, area: str) -> None:  # type: ignore[no-untyped-def]
    rows = by_code(page(client, users["bappeda"], release, None if area == "16.07" else area))
    assert set(rows) == {"pkh", "bpnt", "kur"}
    for code in ("pkh", "bpnt"):
        want = fx.expected(code, area)
        m = rows[code]["m"]
        assert m.households == want["households"]
        assert m.eligible_households == want["eligible_households"]
        assert m.beneficiary_households == want["beneficiary_households"]
        assert m.reached_eligible == want["reached_eligible"]
        assert close(m.coverage, want["coverage"]), (code, area)
        assert close(m.exclusion_error, want["exclusion_error"]), (code, area)
        assert close(m.inclusion_error, want["inclusion_error"]), (code, area)
        if want["cgh"] is None:
            assert m.cgh is None
        else:
            assert m.cgh == pytest.approx(want["cgh"])
        # Coverage of decile 1-4, the common target group.
        assert close(rows[code]["group"].coverage, fx.expected(code, area, k=4)["coverage"])
    kur = rows["kur"]["m"]
    assert rows["kur"]["rule"] is None
    assert kur.beneficiary_households == fx.expected("kur", area)["beneficiary_households"]
    assert kur.coverage is None and kur.exclusion_error is None
    # Rows matched to no household (and the one still in review) are counted, never dropped.
    assert rows["pkh"]["unmatched"] == fx.expected("pkh", area)["unmatched_rows"] == 3
    assert rows["bpnt"]["unmatched"] == 0


def test_listed_twice_counts_once_and_the_page_shows_the_numbers(client, users, release) -> None:  # type: ignore[no-untyped-def]
    response = page(client, users["bappeda"], release)
    pkh = by_code(response)["pkh"]["m"]
    # H01 is on the PKH list twice: 9 households of decile <= 3 + H05 + H08.
    assert pkh.beneficiary_households == 11
    text = response.content.decode()
    want = fx.expected("pkh", "16.07")
    shown = f"{rounded(Decimal(str(want['exclusion_error'])) * 100, 1)}".replace(".", ",") + "%"
    assert shown in text
    assert "Program Keluarga Harapan" in text
    assert "Kesalahan eksklusi" in text and "Cakupan" in text


def test_a_chosen_k_replaces_every_rule(client, users, release) -> None:  # type: ignore[no-untyped-def]
    rows = by_code(page(client, users["bappeda"], release, k=2))
    for code in ("pkh", "bpnt", "kur"):
        want = fx.expected(code, "16.07", k=2)
        assert rows[code]["rule"] == 2
        assert rows[code]["m"].eligible_households == want["eligible_households"]
        assert close(rows[code]["m"].exclusion_error, want["exclusion_error"])


def test_overlap_matrix_and_desa_ranking(client, users, release) -> None:  # type: ignore[no-untyped-def]
    response = page(client, users["bappeda"], release, program="pkh")
    names = [r["code"] for r in response.context["table"]]
    for i, row in enumerate(response.context["overlap"]):
        for j, cell in enumerate(row["cells"]):
            assert cell["households"] == fx.overlap(names[i], names[j], "16.07")
    ranking = response.context["ranking"]
    assert {r["code"] for r in ranking} == {fx.DESA_A, fx.DESA_B, fx.DESA_C}
    errors = [r["m"].exclusion_error for r in ranking]
    # Rambutan's desa has no eligible household (no exclusion error): ranked last.
    assert errors[-1] is None and ranking[-1]["code"] == fx.DESA_C
    assert errors[:-1] == sorted(errors[:-1], reverse=True)
    for r in ranking:
        assert close(r["m"].exclusion_error, fx.expected("pkh", r["code"])["exclusion_error"])


def test_small_cells_hidden_for_aggregate_only_roles(client, users, release) -> None:  # type: ignore[no-untyped-def]
    full = by_code(page(client, users["bappeda"], release, fx.BETUNG))["pkh"]["m"]
    assert (
        not full.hidden
        and full.reached_eligible == fx.expected("pkh", fx.BETUNG)["reached_eligible"]
    )
    response = page(client, users["executive"], release, fx.BETUNG)
    assert response.context["suppressed"]
    hidden = by_code(response)["pkh"]["m"]
    # 24 households, 12 eligible and 11 on the list show; 9 reached eligible do not, nor
    # the shares computed from them.
    assert (hidden.households, hidden.eligible_households, hidden.beneficiary_households) == (
        24,
        12,
        11,
    )
    assert hidden.reached_eligible is None
    assert hidden.coverage is None and hidden.exclusion_error is None and hidden.hidden
    assert "disembunyikan" in response.content.decode() or "–" in response.content.decode()
    # The same for an OPD operator outside the social affairs office.
    assert by_code(page(client, users["opd"], release, fx.BETUNG))["pkh"]["m"].hidden


def test_kecamatan_operator_sees_its_kecamatan_whole_and_the_rest_as_aggregates(
    client, users, release
) -> None:  # type: ignore[no-untyped-def]
    own = by_code(page(client, users["betung"], release, fx.BETUNG))["pkh"]["m"]
    assert not own.hidden
    other = by_code(page(client, users["betung"], release, fx.DESA_C))["pkh"]["m"]
    # Rambutan's desa: 6 households, hidden with their persons.
    assert other.hidden and other.households is None and other.persons is None


def test_public_is_sent_to_login(client, release) -> None:  # type: ignore[no-untyped-def]
    for url in (
        reverse("convergence-home"),
        reverse("convergence-release", args=[release.slug]),
        reverse("convergence-province"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/akun/login/" in response["Location"]


def test_home_opens_the_newest_release_and_nav_link(client, users, release) -> None:  # type: ignore[no-untyped-def]
    client.force_login(users["executive"])
    response = client.get(reverse("convergence-home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("convergence-release", args=[release.slug])
    text = client.get(response["Location"]).content.decode()
    assert "Ketepatan Sasaran" in text
    assert "data sintetis" in text.lower()


def test_area_outside_the_release_is_not_found(client, users, release) -> None:  # type: ignore[no-untyped-def]
    client.force_login(users["bappeda"])
    response = client.get(reverse("convergence-area", args=[release.slug, "16.08"]))
    assert response.status_code == 404


def test_a_decision_shows_on_the_next_view(client, users, release) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.beneficiaries.models import (
        Decision,
        MatchDecision,
        MatchLink,
        MatchStage,
        MatchState,
        Programme,
    )

    before = by_code(page(client, users["bappeda"], release))["pkh"]
    # The reviewer decides "same person" for the row in review: the matching services
    # record the decision and apply it into the link (accepted, stage decision).
    MatchDecision.objects.create(
        programme=Programme.objects.get(code="pkh"),
        list_row="pkh-rev",
        person_key="p-H04",
        decision=Decision.MATCH,
        decided_by=users["bappeda"],
    )
    MatchLink.objects.filter(list_row="pkh-rev").update(
        state=MatchState.ACCEPTED, stage=MatchStage.DECISION
    )
    after = by_code(page(client, users["bappeda"], release))["pkh"]
    assert after["m"].beneficiary_households == before["m"].beneficiary_households + 1
    assert after["unmatched"] == before["unmatched"] - 1


def test_query_count_is_bounded(client, users, release, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    page(client, users["bappeda"], release)  # warm the caches
    client.force_login(users["betung"])
    with django_assert_max_num_queries(30):
        assert (
            client.get(reverse("convergence-area", args=[release.slug, fx.BETUNG])).status_code
            == 200
        )
    with django_assert_max_num_queries(30):
        assert client.get(reverse("convergence-province")).status_code == 200


def test_no_matched_list_says_so(client, users, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    release = fx.make_release(tmp_path / "bare", users["bappeda"])
    response = page(client, users["bappeda"], release)
    assert response.context["table"] == []
    assert "Belum ada daftar penerima" in response.content.decode()


def test_province_view_shows_banyuasin_and_says_the_others_have_no_release(
    client, users, release
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(users["bappeda"])
    response = client.get(reverse("convergence-province"), {"ukuran": "exclusion_error"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["region"].code for r in rows] == ["16.07"]
    cells = rows[0]["cells"]
    want = fx.expected("pkh", "16.07")
    assert cells["pkh"].households == 30
    assert close(cells["pkh"].exclusion_error, want["exclusion_error"])
    without = {r.code for r in response.context["without"]}
    assert "16.07" not in without and "16.71" in without  # Palembang has no release
    text = response.content.decode()
    assert "belum memiliki rilis registri" in text
    assert "Banyuasin" in text
    # The executive sees the same table with the small cells hidden.
    client.force_login(users["executive"])
    response = client.get(reverse("convergence-province"), {"ukuran": "exclusion_error"})
    assert response.context["suppressed"]
    assert response.context["rows"][0]["cells"]["pkh"].exclusion_error is None


def test_english_page(client, users, release, english) -> None:  # type: ignore[no-untyped-def]
    text = page(client, users["bappeda"], release).content.decode()
    assert "Exclusion error" in text and "Coverage of decile 1-4" in text


def test_summed_up_areas_equal_the_engine_run_per_area(users, release) -> None:  # type: ignore[no-untyped-def]
    """The pages sum the engine's desa rows up to kecamatan and regency; the result must
    be what the engine gives when asked for that level directly."""
    from sinergi.targeting.convergence import convergence

    a = analysis.analysis(release)
    for column, code in (("kecamatan_code", fx.BETUNG), ("regency_code", "16.07")):
        direct = convergence(
            a.registry.table,
            a.beneficiaries.select(["household_id", "programme"]),
            eligible_max_decile=a.rules,
            by=[column],
        )
        for row in direct.to_pylist():
            if row[column] != code:
                continue
            mine = a.area(code)[row["programme"]]
            for key in ("households", "eligible_households", "beneficiary_households"):
                assert mine[key] == row[key], (code, key)
            for key in ("inclusion_error", "exclusion_error", "coverage", "cgh"):
                if row[key] is None:
                    assert mine[key] is None, (code, key)
                else:
                    assert mine[key] == pytest.approx(row[key]), (code, key)
