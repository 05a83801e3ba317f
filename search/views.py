from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from catalog.selectors import category_tree
from core import page_cache

from .backends import SORTS
from .selectors import MAX_QUERY_LENGTH, search_products, suggest

FACET_PARAM = {"province": "region", "city": "region", "county": "region", "price": "price", "kind": "kind"}


def _toggle_url(request, param: str, value: str | None) -> str:
    """This page's query string with ``param`` set to ``value`` (or removed), back on page 1."""
    query = request.GET.copy()
    query.pop("page", None)
    if value is None:
        query.pop(param, None)
    else:
        query[param] = value
    return "?" + query.urlencode()


@require_GET
def search(request):
    """The storefront's search results page:
    GET /search/?q=山药&category=<slug>&region=<code>&kind=<kind>&price=<band>&in_stock=1&sort=<sort>&page=2."""
    page_cache.cacheable(request, *page_cache.LISTING_TAGS)  # the same for every anonymous visitor
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    tree = category_tree()
    # The navigation shows the same top-level categories: hand them over, one query less.
    request._storefront_categories = tree.get(None, [])
    slug = request.GET.get("category", "")
    category = next((c for group in tree.values() for c in group if c.slug == slug), None) if slug else None
    region = request.GET.get("region", "")
    sort = request.GET.get("sort", "relevance")
    results = search_products(
        query,
        category=category,
        region_code=region,
        producer_kind=request.GET.get("kind", ""),
        price_band=request.GET.get("price", ""),
        in_stock=request.GET.get("in_stock") == "1",
        sort=sort,
        page=request.GET.get("page"),
        category_tree=tree,
    )
    params = results.params
    chosen = {
        "category": category.slug if category else "",
        "region": params.region_code if params else "",
        "kind": params.producer_kind if params else "",
        "price": params.price_band if params else "",
        "in_stock": "1" if params and params.in_stock else "",
    }
    for name, values in results.facets.items():
        param = FACET_PARAM.get(name, name)
        for v in values:
            if param == "region":
                # A chosen county keeps its city and province chosen; un-choosing a
                # county goes back up to its city, a city to its province.
                v.chosen = bool(chosen["region"]) and chosen["region"].startswith(v.key)
                up = v.key[:-2] if len(v.key) > 2 and chosen["region"] == v.key else None
                v.url = _toggle_url(request, param, up if v.chosen else v.key)
            else:
                v.chosen = chosen.get(param) == v.key
                v.url = _toggle_url(request, param, None if v.chosen else v.key)
    return TemplateResponse(
        request,
        "search/results.html",
        {
            "search_query": query,
            "results": results,
            "products": results.page,
            "category": category,
            "chosen": chosen,
            "has_filters": any(chosen.values()),
            "sorts": SORTS,
            "sort": params.sort if params else "relevance",
        },
    )


@require_GET
def suggestions(request):
    """As-you-type suggestions: GET /search/suggest/?q=shan → {"q": "shan", "suggestions": [titles]}."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    response = JsonResponse({"q": query, "suggestions": suggest(query)}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "max-age=60"
    return response
