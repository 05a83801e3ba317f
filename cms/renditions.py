"""Rendition sizes of the storefront's editorial pictures (product pictures: ``catalog.models``)."""

# The cover of article cards and live event cards, prefetched with their lists.
ARTICLE_CARD_RENDITION = "fill-480x270"
