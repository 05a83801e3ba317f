"""Wagtail's user forms with the marketplace's own user fields: mobile and bureau."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from .roles import Role

EXTRA_USER_FIELDS = ("phone", "bureau")


class BureauRequiredForOfficersMixin:
    """An officer without a bureau would see nothing (scoping has no region for them):
    refuse the combination instead of creating a useless account."""

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups") or []
        if any(g.name == Role.BUREAU_OFFICER.value for g in groups) and not cleaned.get("bureau"):
            self.add_error(
                "bureau", forms.ValidationError(_("商务局干部须指定所属部门。 A bureau officer needs a bureau."))
            )
        return cleaned


class MarketplaceUserCreationForm(BureauRequiredForOfficersMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = set(UserCreationForm.Meta.fields) | set(EXTRA_USER_FIELDS)


class MarketplaceUserEditForm(BureauRequiredForOfficersMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = set(UserEditForm.Meta.fields) | set(EXTRA_USER_FIELDS)
