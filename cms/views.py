"""robots.txt: crawlers may read the storefront; they are kept out of the admin, the
buyer's own pages (cart, checkout, orders, after-sales, statements, sign-in), payments,
the APIs, search results and the parameter variants of the lists (sort orders, live-link
tags), and told where the sitemap is."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import routing

DISALLOWED = [
    "/admin/",
    "/django-admin/",
    "/accounts/",
    "/cart/",
    "/checkout/",
    "/orders/",
    "/after-sales/",
    "/statement/",
    "/payments/",
    "/api/",
    "/live/api/",
    "/live/code/",
    "/live/*/buy/",
    "/search/",
    "/i18n/",
    "/documents/",
    "/*?*sort=",
    "/*?*live=",
    "/*?*tag=",
]


def disallowed_paths() -> list[str]:
    paths = list(DISALLOWED)
    try:
        # The share posters: pictures drawn on request, of no use to a search engine.
        paths.append(f"{routing.catalog_page_url()}*/poster/")
    except NoReverseMatch:
        pass
    return paths


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed_paths()), "Allow: /", ""]
    lines.append(f"Sitemap: {settings.SITE_URL.rstrip('/')}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
