from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import parsing
from orders.forms import PhotosField, line_quantities

from .models import DESCRIPTION_MAX, MAX_PHOTOS, NOTE_MAX
from .states import Kind, Reason


class RequestForm(forms.Form):
    """The buyer's request. The units of each line come as ``qty_<line id>`` beside it
    (``lines`` after cleaning); the service checks them against what is left."""

    kind = forms.ChoiceField(
        label=_("售后类型"),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择售后类型。"), "invalid_choice": _("请选择售后类型。")},
    )
    reason = forms.ChoiceField(
        label=_("原因"),
        choices=[("", _("请选择"))] + list(Reason.choices),
        error_messages={"required": _("请选择售后原因。"), "invalid_choice": _("请选择售后原因。")},
    )
    description = forms.CharField(
        label=_("问题描述"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "maxlength": DESCRIPTION_MAX, "placeholder": _("说说遇到的问题，便于商家尽快处理")}
        ),
        help_text=parsing.lazy_format(_("最多 %(max)s 字。"), max=DESCRIPTION_MAX),
    )
    photos = PhotosField(
        label=_("照片"),
        help_text=parsing.lazy_format(
            _("最多 %(max)s 张，JPEG、PNG 或 WebP 图片；破损、质量问题或与描述不符须至少 1 张。"), max=MAX_PHOTOS
        ),
    )

    def __init__(self, *args, kinds: list[str], line_ids: list[int], left: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Kind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.line_ids, self.left = line_ids, left

    def clean_description(self) -> str:
        try:
            return parsing.text(self.cleaned_data.get("description"), max_length=DESCRIPTION_MAX, label=_("问题描述"))
        except parsing.BadInput as exc:
            raise ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        lines = line_quantities(self.data, self.line_ids)
        if not lines:
            raise ValidationError(_("请至少选择一件商品，填写要售后的数量。"))
        data["lines"] = lines
        return data


class NoteForm(forms.Form):
    """A refusal's reason, a platform decision, or the buyer's words when disputing."""

    note = forms.CharField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        help_text=parsing.lazy_format(_("最多 %(max)s 字。"), max=NOTE_MAX),
    )

    def clean_note(self) -> str:
        try:
            return parsing.text(self.cleaned_data.get("note"), max_length=NOTE_MAX, label=_("理由"))
        except parsing.BadInput as exc:
            raise ValidationError(str(exc)) from exc


class ReturnForm(forms.Form):
    carrier = forms.CharField(label=_("快递公司"), max_length=40, error_messages={"required": _("请填写快递公司。")})
    tracking_number = forms.CharField(
        label=_("运单号"), max_length=40, error_messages={"required": _("请填写运单号。")}
    )


class HandRefundForm(forms.Form):
    reference = forms.CharField(
        label=_("退款流水号"), max_length=100, error_messages={"required": _("请填写退款流水号。")}
    )
