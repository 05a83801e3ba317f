"""The site's URLs plus a stand-in for the buyer's return page (``payments:pay_return``),
which ``payments.direct.return_url`` names and the checkout pages provide. Used by the
WeChat Pay tests only while that page is not in the URLconf (see ``return_page_url`` in
test_wechat_pay.py): the provider needs only its address, never its content."""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from marketplace.urls import urlpatterns as site_patterns
from payments.urls import urlpatterns as payment_patterns


def _return_page(request, token):
    return HttpResponse("return page stand-in")


urlpatterns = [
    path(
        "payments/",
        include(([*payment_patterns, path("return/<str:token>/", _return_page, name="pay_return")], "payments")),
    ),
    *[p for p in site_patterns if not (isinstance(p, URLResolver) and p.app_name == "payments")],
]
