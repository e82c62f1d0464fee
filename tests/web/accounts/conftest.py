import pytest


@pytest.fixture(autouse=True)
def english(client, api_client):  # type: ignore[no-untyped-def]
    """Assertions read English messages, whatever catalogue ships for Bahasa Indonesia."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
