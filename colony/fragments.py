"""Parts of a page kept between requests (per worker process), under a key naming everything
they show: the cycle page's empty add forms and its filters.

Those forms look the same on every visit until something they show changes (the household's
categories, the cycle's dates, today's date, the base currency…), yet building and rendering
them was a fifth of the page. The view computes a key out of exactly what the fragment shows
(budget/views/page.py) and marks the fragment `{% kept key %}…{% endkept %}` in a Django template
(colony/kept_tags.py) or `{{ kept("name.jinja", key) }}` in a Jinja2 one; a None key renders as
usual. To the key this module adds what any fragment depends on: language, number format and
URL prefix.

A form's CSRF token is never kept: the fragment is kept with its token slots emptied, and each
request puts its own token into them. A fragment that mentions a CSRF token anywhere else is
not kept at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.html import escape

# Where a form holds its token: attribute name and quotes included, which no escaped value can
# spell (escaping turns `"` into `&#34;` or `&quot;`).
TOKEN_SLOT = 'name="csrfmiddlewaretoken" value="'
EMPTY_SLOT = TOKEN_SLOT + '"'
# A slot holding a token (Django's tokens are letters and digits).
_FILLED_SLOT = re.compile(re.escape(TOKEN_SLOT) + '[A-Za-z0-9]*"')


class KeptCache:
    """Values by key, kept per worker process, at most `size` of them (the oldest go first):
    the kept fragments here, the expense rows, the widgets. Per process: a cache shared between
    workers would cost a network round trip per request, more than it saves."""

    def __init__(self, size: int = 512):
        self.size = size
        self._kept: dict = {}

    def get(self, key):
        return self._kept.get(key)

    def put(self, key, value) -> None:
        if len(self._kept) >= self.size:
            self._kept.pop(next(iter(self._kept)), None)
        self._kept[key] = value

    def __iter__(self):
        return iter(self._kept)

    def values(self):
        return self._kept.values()

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


FRAGMENTS = KeptCache()


# What else every fragment depends on, added by the apps that own it (the kernel imports no
# app): the formats app adds the active number format (formats/apps.py).
KEY_PARTS: list[Callable[[], object]] = []


def _shared_key() -> tuple:
    return (
        translation.get_language(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        *[part() for part in KEY_PARTS],
    )


def kept(key, render: Callable[[], str], *, csrf_token: Callable[[], str]) -> str:
    """`render()`, or the HTML it gave before under `key`: a tuple, anything else (None, a
    variable the template does not have) always renders."""
    if type(key) is not tuple:
        return render()
    full_key = (key, *_shared_key())
    html = FRAGMENTS.get(full_key)
    if html is not None:
        if EMPTY_SLOT in html:
            html = html.replace(EMPTY_SLOT, f'{TOKEN_SLOT}{escape(csrf_token())}"')
        return html
    html = str(render())
    # Every token the fragment holds goes: Django masks the token anew at each get_token(), so
    # the slots are emptied whatever they hold. Then the word "csrf" may appear only in emptied
    # slots: a token anywhere else (an hx-headers attribute, say) keeps the fragment out.
    stored = _FILLED_SLOT.sub(EMPTY_SLOT, html)
    if stored.lower().count("csrf") != stored.count(EMPTY_SLOT):
        return html
    FRAGMENTS.put(full_key, stored)
    return html
