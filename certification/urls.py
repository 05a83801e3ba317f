from django.urls import path

from . import views

urlpatterns = [
    path("catalogue/", views.catalogue_view, name="certified_catalogue"),
    path("verify/", views.verify_form, name="certificate_verify_form"),
    path("verify/<str:number>/", views.verify, name="certificate_verify"),
    path("certificates/<str:number>.png", views.certificate_image, name="certificate_png"),
    path("certificates/<str:number>.pdf", views.certificate_document, name="certificate_pdf"),
]
