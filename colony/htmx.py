"""The small HTMX decisions every view makes, written once.

- `wants_partial`: swap a fragment, or render the whole page (a history restore — the back
  button after htmx's history cache is gone — asks for the whole page even over HTMX);
- `page_or_partial`: render the page or the fragment it includes, by that rule;
- `redirect_after_write`: post/redirect/get with a flash message; HTMX follows with a
  client-side redirect (`HX-Redirect`), so the whole page is loaded, never swapped into a part;
- `partial_or_redirect`: HTMX swaps the changed fragment (a row, a list) in place; a plain form
  post is redirected back with the message, and the page shows the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django_htmx.http import HttpResponseClientRedirect


def wants_partial(request: HttpRequest) -> bool:
    """An HTMX request for a fragment (not a history restore, which wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def page_or_partial(
    request: HttpRequest,
    *,
    page: str,
    partial: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The fragment for HTMX, the page (which includes that fragment) otherwise."""
    template = partial if wants_partial(request) else page
    return render(request, template, context, status=status)


def redirect_after_write(
    request: HttpRequest,
    to: Any,
    *args: Any,
    message: str | None = None,
    level: int = messages.SUCCESS,
    **kwargs: Any,
) -> HttpResponse:
    """After a successful write: the message (if any) and a redirect to `to` (a URL name with
    its arguments, a URL, or a model with `get_absolute_url`); HTMX gets `HX-Redirect`."""
    if message:
        messages.add_message(request, level, message)
    url = resolve_url(to, *args, **kwargs)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def partial_or_redirect(
    request: HttpRequest,
    partial: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]],
    *,
    to: Any,
    message: str,
    status: int = 200,
) -> HttpResponse:
    """After a write on part of a page: HTMX gets the changed fragment (it shows the change, no
    message needed); a plain form post gets the message and a redirect back to `to`. A callable
    `context` is only built for HTMX (it may cost queries the redirect does not need)."""
    if request.htmx:
        context = context() if callable(context) else context
        return render(request, partial, context, status=status)
    messages.success(request, message)
    return redirect(resolve_url(to))
