"""Admin for shops, products and categories. Rows are scoped by
``core.admin_policy`` (one policy per model, registered first)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.permissions import register_permission_policy

from core.admin_policy import (
    PLATFORM_MENU_HOOK,
    SHOP_ADMIN_MENU_HOOK,
    ScopedModelViewSet,
    ScopedPermissionPolicy,
)

from .choosers import category_chooser_viewset, product_chooser_viewset, shop_chooser_viewset
from .forms import ProductForm, ShopForm
from .models import Category, Product, ProductImage, Shop

# Policies first: Wagtail refuses a policy once a view has fallen back to the default.
for _model in (Product, ProductImage, Shop, Category):
    register_permission_policy(_model, ScopedPermissionPolicy(_model))


class ProductViewSet(ScopedModelViewSet):
    model = Product
    icon = "pick"
    menu_label = pgettext_lazy("plural", "产品")
    menu_hook = SHOP_ADMIN_MENU_HOOK
    menu_order = 100
    list_display = [
        "title",
        "shop",
        "category",
        Column("price_yuan", label=_("价格（元）"), sort_key="price_fen"),
        "stock",
        BooleanColumn("is_listed", label=_("上架")),
    ]
    list_filter = ["shop", "category", "is_listed"]
    list_select_related = ("shop", "category")
    search_fields = ["title"]
    search_backend_name = None
    inspect_view_fields = [
        "title",
        "shop",
        "producer",
        "category",
        "summary",
        "description",
        "unit",
        "price_yuan",
        "stock",
        "origin_region",
        "is_listed",
        "created_at",
    ]
    inspect_field_labels = {"price_yuan": _("价格（元）")}
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("shop"), FieldPanel("producer"), FieldPanel("category"), FieldPanel("origin_region")],
                heading=_("归属"),
            ),
            FieldPanel("title"),
            FieldPanel("summary"),
            FieldPanel("description"),
            FieldPanel("unit"),
            FieldPanel("price_yuan"),
            FieldPanel("stock"),
            FieldPanel("is_listed"),
            InlinePanel("images", label=_("产品图片"), panels=[FieldPanel("image"), FieldPanel("caption")]),
        ],
        base_form_class=ProductForm,
    )


class ShopViewSet(ScopedModelViewSet):
    model = Shop
    icon = "home"
    menu_label = pgettext_lazy("plural", "网店")
    menu_hook = SHOP_ADMIN_MENU_HOOK
    menu_order = 200
    list_display = [
        "name",
        "region",
        "contact_phone",
        BooleanColumn("is_active", label=_("营业中")),
    ]
    list_filter = ["is_active"]
    list_select_related = ("region",)
    search_fields = ["name"]
    search_backend_name = None
    inspect_view_fields = [
        "name",
        "slug",
        "region",
        "description",
        "contact_phone",
        "operators",
        "is_active",
        "payee_name",
        "payee_bank",
        "payee_account",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("slug"),
            FieldPanel("region"),
            FieldPanel("description"),
            FieldPanel("contact_phone"),
            FieldPanel("operators"),
            FieldPanel("is_active"),
            MultiFieldPanel(
                [FieldPanel("payee_name"), FieldPanel("payee_bank"), FieldPanel("payee_account")],
                heading=_("转账收款账户"),
                help_text=_("只含本店商品的订单，买家按此账户转账；留空则用平台的收款账户。"),
            ),
        ],
        base_form_class=ShopForm,
    )


class CategoryViewSet(ScopedModelViewSet):
    model = Category
    icon = "folder-open-1"
    menu_label = pgettext_lazy("plural", "品类")
    menu_hook = PLATFORM_MENU_HOOK
    menu_order = 300
    list_display = ["name", "name_en", "parent", "sort_order"]
    list_select_related = ("parent",)
    ordering = ["sort_order", "pk"]
    inspect_view_fields = ["name", "name_en", "slug", "parent", "sort_order"]
    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("sort_order"),
    ]


@hooks.register("register_admin_viewset")
def register_catalog_viewsets():
    return [
        ProductViewSet("products", url_prefix="catalog/products"),
        ShopViewSet("shops", url_prefix="catalog/shops"),
        CategoryViewSet("categories", url_prefix="catalog/categories"),
        product_chooser_viewset,
        shop_chooser_viewset,
        category_chooser_viewset,
    ]
