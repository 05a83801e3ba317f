"""Wagtail's users app with the marketplace's user admin (mobile and bureau fields).

Wagtail 8 customises its user admin through the users app config's ``user_viewset``;
settings install this config in place of ``"wagtail.users"``. Kept apart from
``apps.py`` so that module keeps exactly one app config."""

from wagtail.users.apps import WagtailUsersAppConfig


class MarketplaceUsersConfig(WagtailUsersAppConfig):
    user_viewset = "core.wagtail_hooks.MarketplaceUserViewSet"
