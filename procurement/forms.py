from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import parsing
from core.money import format_fen
from core.parsing import MobileField, PercentField, YuanField
from core.validators import validate_account_number, validate_credit_code
from orders.forms import RegionSelectsMixin, region_fields, region_initial

from .models import ROLE_FIELDS, Kind, RoleName

ROLE_CHOICES = [(role.value, role.label) for role in RoleName]


class OrganisationForm(RegionSelectsMixin, forms.Form):
    """Registering an organisation (every field) or editing it (kind and credit code stay)."""

    region_error = _("请选择所选城市下的县/区。")

    kind = forms.ChoiceField(label=_("单位类型"), choices=Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("单位名称"), max_length=120)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    province, city, county = region_fields().values()
    invoice_title = forms.CharField(
        label=_("发票抬头"), max_length=120, required=False, help_text=_("不填即用单位名称。")
    )
    invoice_address = forms.CharField(label=_("注册地址"), max_length=200, required=False)
    invoice_phone = forms.CharField(label=_("注册电话"), max_length=20, required=False)
    invoice_bank = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    invoice_account = forms.CharField(
        label=_("银行账号"), max_length=40, required=False, validators=[validate_account_number]
    )
    approval_threshold = YuanField(
        label=_("审批额度（元）"),
        required=False,
        min_fen=0,
        help_text=_("订单金额超过此额度须经审批人审批后才保留库存、可以付款；不填则无须审批。"),
    )

    def __init__(self, *args, editing=None, **kwargs):
        if editing is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": editing.kind,
                    "name": editing.name,
                    "credit_code": editing.credit_code,
                    **region_initial(editing.region),
                    "invoice_title": editing.invoice_title,
                    "invoice_address": editing.invoice_address,
                    "invoice_phone": editing.invoice_phone,
                    "invoice_bank": editing.invoice_bank,
                    "invoice_account": editing.invoice_account,
                    "approval_threshold": (
                        format_fen(editing.approval_threshold_fen).replace(",", "")
                        if editing.approval_threshold_fen is not None
                        else ""
                    ),
                },
            )
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            del self.fields["kind"], self.fields["credit_code"]
        self.setup_regions()

    def clean_credit_code(self) -> str:
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        validate_credit_code(code)
        return code

    def clean(self):
        data = super().clean()
        self.clean_region(data)
        return data


class InviteForm(forms.Form):
    mobile = MobileField(label=_("手机号"))
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, initial=[RoleName.PURCHASER]
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )

    @staticmethod
    def initial_for(member) -> dict:
        return {"roles": [role for role, field in ROLE_FIELDS.items() if getattr(member, field)]}


class QuotaForm(forms.Form):
    SHARE, AMOUNT = "share", "amount"

    planned_food = YuanField(label=_("年度食堂食材采购计划（元）"), min_fen=1)
    mode = forms.ChoiceField(
        label=_("预留方式"),
        choices=[(SHARE, _("按比例")), (AMOUNT, _("按金额"))],
        widget=forms.RadioSelect,
        initial=SHARE,
    )
    share = PercentField(label=_("预留比例（%）"), required=False)
    amount = YuanField(label=_("预留金额（元）"), required=False, min_fen=1)

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.SHARE and data.get("share") is None and "share" not in self.errors:
            self.add_error("share", ValidationError(_("请填写预留比例。")))
        if data.get("mode") == self.AMOUNT and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", ValidationError(_("请填写预留金额。")))
        return data


def year_choices() -> list[tuple[int, int]]:
    this = timezone.localdate().year
    return [(y, y) for y in range(this + 1, this - 4, -1)]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=300, widget=forms.TextInput)


def year_asked(request) -> int:
    """The year of ``?year=`` (this year, Asia/Shanghai, without it); a bad one is a 400."""
    raw = request.GET.get("year")
    if not raw:
        return timezone.localdate().year
    return parsing.natural(raw, label=_("年度"), minimum=2000, maximum=2100)
