"""The site's URLs plus a stand-in for ``payments:pay_return`` (the page a buyer comes
back to from the provider, built by ``payments.direct.return_url``), for as long as the
payment pages of issue 22 are not on this branch. The Alipay tests use it only when the
name does not resolve (``tests/payments/test_alipay.py``, fixture ``return_page``)."""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from marketplace import urls as site
from payments import urls as payments_urls


def _back(request, token):
    return HttpResponse("back from the provider")


_payments = [*payments_urls.urlpatterns, path("return/<str:token>/", _back, name="pay_return")]
urlpatterns = [
    pattern
    for pattern in site.urlpatterns
    if not (isinstance(pattern, URLResolver) and getattr(pattern, "app_name", None) == "payments")
]
urlpatterns.insert(0, path("payments/", include((_payments, "payments"))))
handler400 = site.handler400
