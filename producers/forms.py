"""Admin forms of producers' data. Choices are limited to the user's scope; a benefit
linkage is never edited in place: the form collects a new version for
``services.revise_benefit_linkage``."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from core.admin_policy import ScopedModelForm
from core.errors import DomainError
from core.scoping import VIEW, scope_queryset

from .masking import show_household
from .models import BenefitLinkage, BenefitMode, Collective, Household, Region
from .services import FULL_SHARE_BP, ShareSpec, validate_shares


def household_label(household: Household) -> str:
    # The choices are the user's row scope, which is what entitles them to see a household
    # in full (selectors.entitled_households_q): no need to ask again for each one.
    return str(show_household(household, entitled=True))


def scope_villages(field, user) -> None:
    field.queryset = scope_queryset(Region.objects.filter(level=Region.Level.VILLAGE), user, VIEW)


class ProducerForm(ScopedModelForm):
    scoped_fields = {"shop": "change", "region": "view"}


class HouseholdForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "village" in self.fields:
            scope_villages(self.fields["village"], self.for_user)


class CollectiveForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "village" in self.fields:
            scope_villages(self.fields["village"], self.for_user)


class BenefitShareForm(forms.Form):
    """One beneficiary row: a household or a collective, a share, a mode."""

    household = forms.ModelChoiceField(queryset=Household.objects.none(), required=False, label=_("帮扶户"))
    collective = forms.ModelChoiceField(queryset=Collective.objects.none(), required=False, label=_("村集体"))
    share_bp = forms.IntegerField(
        label=_("份额（基点）"),
        min_value=1,
        max_value=FULL_SHARE_BP,
        required=False,
        help_text=_("1 基点 = 0.01%，10000 = 100%"),
    )
    mode = forms.ChoiceField(label=_("联结方式"), choices=BenefitMode.choices, initial=BenefitMode.GUARANTEED_PURCHASE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        households = self.fields["household"]
        households.queryset = scope_queryset(Household.objects.select_related("village"), user, VIEW)
        households.label_from_instance = household_label
        self.fields["collective"].queryset = scope_queryset(Collective.objects.all(), user, VIEW)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        household, collective = cleaned.get("household"), cleaned.get("collective")
        if (household is None) == (collective is None):
            raise forms.ValidationError(_("每行须且只能选择一个帮扶户或村集体。"))
        if cleaned.get("share_bp") is None:
            self.add_error("share_bp", _("请填写份额。"))
        return cleaned

    def spec(self) -> ShareSpec:
        data = self.cleaned_data
        return ShareSpec(
            share_bp=data["share_bp"], mode=data["mode"], household=data["household"], collective=data["collective"]
        )


BenefitShareFormSet = forms.formset_factory(BenefitShareForm, extra=3, can_delete=True, max_num=200)


class BenefitLinkageForm(ScopedModelForm):
    """A new version of a product's linkage. Bound to the version in force when revising
    it; the product is then fixed and the shares start from that version's."""

    scoped_fields = {"product": "change"}

    class Meta:
        model = BenefitLinkage
        fields = ["product", "note"]

    valid_from = forms.DateTimeField(
        label=_("生效时间"),
        required=False,
        widget=AdminDateTimeInput,
        help_text=_("留空则立即生效。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.revising = self.instance.pk is not None
        initial_shares = []
        if self.revising:
            self.fields.pop("product", None)
            self.initial["note"] = ""
            initial_shares = [
                {
                    "household": share.household_id,
                    "collective": share.collective_id,
                    "share_bp": share.share_bp,
                    "mode": share.mode,
                }
                for share in self.instance.shares.order_by("pk")
            ]
        self.shares = BenefitShareFormSet(
            self.data if self.is_bound else None,
            prefix="shares",
            initial=initial_shares,
            form_kwargs={"user": self.for_user},
        )

    @property
    def product(self):
        return self.instance.product if self.revising else self.cleaned_data.get("product")

    def clean(self):
        cleaned = super().clean()
        if not self.shares.is_valid():
            raise forms.ValidationError(_("请修正下方受益份额中的错误。"))
        try:
            validate_shares(self.share_specs())
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return cleaned

    def share_specs(self) -> list[ShareSpec]:
        # Unchanged blank rows clean to {}; rows ticked for deletion are dropped.
        return [form.spec() for form in self.shares.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]

    @property
    def entered_bp(self) -> int | None:
        """The total of the shares as entered, when they parse (for the remainder shown)."""
        if not self.is_bound or not self.shares.is_valid():
            return None
        return sum(spec.share_bp for spec in self.share_specs())

    # Version numbers and the single open version are the service's to keep (under a
    # row lock); validating them here against the unsaved form instance would be wrong.
    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass
