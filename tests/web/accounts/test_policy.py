"""The policy's scoped querysets (the one place access is decided)."""

from django.contrib.auth.models import AnonymousUser

from sinergi.web.accounts.policy import Policy
from sinergi.web.regions.models import Region


def test_region_scope_is_a_subtree_not_a_prefix(make_user):
    policy = Policy.for_user(make_user("op", role="kecamatan_operator", region="16.07.01"))
    codes = set(
        policy.regions(Region.objects.filter(level="district", parent="16.07")).values_list(
            "code", flat=True
        )
    )
    assert codes == {"16.07.01"}  # not 16.07.010 lookalikes, not siblings
    assert policy.in_scope("16.07.01.2001") and not policy.in_scope("16.07.10")


def test_anonymous_and_roleless_users_are_the_public(make_user):
    for user in [AnonymousUser(), make_user("citizen")]:
        policy = Policy.for_user(user)
        assert policy.is_public and not policy.regions(Region.objects.all()).exists()
        assert not policy.can_manage_users


def test_superuser_is_a_national_administrator(db):
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", password="x" * 12)
    policy = Policy.for_user(root)
    assert policy.can_manage_users and policy.in_scope("16.07.05")
