"""What Colony's templates may call from expenses (gathered by colony/templating.py):
`{% set links = expense_links(expense.pk) %}` then `{{ links.edit }}`, `{{ links.toggle_paid }}`,
`{{ links.skip }}`, `{{ links.restore }}`, `{{ links.delete }}`.

The cycle page shows a hundred rows with up to six links each, and a `{% url %}` is a full
`reverse()` (~45 µs). Each action's URL is reversed once with a placeholder id instead; a row
only puts its own id in place of the placeholder.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

ROW_ACTIONS = {
    "edit": "cycles:expense_edit",
    "toggle_paid": "cycles:expense_toggle_paid",
    "skip": "cycles:expense_skip",
    "restore": "cycles:expense_restore",
    "delete": "cycles:expense_delete",
}
_PLACEHOLDER = 2_147_483_647  # digits that no other part of these URLs holds


@lru_cache(maxsize=16)
def _urls_around_id(urlconf, script_prefix: str) -> tuple[tuple[str, str, str], ...]:
    """Each action's URL split around the id: (action, before, after). The cache key is what
    reverse() depends on besides the name."""
    parts = []
    for action, name in ROW_ACTIONS.items():
        url = reverse(name, urlconf=urlconf, args=[_PLACEHOLDER])
        before, placeholder, after = url.rpartition(str(_PLACEHOLDER))
        if not placeholder or str(_PLACEHOLDER) in before:
            raise ValueError(f"{name} must take the expense id as its only argument")
        parts.append((action, before, after))
    return tuple(parts)


def expense_links(pk: int) -> dict[str, str]:
    """What `reverse(name, args=[pk])` gives for each of an expense row's actions."""
    parts = _urls_around_id(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    pk = int(pk)
    return {action: f"{before}{pk}{after}" for action, before, after in parts}
