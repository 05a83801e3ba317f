"""Rendering a stream of ``cms.blocks`` with what each block shows (``{% load storefront_blocks %}``):

    {% prepared_blocks page.body as blocks_data %}
    {% for block in page.body %}{% block_data blocks_data block as data %}
      {% include_block block with data=data %}
    {% endfor %}

(``cms/includes/body.html`` does exactly this.) ``prepared_blocks`` uses the page's
``blocks_data`` (``block_data.BlocksPageMixin``) when it covers the stream, and otherwise
prepares the stream itself."""

from django import template

from ..block_data import block_key, prepare_blocks

register = template.Library()


@register.simple_tag(takes_context=True)
def prepared_blocks(context, stream):
    data = context.get("blocks_data") or {}
    if stream and any(block_key(child) not in data for child in stream):
        data = {**data, **prepare_blocks(stream, request=context.get("request"))}
    return data


@register.simple_tag
def block_data(blocks_data, block):
    return (blocks_data or {}).get(block_key(block)) or {}
