"""Admin forms of live events. They parse and offer only what the user may pick; the rules
(whose shops, which region, times in order, prices) are the services' (``services.py``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.images.widgets import AdminImageChooser
from wagtail.permissions import policy_registry

from catalog.models import Product, Shop
from core.models import Bureau
from core.money import format_fen
from core.parsing import YuanField
from core.roles import Role, roles_of
from core.scoping import is_platform_admin, operated_shop_ids
from producers.models import Region

from .models import LiveEvent, Platform
from .services import EventDetails

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _datetime_field(label: str, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("北京时间") if required else _("北京时间；未开播/未下播留空"),
    )


class EventForm(forms.Form):
    """An event's details. Who runs it is fixed by who creates it: an operator's shops, an
    officer's bureau (for a region in its jurisdiction), or, for platform administrators,
    shops or a bureau of their choice."""

    title = forms.CharField(label=_("标题"), max_length=120)
    host = forms.CharField(label=_("主播"), max_length=80, required=False)
    platform = forms.ChoiceField(label=_("平台"), choices=Platform.choices)
    external_url = forms.URLField(
        assume_scheme="https",
        label=_("外部直播间链接"),
        required=False,
        help_text=_("抖音、快手、视频号、淘宝直播必填"),
    )
    embed_url = forms.URLField(
        assume_scheme="https",
        label=_("播放器嵌入地址"),
        required=False,
        help_text=_("本站直播间：直播服务商提供的可嵌入播放页地址"),
    )
    description = forms.CharField(label=_("简介"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    scheduled_start = _datetime_field(_("计划开始"))
    scheduled_end = _datetime_field(_("计划结束"))
    actual_start = _datetime_field(_("实际开始"), required=False)
    actual_end = _datetime_field(_("实际结束"), required=False)
    replay_url = forms.URLField(assume_scheme="https", label=_("回放链接"), required=False)
    is_published = forms.BooleanField(label=_("公开（出现在直播页和首页，链接生效）"), required=False)

    def __init__(self, *args, user, event: LiveEvent | None = None, **kwargs):
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(event, name) for name in self.base_fields if hasattr(event, name)},
                "shops": list(event.shops.values_list("pk", flat=True)),
                "region": event.region_id,
                "cover": event.cover_id,
            }
        super().__init__(*args, **kwargs)
        self.user, self.event = user, event
        admin = is_platform_admin(user)
        roles = roles_of(user)
        if event is not None:
            self.mode = "bureau" if event.organiser_bureau_id else "shops"
        elif admin:
            self.mode = "either"
        elif Role.SHOP_OPERATOR in roles and operated_shop_ids(user):
            self.mode = "shops"
        else:
            self.mode = "bureau"
        if self.mode in ("shops", "either"):
            shops = Shop.objects.all() if admin else Shop.objects.filter(pk__in=operated_shop_ids(user))
            self.fields["shops"] = forms.ModelMultipleChoiceField(
                label=_("参与网店"),
                queryset=shops.select_related("region").order_by("name"),
                required=self.mode == "shops",
                widget=forms.CheckboxSelectMultiple,
            )
        if self.mode == "either":
            self.fields["organiser_bureau"] = forms.ModelChoiceField(
                label=_("主办部门（商务局主办时选择，此时不选参与网店）"),
                queryset=Bureau.objects.select_related("region"),
                required=False,
            )
        if self.mode == "bureau":
            bureau = event.organiser_bureau if event is not None else user.bureau
            self.fields["region"] = forms.ModelChoiceField(
                label=_("主办地区"),
                queryset=bureau_regions(bureau) if bureau else Region.objects.none(),
                initial=event.region_id if event is not None else getattr(bureau, "region_id", None),
            )
        if policy_registry.get_by_type(get_image_model()).user_has_any_permission(user, ["choose", "add"]):
            self.fields["cover"] = forms.ModelChoiceField(
                label=_("封面"), queryset=get_image_model().objects.all(), required=False, widget=AdminImageChooser
            )

    def details(self) -> EventDetails:
        data = self.cleaned_data
        if self.mode == "bureau":
            bureau = self.event.organiser_bureau if self.event is not None else self.user.bureau
        else:
            bureau = data.get("organiser_bureau")
        if "cover" in self.fields:
            cover = data.get("cover")
        else:
            cover = self.event.cover if self.event is not None else None
        return EventDetails(
            title=data["title"].strip(),
            host=data["host"].strip(),
            platform=data["platform"],
            external_url=data["external_url"],
            embed_url=data["embed_url"],
            description=data["description"],
            scheduled_start=data["scheduled_start"],
            scheduled_end=data["scheduled_end"],
            actual_start=data.get("actual_start"),
            actual_end=data.get("actual_end"),
            cover=cover,
            replay_url=data["replay_url"],
            is_published=data["is_published"],
            shops=list(data["shops"]) if data.get("shops") else None,
            organiser_bureau=bureau,
            region=data.get("region") or (bureau.region if bureau else None),
        )


def bureau_regions(bureau: Bureau):
    """Where a bureau may run an event: its region and the cities and counties under it."""
    return Region.objects.filter(code__startswith=bureau.region.code, level__lte=Region.Level.COUNTY).order_by("code")


class FeaturedForm(forms.Form):
    product = forms.ModelChoiceField(label=_("商品"), queryset=Product.objects.none())
    event_price = YuanField(label=_("直播价（元，可不填）"), required=False, max_length=20)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products.select_related("shop").order_by("shop__name", "title")
            self.fields["product"].label_from_instance = lambda p: (
                f"{p.shop.name} · {p.title}（¥{format_fen(p.price_fen)}）"
            )


class FeaturedUpdateForm(forms.Form):
    event_price = YuanField(label=_("直播价（元）"), required=False, max_length=20)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999)


class TokenForm(forms.Form):
    label = forms.CharField(label=_("用途（如：抖音直播助手）"), max_length=60, required=False)


class TotalsForm(forms.Form):
    peak_viewers = forms.IntegerField(label=_("最高同时在线人数"), min_value=0, max_value=2_147_483_647, required=False)
    total_views = forms.IntegerField(label=_("累计观看人次"), min_value=0, max_value=10**12, required=False)
    likes = forms.IntegerField(label=_("点赞数"), min_value=0, max_value=10**12, required=False)
