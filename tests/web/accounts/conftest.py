import pytest


@pytest.fixture(autouse=True)
def english(client, api_client):  # type: ignore[no-untyped-def]
    """Assertions read English messages, whatever catalogue ships for Bahasa Indonesia."""
    from django.conf import settings
    from django.utils import translation

    # Sinergi ignores Accept-Language (DefaultLanguageMiddleware): the cookie picks English.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
