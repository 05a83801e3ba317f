"""The orders admin area: "订单发货" (operators' sub-orders, to ship), "全部订单"
(every order, for platform administrators) and "商品评价" (reviews: operators reply,
platform administrators hide); a batch's recall under ``/admin/traceability/recall/``
(``recall_views``). Payments adds its money views to this area and its money
panel to the order pages (``payments/wagtail_hooks.py``)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.admin_area import AdminArea
from core.roles import Role, roles_of
from core.scoping import is_platform_admin

from . import admin_views, recall_views

area = AdminArea("orders_admin", "orders/")
area.add_urls(
    [
        path("", admin_views.suborder_index, name="suborders"),
        path("sub/<int:pk>/", admin_views.suborder_detail, name="suborder"),
        path("sub/<int:pk>/<str:action>/", admin_views.suborder_transition, name="suborder_transition"),
        path("all/", admin_views.order_index, name="orders"),
        path("order/<int:pk>/", admin_views.order_detail, name="order"),
        path("reviews/", admin_views.review_index, name="reviews"),
        path("reviews/<str:pk>/", admin_views.review_detail, name="review"),
        path("reviews/<str:pk>/reply/", admin_views.review_reply, name="review_reply"),
        path("reviews/<str:pk>/hide/", admin_views.review_hide, name="review_hide"),
        path("reviews/<str:pk>/show/", admin_views.review_show, name="review_show"),
    ]
)
area.add_menu_item(
    _("订单发货"),
    "suborders",
    icon="list-ul",
    order=260,
    shown_to=lambda user: Role.SHOP_OPERATOR in roles_of(user) or is_platform_admin(user),
)
area.add_menu_item(_("全部订单"), "orders", icon="list-ol", order=261, shown_to=is_platform_admin)
area.add_menu_item(
    pgettext_lazy("plural", "商品评价"),
    "reviews",
    icon="comment",
    order=262,
    shown_to=lambda user: Role.SHOP_OPERATOR in roles_of(user) or is_platform_admin(user),
)
area.register()

# A batch's recall (traceability): its shipped orders, and writing to their buyers.
recall_area = AdminArea("recall_admin", "traceability/recall/")
recall_area.add_urls(
    [
        path("<int:batch_id>/", recall_views.recall_detail, name="batch"),
        path("<int:batch_id>/send/", recall_views.recall_send, name="send"),
    ]
)
recall_area.register()
