"""Admin forms of batches. Choices are limited to the user's scope (``core.admin_policy``);
suppliers only among the beneficiaries of the linkage in force on the production day."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from core.admin_policy import ScopedModelForm
from producers.forms import scope_villages
from producers.models import Collective, Household
from producers.selectors import household_shown_to, households_in_scope

from .models import InspectionReport
from .selectors import linkage_beneficiaries, linkage_for_batch
from .services import MAX_UNIT_CODES


class BatchForm(ScopedModelForm):
    """Adding and editing a batch; the product of a recorded batch stays (its code is on labels)."""

    scoped_fields = {"product": "change", "producer": "change"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "origin" in self.fields:
            scope_villages(self.fields["origin"], self.for_user)
        if self.instance.pk and "product" in self.fields:
            self.fields["product"].disabled = True


class InspectionForm(forms.Form):
    agency = forms.CharField(label=_("检测机构"), max_length=120)
    inspected_on = forms.DateField(label=_("检测日期"), widget=AdminDateInput)
    result = forms.ChoiceField(label=_("检测结论"), choices=InspectionReport.Result.choices)
    file = forms.FileField(label=_("报告文件"), help_text=_("PDF 或图片（JPEG、PNG、WebP），按文件内容判断。"))


class BeneficiaryChoices(forms.MultipleChoiceField):
    """Any household ("h:<id>") or collective ("c:<id>"): whether it may supply the batch is
    the service's rule (``services.set_suppliers``), which says why when it refuses."""

    def valid_value(self, value) -> bool:
        return bool(re.fullmatch(r"[hc]:\d+", str(value)))


class SuppliersForm(forms.Form):
    """Which of the linkage's beneficiaries supplied the batch."""

    suppliers = BeneficiaryChoices(label=_("供货户"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, batch, user, **kwargs):
        super().__init__(*args, **kwargs)
        household_ids, collective_ids = linkage_beneficiaries(linkage_for_batch(batch.product, batch.produced_on))
        households_in_scope(user, household_ids)  # one query for every label below
        choices = [
            (f"h:{h.pk}", str(household_shown_to(user, h)))
            for h in Household.objects.filter(pk__in=household_ids).order_by("registration_number")
        ] + [(f"c:{c.pk}", c.name) for c in Collective.objects.filter(pk__in=collective_ids).order_by("name")]
        self.fields["suppliers"].choices = choices
        if not self.is_bound:
            self.initial["suppliers"] = [
                f"h:{s.household_id}" if s.household_id else f"c:{s.collective_id}" for s in batch.suppliers.all()
            ]

    def chosen(self) -> tuple[list[int], list[int]]:
        values = self.cleaned_data["suppliers"]
        return (
            [int(v[2:]) for v in values if v.startswith("h:")],
            [int(v[2:]) for v in values if v.startswith("c:")],
        )


class UnitCodesForm(forms.Form):
    count = forms.IntegerField(label=_("生成数量"), min_value=1, max_value=MAX_UNIT_CODES, initial=100)
