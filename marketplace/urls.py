from django.conf import settings
from django.contrib import admin as django_admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import serving as cms_serving
from cms import sitemaps as cms_sitemaps
from cms import views as cms_views
from live import api as live_api
from orders import live_links
from search import views as search_views

# Under the live events page's own URL (its pages, /live/ and /live/<code>/, are Wagtail's):
# the stream operators' viewer-metrics endpoint and the storefront's two live actions.
live_urlpatterns = [
    path("code/", live_links.enter_code, name="enter_code"),
    path("api/events/<str:code>/samples/", live_api.push_samples, name="push_samples"),
    path("<str:code>/buy/", live_links.buy_now, name="buy_now"),
]

urlpatterns = [
    path("django-admin/", django_admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggestions, name="search_suggest"),
    path("accounts/", include("core.urls")),
    path("payments/", include("payments.urls")),
    path("", include("certification.urls")),
    path("", include("traceability.urls")),
    path("", include("aftersales.urls")),
    path("", include("procurement.urls")),
    path("", include("invoices.urls")),
    path("", include("orders.urls")),
    path("", include("attribution.urls")),
    path("live/", include((live_urlpatterns, "live"))),
    path("api/offline/", include("sales_channels.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Findability (cms/views.py, cms/sitemaps.py): robots.txt and the sitemap index of sections.
    path("robots.txt", cms_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", cms_sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", cms_sitemaps.section, name="sitemap_section"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's pages, with the catalogue's routes served without the walk of the page tree
# (cms/serving.py); the other pages through Wagtail's own serve view, at the same URLs.
wagtail_patterns = [pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"]
wagtail_patterns.append(re_path(wagtail_urls.serve_pattern, cms_serving.serve, name="wagtail_serve"))
urlpatterns += [path("", include(wagtail_patterns))]

# Consumption-support reports: the read-only JSON endpoint (the views are in the admin).
urlpatterns.insert(-1, path("api/reports/", include("reports.urls")))

# A request the parsers refuse (core.parsing.BadInput) answers 400 with what was wrong.
handler400 = "core.error_pages.bad_request"
