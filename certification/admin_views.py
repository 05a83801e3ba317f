"""Certification in the Wagtail admin: operators apply and upload evidence; officers
work a review queue limited to their jurisdiction, with the evidence inline."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from catalog.models import Product
from core import flash
from core.errors import DomainError
from core.roles import Role, roles_of
from core.scoping import jurisdiction_code, scope_queryset
from core.uploads import private_file_response
from producers.selectors import households_in_scope
from traceability.selectors import batches_with_inspections, trace_url

from .forms import ApplicationForm, DecisionForm, EvidenceForm
from .models import Application, Certificate, Evidence, Status
from .services import add_evidence, apply_transition, create_application
from .transitions import Actor, available_actions

QUEUE_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW)

# The view serving an inspection report's file to those in scope (traceability's admin, built
# on the trace-codes branch); until it exists the reports are listed without a link.
INSPECTION_FILE_URL_NAME = "traceability_admin:inspection_file"


def inspection_file_url(report_pk: int) -> str:
    try:
        return reverse(INSPECTION_FILE_URL_NAME, args=[report_pk])
    except NoReverseMatch:
        return ""


def product_batches(product_id: int) -> list:
    """The product's batches (newest first) with their inspection reports, each report with
    ``file_url`` (empty when the file view is not there): since 2024 a product must be
    traceable to be certified, so the operator and the reviewing officer see them."""
    batches = batches_with_inspections(product_id)
    for batch in batches:
        batch.trace_url = trace_url(batch.code)
        for report in batch.inspections.all():
            report.file_url = inspection_file_url(report.pk)
    return batches


def _scoped_applications(user):
    return scope_queryset(Application.objects.all(), user).select_related(
        "product__shop", "producer__region", "created_by"
    )


def _actor_for(user, application: Application) -> Actor | None:
    roles = roles_of(user)
    code = jurisdiction_code(user)
    if code and application.producer.region.code.startswith(code):
        return Actor.OFFICER
    if Role.SHOP_OPERATOR in roles or user.is_superuser:
        return Actor.OPERATOR
    return None


def applications_index(request):
    user = request.user
    roles = roles_of(user)
    if not roles & {Role.SHOP_OPERATOR, Role.BUREAU_OFFICER, Role.PLATFORM_ADMIN}:
        raise PermissionDenied
    tab = request.GET.get("tab") or ("queue" if Role.BUREAU_OFFICER in roles else "all")
    applications = _scoped_applications(user)
    if tab == "queue":
        applications = applications.filter(status__in=QUEUE_STATUSES).order_by("submitted_at", "pk")
    applications = list(applications[:500])
    products = []
    if Role.SHOP_OPERATOR in roles:
        # Products of the operator's shops with no valid certificate and no open application.
        products = list(
            scope_queryset(Product.objects.all(), user, "change")
            .annotate(
                certified=Exists(Certificate.objects.valid_now().filter(product=OuterRef("pk"))),
                pending=Exists(
                    Application.objects.filter(product=OuterRef("pk"), status__in=(Status.DRAFT, *QUEUE_STATUSES))
                ),
            )
            .select_related("shop")
            .order_by("shop__name", "title")
        )
    return render(
        request,
        "certification/admin/index.html",
        {
            "header_title": gettext("扶贫产品认定"),
            "page_title": gettext("扶贫产品认定"),
            "applications": applications,
            "products": products,
            "tab": tab,
            "is_officer": Role.BUREAU_OFFICER in roles,
        },
    )


def application_create(request, product_id: int):
    product = get_object_or_404(
        scope_queryset(Product.objects.select_related("shop"), request.user, "change"), pk=product_id
    )
    renewal_of = Certificate.objects.filter(product=product).order_by("-valid_until").first()
    form = ApplicationForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            application = create_application(
                product=product,
                producer=form.cleaned_data["producer"],
                benefit_modes=form.cleaned_data["benefit_modes"],
                households_count=form.cleaned_data["households_count"],
                renewal_of=renewal_of,
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("申请草稿已创建，请上传申报材料后提交。"))
            return redirect("certification_admin:detail", application.pk)
    return render(
        request,
        "certification/admin/create.html",
        {
            "header_title": gettext("申报认定：%(title)s") % {"title": product.title},
            "page_title": gettext("申报认定：%(title)s") % {"title": product.title},
            "product": product,
            "form": form,
            "renewal_of": renewal_of,
        },
    )


def application_detail(request, pk: int):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    actor = _actor_for(request.user, application)
    actions = available_actions(application.status, actor) if actor else []
    certificate = Certificate.objects.filter(application=application).first()
    linkage = application.linkage
    shares = []
    if linkage is not None:
        shares = list(linkage.shares.select_related("household", "collective"))
        # The reviewing officer and the operator see a household in full only if entitled to
        # it; the template's {% household %} tags read this one query's answer.
        households_in_scope(request.user, [s.household_id for s in shares])
    return render(
        request,
        "certification/admin/detail.html",
        {
            "header_title": gettext("认定申请 #%(pk)s") % {"pk": application.pk},
            "page_title": gettext("认定申请 #%(pk)s：%(title)s")
            % {"pk": application.pk, "title": application.product.title},
            "application": application,
            "evidence": list(application.evidence.all()),
            "history": list(application.history.select_related("actor")),
            "certificate": certificate,
            "shares": shares,
            "batches": product_batches(application.product_id),
            "actions": actions,
            "evidence_form": EvidenceForm() if actor == Actor.OPERATOR and application.status == Status.DRAFT else None,
            "decision_form": DecisionForm(),
        },
    )


@require_POST
def application_transition(request, pk: int, action: str):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.data.get("note", "")
    try:
        apply_transition(application.pk, action, by=request.user, note=note)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("操作已完成。"))
    return redirect("certification_admin:detail", application.pk)


@require_POST
def evidence_upload(request, pk: int):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect("certification_admin:detail", application.pk)
    try:
        add_evidence(application, form.cleaned_data["file"], form.cleaned_data["kind"], by=request.user)
    except DomainError as exc:
        messages.error(request, gettext("材料未上传：%(error)s") % {"error": exc})
    else:
        messages.success(request, gettext("材料已上传。"))
    return redirect("certification_admin:detail", application.pk)


def evidence_file(request, pk: int):
    """Evidence is private (rosters name households): served only to viewers in scope."""
    evidence = scope_queryset(Evidence.objects.all(), request.user).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return private_file_response(evidence.file, evidence.content_type)


def admin_index_url() -> str:
    return reverse("certification_admin:index")
