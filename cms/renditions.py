"""Rendition sizes of the storefront's editorial pictures (product pictures: ``catalog.models``)."""

# The cover of article cards and live event cards, prefetched with their lists.
ARTICLE_CARD_RENDITION = "fill-480x270"

# Campaign and pavilion banners, full width: the small one for phones of ordinary density,
# the large one for sharp or wide screens (chosen by the browser through srcset and sizes).
BANNER_RENDITION = "fill-1200x480"
BANNER_RENDITION_SMALL = "fill-600x240"
# A page's picture when shared (Open Graph's preferred 1.91:1), fetched with the banner.
PAGE_SHARE_RENDITION = "fill-1200x630"
BANNER_RENDITIONS = (BANNER_RENDITION_SMALL, BANNER_RENDITION, PAGE_SHARE_RENDITION)


def renditions_of(image, *specs: str) -> list:
    """``image``'s renditions at ``specs``, in that order, from what was prefetched (made
    once if missing). Not Wagtail's ``get_rendition``: it writes the rendition to the cache
    on every call, prefetched or not — a Redis round trip per picture, 72 on a page of 24
    product cards (about 40 ms of a 90 ms page); ``get_renditions`` writes only what it
    did not find prefetched. Keyed by the spec Wagtail used (another for an SVG), hence
    taken in order."""
    return list(image.get_renditions(*specs).values())


def rendition_of(image, spec: str):
    return renditions_of(image, spec)[0]
