import pytest


@pytest.mark.django_db
def test_banyuasin_has_21_kecamatan(banyuasin):
    assert banyuasin.children.count() == 21
