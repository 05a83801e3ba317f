"""Admin forms of the catalogue: prices entered in yuan, choices limited to the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_policy import ScopedModelForm
from core.money import format_fen
from core.parsing import BadInput, yuan_to_fen
from core.roles import Role
from core.scoping import is_platform_admin

# PositiveIntegerField's upper bound on every database we run on.
MAX_PRICE_FEN = 2_147_483_647


class ProductForm(ScopedModelForm):
    """Operators type prices in yuan ("59.90"); the product keeps integer fen (5990)."""

    scoped_fields = {"shop": "change", "producer": "change", "category": "view", "origin_region": "view"}

    price_yuan = forms.CharField(
        label=_("价格（元）"),
        max_length=20,
        help_text=_("如 59.90，最多两位小数。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "price_yuan" in self.fields and self.instance.price_fen is not None:
            self.initial.setdefault("price_yuan", format_fen(self.instance.price_fen))

    def clean_price_yuan(self) -> str:
        text = self.cleaned_data["price_yuan"]
        try:
            fen = yuan_to_fen(text)
        except BadInput as exc:
            raise forms.ValidationError(_("请输入以元为单位的金额，最多两位小数，如 59.90。")) from exc
        if fen <= 0:
            raise forms.ValidationError(_("价格须大于零。"))
        if fen > MAX_PRICE_FEN:
            raise forms.ValidationError(_("价格过大。"))
        # Not a model field: the model keeps fen, set here so model validation sees it.
        self.instance.price_fen = fen
        return text

    def clean(self):
        cleaned = super().clean()
        shop, producer = cleaned.get("shop"), cleaned.get("producer")
        if shop is not None and producer is not None and producer.shop_id != shop.pk:
            self.add_error("producer", _("该生产主体不是所选网店登记的。"))
        return cleaned


class ShopForm(ScopedModelForm):
    """Operators edit their shop's description, phone and payee account (where buyers of a
    single-shop order transfer the money); what the shop *is* (name, address in URLs,
    region, who runs it, whether it trades) is the platform's call."""

    ADMIN_ONLY_FIELDS = ("name", "slug", "region", "operators", "is_active")
    scoped_fields = {"region": "view"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_platform_admin(self.for_user):
            # A field missing from the form is neither shown nor read from the POST.
            for name in self.ADMIN_ONLY_FIELDS:
                self.fields.pop(name, None)
        elif "operators" in self.fields:
            self.fields["operators"].queryset = (
                self.fields["operators"]
                .queryset.filter(groups__name=Role.SHOP_OPERATOR.value, is_active=True)
                .distinct()
                .order_by("username")
            )
            self.fields["operators"].help_text = _("只列出“网店运营”角色的用户。")
