"""`{% load kept %}` then `{% kept key %}…{% endkept %}`: the block's HTML kept under `key`
between requests (colony/fragments.py says what a key must name); a None key renders it."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from .csrf import page_token
from .fragments import kept

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, key: template.base.FilterExpression, nodelist: template.NodeList):
        self.key = key
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        html = kept(
            self.key.resolve(context, ignore_failures=True),
            lambda: self.nodelist.render(context),
            csrf_token=lambda: page_token(request),
        )
        return mark_safe(html)  # noqa: S308 — the block's own rendering, escaped by it


@register.tag("kept")
def do_kept(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% kept key %} takes one key")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(parser.compile_filter(bits[1]), nodelist)
