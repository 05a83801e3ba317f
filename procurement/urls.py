from django.urls import path

from . import statement_views, views

app_name = "procurement"
urlpatterns = [
    path("org/", views.index, name="index"),
    path("org/new/", views.register, name="register"),
    path("org/invitations/<str:invitation_id>/accept/", views.accept, name="accept"),
    path("org/<str:organisation_id>/", views.dashboard, name="dashboard"),
    path("org/<str:organisation_id>/settings/", views.settings_view, name="settings"),
    path("org/<str:organisation_id>/members/", views.members, name="members"),
    path("org/<str:organisation_id>/members/<str:member_id>/roles/", views.member_roles, name="member_roles"),
    path("org/<str:organisation_id>/members/<str:member_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "org/<str:organisation_id>/invitations/<str:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("org/<str:organisation_id>/quota/", views.quota, name="quota"),
    path("org/<str:organisation_id>/approvals/", views.approvals, name="approvals"),
    path("org/<str:organisation_id>/bulk/", views.bulk, name="bulk"),
    path("org/<str:organisation_id>/acceptance/", views.acceptance_list, name="acceptance_list"),
    path("org/<str:organisation_id>/acceptance/<str:suborder_id>/", views.acceptance, name="acceptance"),
    path(
        "org/<str:organisation_id>/approvals/<str:order_id>/<str:decision>/",
        views.approval_decide,
        name="approval_decide",
    ),
]

# Monthly statements (对账单): statement_views.py.
urlpatterns += [
    path("org/<str:organisation_id>/statements/", statement_views.index, name="statements"),
    path("org/<str:organisation_id>/statements/<str:month>.xlsx", statement_views.xlsx, name="statement_xlsx"),
    path("org/<str:organisation_id>/statements/<str:month>.pdf", statement_views.pdf, name="statement_pdf"),
]
