"""One masked CSRF token per request, for every form of a page.

Django masks the token anew at every get_token() (32 random characters, each from the
operating system), and a page of Jinja2 partials and kept fragments asked for one per partial.
Any masked form of the same secret is accepted, so a page can use one for all its forms, as
Django's own {% csrf_token %} does within a template.
"""

from __future__ import annotations

from django.middleware.csrf import get_token

_KEPT = "_colony_page_csrf_token"


def page_token(request) -> str:
    """A masked CSRF token for `request`, the same for every call while its secret is (a log-in
    rotates the secret: the next call masks the new one)."""
    if request is None:
        return ""
    secret = request.META.get("CSRF_COOKIE")
    kept = getattr(request, _KEPT, None)
    if kept is not None and secret is not None and kept[0] == secret:
        return kept[1]
    token = get_token(request)
    setattr(request, _KEPT, (request.META.get("CSRF_COOKIE"), token))
    return token
