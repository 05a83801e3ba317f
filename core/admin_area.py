"""One pattern for the custom areas of the Wagtail admin (certification, orders, live
events, statements and payouts, reports): an area is a set of views under
``/admin/<prefix>`` in one URL namespace, and the menu items that lead to them, each
shown only to the people its rule admits (who may *use* a view is checked by the view).

Declare an area in the app's ``admin_area.py``-or-``wagtail_hooks.py``, add its URL
patterns and menu items, and call ``register()`` once from ``wagtail_hooks.py``::

    area = AdminArea("orders_admin", "orders/")
    area.add_urls([path("", views.index, name="index")])
    area.add_menu_item("订单发货", "index", icon="list-ul", order=260, shown_to=may_ship)
    area.register()

An app above may add its own views to a lower app's area (``area.add_urls``) from its
own ``wagtail_hooks.py``: Wagtail reads every app's hooks before it builds the admin's
URLs, so the area's patterns are complete by then. That is how payments puts its money
views beside the order pages without orders importing payments."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

ADMIN_MENU_HOOK = "register_admin_menu_item"


class _ShownTo(MenuItem):
    def __init__(self, *args, shown_to: Callable, **kwargs):
        super().__init__(*args, **kwargs)
        self._shown_to = shown_to

    def is_shown(self, request) -> bool:
        return bool(self._shown_to(request.user))


@dataclass
class _Entry:
    label: str
    url_name: str
    icon: str
    order: int
    shown_to: Callable
    menu_hook: str


class AdminArea:
    def __init__(self, namespace: str, prefix: str):
        self.namespace = namespace
        self.prefix = prefix
        self.urlpatterns: list = []
        self._entries: list[_Entry] = []
        self._registered = False

    def add_urls(self, patterns: list) -> None:
        self.urlpatterns.extend(patterns)

    def add_menu_item(
        self,
        label: str,
        url_name: str,
        *,
        icon: str,
        order: int,
        shown_to: Callable,
        menu_hook: str = ADMIN_MENU_HOOK,
    ) -> None:
        """A menu item leading to this area's ``url_name``, shown when ``shown_to(user)``;
        ``menu_hook`` puts it in a submenu instead of the main menu."""
        self._entries.append(_Entry(label, url_name, icon, order, shown_to, menu_hook))

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.namespace}:{name}", args=args)

    def register(self) -> None:
        """Hand the area's URLs and menu items to Wagtail (once)."""
        if self._registered:
            return
        self._registered = True
        hooks.register("register_admin_urls", self._urls)
        for entry in self._entries:
            hooks.register(entry.menu_hook, self._menu_item_factory(entry))

    def _urls(self) -> list:
        return [path(self.prefix, include((self.urlpatterns, self.namespace), namespace=self.namespace))]

    def _menu_item_factory(self, entry: _Entry) -> Callable[[], MenuItem]:
        def menu_item() -> MenuItem:
            return _ShownTo(
                entry.label, self.url(entry.url_name), icon_name=entry.icon, order=entry.order, shown_to=entry.shown_to
            )

        return menu_item
