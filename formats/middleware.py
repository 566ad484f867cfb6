"""Activate the household's number and date format for the request (the browser's language
before log-in), so templates, forms and messages all use the same one."""

from .locales import activate, deactivate, negotiate


class FormatLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        household = getattr(request, "household", None)
        code = getattr(household, "format_locale", "") or negotiate(
            request.headers.get("Accept-Language")
        )
        request.format_locale = code
        token = activate(code)
        try:
            return self.get_response(request)
        finally:
            deactivate(token)
