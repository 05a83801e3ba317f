"""Wagtail's user forms with the marketplace's own user fields: 姓名 (one field, as Chinese
people write it, instead of Wagtail's First Name / Last Name), sign-in mobile, contact phone and bureau."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.account import NameEmailForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from . import parsing
from .roles import Role, role_label

EXTRA_USER_FIELDS = ("name", "mobile", "phone", "bureau")
MOBILE_TAKEN = _("该手机号已用于另一个账户。")
WESTERN_NAME_FIELDS = {"first_name", "last_name"}


class MarketplaceUserFormMixin:
    """姓名 required in one field; Wagtail's first and last name are not asked for (the
    columns stay, filled by nothing of ours). An officer without a bureau would see
    nothing (scoping has no region for them): the combination is refused instead of
    creating a useless account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["name"].label = _("姓名")
        self.fields["name"].help_text = _("按中文习惯，姓在前，如 陈静。")
        if "groups" in self.fields:  # the roles by their names on screen, not shop_operator
            self.fields["groups"].label_from_instance = lambda group: role_label(group.name)
            # A bureau's page editors' group follows the user's bureau (bureau_groups.py): not chosen here.
            self.fields["groups"].queryset = self.fields["groups"].queryset.filter(editing_bureau__isnull=True)
        # The sign-in mobile, read like registration reads it (+86, spaces, full-width digits).
        model_field = get_user_model()._meta.get_field("mobile")
        self.fields["mobile"] = parsing.MobileField(
            required=False, label=model_field.verbose_name, help_text=model_field.help_text
        )

    def clean_mobile(self) -> str:
        """One account per number, and not another account's username either (a number
        registered on the storefront is its account's username: signing in with it must
        reach one account). The field (``parsing.MobileField``) has already read it as
        registration does: 11 digits however typed, or empty."""
        number = self.cleaned_data.get("mobile") or ""
        if number:
            others = get_user_model()._default_manager.exclude(pk=self.instance.pk)
            if others.filter(Q(mobile=number) | Q(username=number)).exists():
                raise forms.ValidationError(MOBILE_TAKEN)
        return number

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups") or []
        if any(g.name == Role.BUREAU_OFFICER.value for g in groups) and not cleaned.get("bureau"):
            self.add_error("bureau", forms.ValidationError(_("商务局干部须指定所属部门。")))
        return cleaned


class MarketplaceUserCreationForm(MarketplaceUserFormMixin, UserCreationForm):
    first_name = None  # Wagtail declares these two; one 姓名 field instead
    last_name = None

    class Meta(UserCreationForm.Meta):
        fields = (set(UserCreationForm.Meta.fields) - WESTERN_NAME_FIELDS) | set(EXTRA_USER_FIELDS)


class MarketplaceUserEditForm(MarketplaceUserFormMixin, UserEditForm):
    first_name = None
    last_name = None

    class Meta(UserEditForm.Meta):
        fields = (set(UserEditForm.Meta.fields) - WESTERN_NAME_FIELDS) | set(EXTRA_USER_FIELDS)


class MarketplaceNameEmailForm(NameEmailForm):
    """Wagtail's own account page (/admin/account/, 姓名和邮箱): 姓名 in one field."""

    first_name = None
    last_name = None
    name = forms.CharField(required=True, max_length=50, label=_("姓名"), help_text=_("按中文习惯，姓在前，如 陈静。"))

    class Meta(NameEmailForm.Meta):
        fields = ["name", "email"]
