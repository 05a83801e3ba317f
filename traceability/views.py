"""The public trace page (溯源查询) ``/trace/<code>/``: what a buyer sees on scanning a
label's QR code. It names no household (only how many supplied the batch), links no
inspection file, and counts each view as a scan."""

import re

from django.shortcuts import render
from django.urls import NoReverseMatch
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.page_urls import page_url

from .hooks import certificate_number
from .selectors import find_code, normalise_code, trace_of
from .services import record_scan

# Link previews and crawlers fetch a shared URL without anybody scanning it.
BOT_AGENTS = re.compile(r"bot|spider|crawl|slurp|preview|facebookexternalhit|curl|wget|python-requests", re.I)


def is_bot(request) -> bool:
    return bool(BOT_AGENTS.search(request.META.get("HTTP_USER_AGENT", "")))


@never_cache
@require_safe
def trace(request, code: str):
    # A GET by a person is a scan; HEAD requests and crawlers only read.
    found = record_scan(code) if request.method == "GET" and not is_bot(request) else find_code(code)
    if found is None:
        return render(request, "traceability/trace.html", {"code": normalise_code(code)[:20]}, status=404)
    batch, unit = found
    try:
        product_url = page_url("product", batch.product_id)
    except NoReverseMatch:
        product_url = ""
    context = {
        "trace": trace_of(batch, unit),
        "certificate_number": certificate_number(batch.product_id),
        "product_url": product_url,
    }
    return render(request, "traceability/trace.html", context)
