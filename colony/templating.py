"""The Jinja2 environment every Colony template is rendered with (Django's Jinja2 backend).

Colony's pages, partials, forms and e-mails are Jinja2 templates under templates/; only the
admin and third-party apps (the API docs) keep Django templates. This module is project wiring,
like urls.py: it gathers what templates may call from the apps, so no app imports it.

- Filters: `money`, `amount`, `rate` (formats.currencies), `day`, `day_short`, `month`
  (formats.dates), `percent_change` (reports), and the few Django filters with no Jinja2
  equivalent (`pluralize`, `intcomma`, `date`, `time`, `truncatechars`, `yesno`). Jinja2's
  own `default` applies only to undefined values: `x|default("—", true)` for "empty or None".
- Globals: `url(name, *args, **kwargs)` (reverse), `static(path)`, `querystring(**changes)`
  (Django's `{% querystring %}`), `expense_links(pk)`, and the account page's sections from
  apps that accounts may not import (`two_factor_status()`, `reminder_preferences()`).
- `.txt` templates (e-mail bodies and subjects) are not HTML-escaped; everything else is.
"""

from __future__ import annotations

import re

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import RequestContext, defaultfilters, defaulttags
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment, pass_context, select_autoescape
from markupsafe import Markup, escape

from accounts.templating import two_factor_status
from expenses.templating import expense_links
from formats.currencies import format_amount, format_money, format_rate
from formats.dates import format_day, format_day_short, format_month
from reminders.templating import reminder_preferences
from reports.templating import percent_change


def url(name: str, *args, **kwargs) -> str:
    """`{{ url("cycles:detail", cycle.pk) }}`: what `reverse()` gives."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


@pass_context
def querystring(context, **changes) -> str:
    """`{{ querystring(page=2, after=None) }}`: the request's query with these parameters set,
    or removed when None: Django's own `{% querystring %}`, given the request it reads."""
    return defaulttags.querystring(RequestContext(context["request"]), **changes)


def amount(value, currency: str) -> str:
    """An amount without its currency, for tables that name the currency in their heading."""
    return format_amount(value, currency) or ""


# A "word" longer than this gets a line-break opportunity after every this many characters.
WORD_PIECE = 20
_LONG_WORD = re.compile(rf"\S{{{WORD_PIECE + 1},}}")


def breakable(value) -> Markup:
    """The text, escaped, with <wbr> every 20 characters inside an overlong word: a table cell
    wraps a 200-character "word" instead of widening the page, while ordinary words stay whole
    (the cell's CSS is overflow-wrap: break-word; "anywhere" broke "Electrici/ty" whenever a
    column was squeezed)."""
    text = "" if value is None else str(value)
    pieces, last = [], 0
    for match in _LONG_WORD.finditer(text):
        word = match.group(0)
        pieces.append(escape(text[last : match.start()]))
        chunks = (escape(word[i : i + WORD_PIECE]) for i in range(0, len(word), WORD_PIECE))
        pieces.append(Markup("<wbr>").join(chunks))
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


FILTERS = {
    "breakable": breakable,
    "money": format_money,
    "amount": amount,
    "rate": format_rate,
    "day": format_day,
    "day_short": format_day_short,
    "month": format_month,
    "percent_change": percent_change,
    "pluralize": defaultfilters.pluralize,
    "intcomma": intcomma,
    "date": defaultfilters.date,
    "time": defaultfilters.time,
    "truncatechars": defaultfilters.truncatechars,
    "yesno": defaultfilters.yesno,
}

GLOBALS = {
    "url": url,
    "static": static,
    "querystring": querystring,
    "expense_links": expense_links,
    "two_factor_status": two_factor_status,
    "reminder_preferences": reminder_preferences,
}


def environment(**options) -> Environment:
    # Django's backend asks for autoescape=True everywhere; e-mail text is not HTML.
    options["autoescape"] = select_autoescape(
        disabled_extensions=("txt",), default_for_string=True, default=True
    )
    env = Environment(**options)  # noqa: S701 — autoescape is on for everything but .txt
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    return env
