from django.template.response import TemplateResponse

from catalog.models import Category

from .selectors import MAX_QUERY_LENGTH, search_products


def search(request):
    """The storefront's search results page: GET /search/?q=山药&category=<slug>&page=2."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    slug = request.GET.get("category", "")
    category = Category.objects.filter(slug=slug).first() if slug else None
    results = search_products(query, category=category, page=request.GET.get("page"))
    return TemplateResponse(
        request,
        "search/results.html",
        {"search_query": query, "results": results, "products": results.page, "category": category},
    )
