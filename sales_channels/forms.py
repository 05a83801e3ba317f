"""The pairing form's region chooser: province → city → county selects over the buyers'
address regions (``orders.AddressRegion``, all of China), the same selects and the same
``orders/regions.js`` as the buyers' address forms, instead of one select of ~3,000
counties. A pairing's side may be a whole province or city, so the lower selects may stay
empty: the deepest level chosen is the region.

The selects post codes; the server resolves them and refuses a city outside the chosen
province or a county outside the chosen city with its reason (a hand-made POST, or a page
whose script did not run). The choices are made on the server from the current (or
submitted) codes, so a form shown again keeps what was chosen; ``regions.js`` refills the
lower selects from ``/checkout/regions/`` as the person picks, from static files only."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from orders.models import AddressRegion
from orders.selectors import address_region_children

from .models import OfflinePoint, Pairing

LEVELS = ("province", "city", "county")
Level = AddressRegion.Level


def region_codes(region: AddressRegion | None) -> dict[str, str]:
    """The selects' codes for ``region`` (a province, city or county)."""
    codes = dict.fromkeys(LEVELS, "")
    chain = []
    while region is not None:
        chain.append(region)
        region = region.parent
    for level, r in zip(LEVELS, reversed(chain), strict=False):
        codes[level] = r.code
    return codes


class RegionChooserWidget(forms.Widget):
    """Three selects named ``<name>_province``, ``<name>_city``, ``<name>_county``."""

    template_name = "sales_channels/widgets/region_chooser.html"
    use_fieldset = True

    class Media:
        js = ["orders/regions.js"]
        css = {"all": ["sales_channels/region-chooser.css"]}

    def value_from_datadict(self, data, files, name):
        codes = {level: (data.get(f"{name}_{level}") or "").strip() for level in LEVELS}
        if any(f"{name}_{level}" in data for level in LEVELS):
            return codes
        return data.get(name)  # a region's id, posted without the selects

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{level}" in data for level in LEVELS)

    def id_for_label(self, id_):
        return f"{id_}_province" if id_ else id_

    def _codes(self, value) -> dict[str, str]:
        if isinstance(value, dict):
            return {level: str(value.get(level) or "") for level in LEVELS}
        if isinstance(value, AddressRegion):
            return region_codes(value)
        if value in (None, ""):
            return dict.fromkeys(LEVELS, "")
        if not str(value).isdigit():
            return dict.fromkeys(LEVELS, "")
        return region_codes(AddressRegion.objects.filter(pk=value).select_related("parent__parent").first())

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        codes = self._codes(value)
        base_id = (attrs or {}).get("id") or f"id_{name}"
        choices = {
            "province": address_region_children(None),
            "city": address_region_children(codes["province"]) if codes["province"] else [],
            "county": address_region_children(codes["city"]) if codes["city"] else [],
        }
        empty = {"province": _("请选择"), "city": _("（整个省）"), "county": _("（整个市）")}
        labels = {"province": _("省"), "city": _("市"), "county": _("县/区")}
        context["selects"] = [
            {
                "level": level,
                "name": f"{name}_{level}",
                "id": f"{base_id}_{level}",
                "label": labels[level],
                "empty": empty[level],
                "value": codes[level],
                "choices": choices[level],
            }
            for level in LEVELS
        ]
        context["children_url"] = reverse("orders:region_children")
        return context


class RegionChooserField(forms.ModelChoiceField):
    """An ``AddressRegion`` chosen by its province, city and county codes (the deepest
    chosen level), or by its id."""

    widget = RegionChooserWidget
    default_error_messages = {
        "no_province": _("请先选择省份。"),
        "no_city": _("请先选择城市，再选择县/区。"),
        "bad_province": _("没有这个省份。"),
        "bad_city": _("所选城市不属于所选省份。"),
        "bad_county": _("所选县/区不属于所选城市。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", AddressRegion.objects.select_related("parent__parent"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if not isinstance(value, dict):
            return super().to_python(value)
        province, city, county = (value.get(level, "") for level in LEVELS)
        if not (province or city or county):
            return None
        if not province:
            raise ValidationError(self.error_messages["no_province"], code="no_province")
        if county and not city:
            raise ValidationError(self.error_messages["no_city"], code="no_city")
        regions = self.queryset
        if county:
            found = regions.filter(
                level=Level.COUNTY, code=county, parent__code=city, parent__parent__code=province
            ).first()
            error = "bad_county"
        elif city:
            found = regions.filter(level=Level.CITY, code=city, parent__code=province).first()
            error = "bad_city"
        else:
            found = regions.filter(level=Level.PROVINCE, code=province).first()
            error = "bad_province"
        if found is None:
            raise ValidationError(self.error_messages[error], code=error)
        return found


class PairingForm(WagtailAdminModelForm):
    helping_region = RegionChooserField(
        label=Pairing._meta.get_field("helping_region").verbose_name,
        help_text=Pairing._meta.get_field("helping_region").help_text,
        required=False,
    )
    helped_region = RegionChooserField(label=Pairing._meta.get_field("helped_region").verbose_name)

    class Meta:
        model = Pairing
        fields = [
            "kind",
            "name",
            "helping_region",
            "helping_organisation",
            "helped_region",
            "valid_from",
            "valid_to",
            "note",
        ]


class OfflinePointForm(WagtailAdminModelForm):
    """A point stands in one county (its sales count as that county's buyer's)."""

    region = RegionChooserField(label=OfflinePoint._meta.get_field("region").verbose_name)

    class Meta:
        model = OfflinePoint
        fields = ["code", "name", "kind", "region", "address", "contact_name", "contact_mobile", "is_active"]

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region is not None and region.level != Level.COUNTY:
            raise ValidationError(_("请选择到县/区：网点的销售按所在县/区计入结对帮扶。"), code="not_county")
        return region
