"""Serving the home page and the catalogue's routes (``CatalogPage``: the product list,
categories, products, shops under ``/products/``) without Wagtail's walk of the page tree.

Wagtail's ``serve`` finds the site for the request, then walks the tree from the site's
root to the page by slug, loads its specific row, and (``on_serve_page``) its ancestors'
view restrictions: six queries on every catalogue request before our route runs (four
on the home page). The home page is the site's root and the catalogue page is one page
(``max_count = 1``), at URLs that change only when editors change the tree, so ``serve``
below keeps both, live, with their URLs and the site, per process, and sends a request
for the home page or under the catalogue's URL straight to the page (and its route);
anything else (other pages, other methods than GET/HEAD, a page under a view restriction,
several sites) goes through Wagtail's own ``serve`` as before. Wagtail's page hooks still
run (``_serve_with_hooks``), all but its view-restriction check, which the kept state
stands for. The URLs are exactly
Wagtail's: the page's URL plus the route.

The kept pages are checked against a generation in the shared cache on each request (a
cache read, no query), which every change that could move, rename, restrict or edit a
page replaces (the receivers at the bottom): every process loads it again on its next
request, so an editor's change (page size, intro, title, unpublishing) shows on the very
next request, whichever process serves it."""

import threading
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from wagtail import hooks
from wagtail import views as wagtail_views
from wagtail.images.models import AbstractImage
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move
from wagtail.wagtail_hooks import check_view_restrictions

from .models import CatalogPage, HomePage
from .restrictions import pages_generation as generation


@dataclass(frozen=True)
class Served:
    generation: str
    site: Site | None = None  # the one site, when requests may skip Wagtail's routing
    home: HomePage | None = None  # the site's root page, served at "/"
    home_url: str = ""
    catalog: CatalogPage | None = None
    catalog_url: str = ""  # e.g. "/products/"
    # Any other page once Wagtail has routed to it (campaigns, pavilions, stories, ...):
    # path -> (page, serve args, serve kwargs, routable resolver match), unrestricted only.
    routes: dict = field(default_factory=dict, compare=False)


_lock = threading.Lock()
_served: Served | None = None


def _load(current: str) -> Served:
    """The home page and the live catalogue page with their paths, when they may be
    served directly: one site (the default one, which serves every host), and no view
    restriction on them or above them."""
    sites = list(Site.objects.all()[:2])
    if len(sites) != 1 or not sites[0].is_default_site:
        return Served(current)
    site = sites[0]
    home = site.root_page.specific
    if not isinstance(home, HomePage) or not home.live or home.get_view_restrictions().exists():
        home = None
    catalog = CatalogPage.objects.live().order_by("path").first()
    if catalog is not None and catalog.get_view_restrictions().exists():
        catalog = None
    home_url = home.get_url() or "" if home is not None else ""
    catalog_url = catalog.get_url() or "" if catalog is not None else ""
    return Served(
        current,
        site=site,
        home=home if home_url.startswith("/") else None,
        home_url=home_url,
        catalog=catalog if catalog_url.startswith("/") else None,
        catalog_url=catalog_url,
    )


def served_pages() -> Served:
    """The pages as kept for this process, loaded again after any change."""
    global _served
    current = generation.current()
    served = _served
    if served is None or served.generation != current:
        served = _load(current)
        with _lock:
            _served = served
    return served


def serve(request, path):
    """Wagtail's ``serve``, with the home page and the catalogue's routes taken straight
    to their page."""
    if request.method in ("GET", "HEAD"):
        served = served_pages()
        if served.home is not None and request.path == served.home_url:
            request._wagtail_site = served.site  # what Site.find_for_request would find
            return _serve_with_hooks(served.home, request, (), {})
        if served.catalog is not None and request.path.startswith(served.catalog_url):
            page = served.catalog
            try:
                match = page.resolve_subpage("/" + request.path[len(served.catalog_url) :])
            except Http404:
                pass  # not a route of the catalogue: a page below it, or nothing (Wagtail's 404)
            else:
                request._wagtail_site = served.site
                request.routable_resolver_match = match
                view, args, kwargs = match
                return _serve_with_hooks(page, request, (view, args, kwargs), {})
        if served.site is not None:
            return _serve_routed(request, path, served)
    return wagtail_views.serve(request, path)


def _serve_with_hooks(page, request, args, kwargs):
    """What Wagtail's ``serve`` does once it has routed: the ``before_serve_page`` hooks
    (the request method's check, the page cache's marking of storefront pages, ...), then
    the page through the ``on_serve_page`` hooks, all but Wagtail's check of view
    restrictions, which the kept state stands for (a kept page has none, and any change
    of a restriction drops what is kept)."""
    chain = wagtail_views.serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        if fn is not check_view_restrictions:
            chain = fn(chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return chain(page, request, args, kwargs)


MAX_KEPT_ROUTES = 5000  # pages per process; past it, further pages are routed by Wagtail each time


def _serve_routed(request, path, served: Served):
    """Any other page: routed by Wagtail (and its hooks) the first time, then, if no view
    restriction applies to it, kept with its route until the next change of any page."""
    kept = served.routes.get(request.path)
    if kept is not None:
        page, args, kwargs, match = kept
        request._wagtail_site = served.site
        if match is not None:
            request.routable_resolver_match = match
        return _serve_with_hooks(page, request, args, kwargs)
    response = wagtail_views.serve(request, path)
    if response.status_code == 200 and len(served.routes) < MAX_KEPT_ROUTES:
        page = getattr(request, "_served_page", None)
        if page is not None and not page[0].get_view_restrictions().exists():
            served.routes[request.path] = (*page, getattr(request, "routable_resolver_match", None))
    return response


@hooks.register("before_serve_page")
def _remember_route(page, request, serve_args, serve_kwargs):
    """What Wagtail routed this request to, for ``_serve_routed`` to keep."""
    request._served_page = (page, serve_args, serve_kwargs)


def clear_served_pages(**kwargs) -> None:
    """Make every process load the pages again on its next request."""
    generation.replace()


@receiver(post_save, dispatch_uid="cms_serving_saved")
@receiver(post_delete, dispatch_uid="cms_serving_deleted")
def _model_changed(sender, instance=None, **kwargs):
    # A page above the catalogue page renamed (its URL), the page itself edited (page size,
    # intro), a site or a view restriction added or removed.
    # A picture too: a kept page's stream blocks keep the pictures they chose once loaded.
    if isinstance(instance, Page | Site | PageViewRestriction | AbstractImage):
        clear_served_pages()


@receiver(page_published, dispatch_uid="cms_serving_published")
@receiver(page_unpublished, dispatch_uid="cms_serving_unpublished")
@receiver(post_page_move, dispatch_uid="cms_serving_moved")
def _page_changed(sender, **kwargs):
    clear_served_pages()
