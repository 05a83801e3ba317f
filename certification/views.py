"""Public certification pages: the catalogue (扶贫产品目录) with exports, certificate
verification and certificate downloads."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from catalog.caching import kept_for_listing
from core import page_cache
from core.exports import csv_response, xlsx_response
from producers.models import Region
from producers.selectors import region_paths

from .documents import certificate_pdf, certificate_png
from .forms import CatalogueFilterForm
from .models import Certificate
from .selectors import CatalogueFilters, catalogue

CATALOGUE_HEADER = [
    _("证书编号"),
    _("产品名称"),
    _("品类"),
    _("生产主体"),
    _("统一社会信用代码"),
    _("产地"),
    _("认定部门"),
    _("发证日期"),
    _("有效期起"),
    _("有效期至"),
]


def _catalogue_region_choices() -> list[Region]:
    """Provinces, cities and counties that have products in the catalogue: read over every
    valid certificate, so kept for the day until a certificate, product or region changes
    (``catalog/caching.py``; ``apps.py`` connects the certificates and producers)."""

    def compute():
        codes = set(
            Certificate.objects.valid_now().order_by().values_list("producer__region__code", flat=True).distinct()
        )
        wanted = {code[:n] for code in codes for n in (2, 4, 6) if len(code) >= n}
        return list(Region.objects.filter(code__in=wanted).order_by("code"))

    return kept_for_listing("catalogue-regions", compute)


def _rows(certificates):
    certificates = list(certificates)
    paths = region_paths(c.producer.region for c in certificates)
    for c in certificates:
        yield [
            c.number,
            c.product.title,
            c.product.category.name,
            c.producer.name,
            c.producer.credit_code,
            paths[c.producer.region.code],
            c.bureau.name,
            timezone.localtime(c.issued_at).date().isoformat(),
            c.valid_from.isoformat(),
            c.valid_until.isoformat(),
        ]


@require_GET
def catalogue_view(request):
    page_cache.cacheable(request, *page_cache.LISTING_TAGS)  # the same for every anonymous visitor
    form = CatalogueFilterForm(request.GET or None, region_choices=_catalogue_region_choices())
    filters = CatalogueFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = CatalogueFilters(
            region_code=d["region"] or "",
            category_slug=d["category"] or "",
            bureau_id=d["bureau"].pk if d["bureau"] else None,
            issued_from=d["issued_from"],
            issued_to=d["issued_to"],
        )
    elif form.is_bound:
        return render(request, "certification/catalogue.html", {"form": form, "page": None}, status=400)
    qs = catalogue(filters)
    fmt = request.GET.get("format")
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        return csv_response(f"catalogue-{stamp}", [str(h) for h in CATALOGUE_HEADER], _rows(qs))
    if fmt == "xlsx":
        return xlsx_response(
            f"catalogue-{stamp}", gettext("扶贫产品目录"), [str(h) for h in CATALOGUE_HEADER], _rows(qs)
        )
    paginator = Paginator(qs, 50)
    # The number of certificates the filters match, kept for the day until a certificate
    # (or a product, producer, region) changes: no COUNT(*) over the catalogue per request.
    paginator.count = kept_for_listing(f"catalogue:{filters!r}", qs.count)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(_rows(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "certification/catalogue.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "total": page.paginator.count},
    )


@require_GET
def verify_form(request):
    number = (request.GET.get("number") or "").strip().upper()
    if number:
        return redirect("certificate_verify", number=number)
    return render(request, "certification/verify.html", {"certificate": None, "number": ""})


@require_GET
def verify(request, number: str):
    certificate = (
        Certificate.objects.select_related("product__shop", "producer__region", "bureau")
        .filter(number=number.strip().upper())
        .first()
    )
    if certificate is None:
        return render(request, "certification/verify.html", {"certificate": None, "number": number}, status=404)
    return render(
        request,
        "certification/verify.html",
        {
            "certificate": certificate,
            "number": certificate.number,
            "state": certificate.state_now,
            "region_path": region_paths([certificate.producer.region])[certificate.producer.region.code],
        },
    )


def _certificate_or_404(number: str) -> Certificate:
    from django.http import Http404

    certificate = (
        Certificate.objects.select_related("product", "producer__region", "bureau").filter(number=number).first()
    )
    if certificate is None:
        raise Http404(gettext("未找到该证书"))
    return certificate


@require_GET
def certificate_image(request, number: str):
    certificate = _certificate_or_404(number)
    response = HttpResponse(certificate_png(certificate), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.png"'
    return response


@require_GET
def certificate_document(request, number: str):
    certificate = _certificate_or_404(number)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response
