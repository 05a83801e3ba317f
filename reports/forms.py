"""The reserved-share target form: the amount in yuan, the bureau fixed to the officer's own."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm

from core.models import Bureau
from core.money import format_fen
from core.parsing import BadInput, yuan_to_fen
from core.scoping import is_platform_admin

MAX_TARGET_FEN = 10**15


class ReservedShareTargetForm(WagtailAdminModelForm):
    target_yuan = forms.CharField(
        label=_("预留份额（元）"),
        max_length=24,
        help_text=_("如 120000.00，最多两位小数。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        bureau = self.fields.get("bureau")
        if bureau is not None and not is_platform_admin(user):
            # An officer enters targets for their own bureau only; a POSTed other id is an invalid choice.
            bureau.queryset = Bureau.objects.filter(pk=getattr(user, "bureau_id", None))
            bureau.initial = getattr(user, "bureau_id", None)
            bureau.empty_label = None
        if self.instance.target_fen is not None:
            self.initial.setdefault("target_yuan", format_fen(self.instance.target_fen).replace(",", ""))
        if self.instance.pk is None:
            self.initial.setdefault("year", timezone.localdate().year)

    def clean_tax_id(self) -> str:
        return (self.cleaned_data.get("tax_id") or "").strip().upper()

    def clean_target_yuan(self) -> str:
        text = self.cleaned_data["target_yuan"]
        try:
            fen = yuan_to_fen(text)
        except BadInput as exc:
            raise forms.ValidationError(_("请输入以元为单位的金额，最多两位小数，如 120000.00。")) from exc
        if not 0 < fen <= MAX_TARGET_FEN:
            raise forms.ValidationError(_("预留份额须大于零。"))
        self.instance.target_fen = fen  # not a model field: the model keeps fen
        return text

    def save(self, commit=True):
        if self.instance.pk is None and getattr(self.for_user, "is_authenticated", False):
            self.instance.created_by = self.for_user
        return super().save(commit=commit)
