from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.selectors import top_level_categories
from core.models import Bureau
from producers.models import BenefitMode, Producer, Region

from .models import Evidence


class CatalogueFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("地区"), required=False)
    category = forms.ChoiceField(label=_("品类"), required=False)
    bureau = forms.ModelChoiceField(label=_("认定部门"), queryset=Bureau.objects.all(), required=False)
    issued_from = forms.DateField(label=_("发证日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    issued_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, region_choices: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", gettext("全部地区"))] + [
            (r.code, ("　" * (r.level - 1)) + r.name) for r in region_choices
        ]
        self.fields["category"].choices = [("", gettext("全部品类"))] + [
            (c.slug, c.name)
            for c in top_level_categories()  # kept in the cache: no query
        ]
        self.fields["bureau"].empty_label = gettext("全部部门")

    def clean(self):
        data = super().clean()
        start, end = data.get("issued_from"), data.get("issued_to")
        if start and end and start > end:
            raise forms.ValidationError(gettext("开始日期不能晚于结束日期。"))
        return data


class ApplicationForm(forms.Form):
    """What an operator fills in to apply for a product."""

    producer = forms.ModelChoiceField(label=_("申报主体（须有统一社会信用代码）"), queryset=Producer.objects.none())
    benefit_modes = forms.MultipleChoiceField(
        label=_("利益联结方式"), choices=BenefitMode.choices, widget=forms.CheckboxSelectMultiple
    )
    households_count = forms.IntegerField(label=_("带贫户数"), min_value=1)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = (
            Producer.objects.filter(shop=product.shop).exclude(kind=Producer.Kind.HOUSEHOLD).exclude(credit_code="")
        )
        self.fields["producer"].initial = product.producer_id


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Evidence.Kind.choices)
    file = forms.FileField(label=_("文件（JPEG/PNG/WebP 图片或 PDF）"))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("意见/原因"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
