"""The Banyuasin Prima demo step is idempotent and shows early warnings in Q3 2019."""

from __future__ import annotations

import pytest

from sinergi.web.audit.models import AuditEntry
from sinergi.web.programs import demo
from sinergi.web.programs.models import Activity, Budget, Document, NonApbdProposal, Realisation

pytestmark = pytest.mark.django_db


def counts():  # type: ignore[no-untyped-def]
    return [
        m.objects.count()
        for m in (Activity, Budget, Realisation, Document, NonApbdProposal, AuditEntry)
    ]


def test_demo_twice_changes_nothing(data_dir):
    summary = demo.load()
    assert "10 activities of 6 agencies" in summary and "6 late in Q3" in summary
    first = counts()
    again = demo.load()
    assert counts() == first and "0 realisations written" in again
    assert (
        Realisation.objects.filter(quarter=3, activity__code="2.07.04.2.01.0002")
        .get()
        .outputs.filter(value=980)
        .exists()
    )
    from django.contrib.auth.models import User

    from sinergi.web.demo.services import DEMO_PASSWORD

    assert User.objects.get(username="disnakertrans.demo").check_password(DEMO_PASSWORD)
