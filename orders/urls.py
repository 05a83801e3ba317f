from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("cart/", views.cart_view, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("cart/remove/", views.cart_remove, name="cart_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/regions/", views.region_children, name="region_children"),
    path("orders/", views.order_list, name="list"),
    path("orders/login/", views.BuyerLoginView.as_view(), name="login"),
    path("orders/addresses/", views.address_list, name="addresses"),
    path("orders/addresses/add/", views.address_add, name="address_add"),
    path("orders/addresses/<str:pk>/edit/", views.address_edit, name="address_edit"),
    path("orders/addresses/<str:pk>/delete/", views.address_delete, name="address_delete"),
    path("orders/addresses/<str:pk>/default/", views.address_set_default, name="address_default"),
    path("orders/reviews/photo/<str:pk>/", views.review_photo, name="review_photo"),
    path("orders/o/<str:token>/", views.order_by_token, name="by_token"),
    path("orders/o/<str:token>/review/<str:line>/", views.review_by_token, name="review_by_token"),
    path("orders/o/<str:token>/photo/<str:pk>/", views.review_photo_by_token, name="review_photo_by_token"),
    path("orders/o/<str:token>/<str:action>/", views.order_action, name="action"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/complete/", views.order_complete, name="complete"),
    path("orders/<str:number>/review/<str:line>/", views.review_signed_in, name="review"),
]
