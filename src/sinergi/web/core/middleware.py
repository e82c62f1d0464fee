"""Language selection: Bahasa Indonesia unless the user chose otherwise."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class DefaultLanguageMiddleware:
    """Activate the language the user picked (cookie), else ``LANGUAGE_CODE``.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and
    many civil servants' browsers are set to English; Sinergi speaks
    Indonesian until someone presses EN.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PolicyCacheMiddleware:
    """Give the signed-in user of this request a fresh memo for access policies.

    Every page asks several apps' policies (the menu alone asks four), and each
    would read the user's profile again. :func:`sinergi.web.accounts.policy.memo`
    keeps what they computed for the length of one request: the memo lives on
    this request's user object, so a profile changed by one request is seen by
    the next.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from sinergi.web.accounts.policy import start_memo

            start_memo(user)
        return self.get_response(request)
