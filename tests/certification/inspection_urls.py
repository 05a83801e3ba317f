"""The site's URLs plus a stand-in for traceability's inspection-file view (built on the
trace-codes branch), so the certification page's link to a report's file can be checked."""

from django.http import HttpResponse
from django.urls import include, path

from marketplace.urls import urlpatterns as site_urlpatterns


def inspection_file(request, pk: int):
    return HttpResponse(b"%PDF-1.4", content_type="application/pdf")


urlpatterns = [
    path(
        "admin/traceability/",
        include(([path("inspections/<int:pk>/file/", inspection_file, name="inspection_file")], "traceability_admin")),
    ),
    *site_urlpatterns,
]
