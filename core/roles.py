"""The roles of the marketplace, as Django groups with their model permissions.

A role says *what kind of thing* a user may do; ``scoping.py`` says *to which rows*.
"""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    BUYER = "buyer"
    SHOP_OPERATOR = "shop_operator"
    BUREAU_OFFICER = "bureau_officer"
    PLATFORM_ADMIN = "platform_admin"


ROLE_LABELS = {
    Role.BUYER: _("买家"),
    Role.SHOP_OPERATOR: _("网店运营"),
    Role.BUREAU_OFFICER: _("商务局干部"),
    Role.PLATFORM_ADMIN: _("平台管理员"),
}


def role_label(name: str) -> str:
    """What a role (a group's name, e.g. ``shop_operator``) is called on screen, in the
    active language; a group that is no role keeps its own name."""
    try:
        return str(ROLE_LABELS[Role(name)])
    except ValueError:
        return name


# Model permissions of each role ("app_label.codename"). Row-level limits come on top.
_SHOP_CONTENT = [
    f"{app}.{verb}_{model}"
    for app, model in [
        ("catalog", "product"),
        ("catalog", "productimage"),
        ("producers", "producer"),
        ("producers", "household"),
        ("producers", "collective"),
        ("producers", "benefitlinkage"),
    ]
    for verb in ("add", "change", "view", "delete")
]
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.BUYER: [],
    Role.SHOP_OPERATOR: _SHOP_CONTENT
    + [
        "catalog.view_shop",
        "catalog.change_shop",
        "catalog.view_category",
        "producers.view_region",
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
    ],
    Role.BUREAU_OFFICER: [
        "catalog.view_product",
        "catalog.view_shop",
        "catalog.view_category",
        "producers.view_producer",
        "producers.view_household",
        "producers.view_collective",
        "producers.view_benefitlinkage",
        "producers.view_region",
        # The pairings of their side (sales_channels.selectors.visibility_q).
        "sales_channels.view_pairing",
        # The campaigns run under those pairings (sales_channels.selectors.campaign_visibility_q).
        "sales_channels.view_campaign",
        "wagtailadmin.access_admin",
        # Banner pictures for their pavilion's page (the page itself: their bureau's group, bureau_groups.py).
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
    ],
    Role.PLATFORM_ADMIN: ["*"],  # every permission; row scoping does not limit them either
}

# Live-stream sales: operators run their shops' events, officers their own bureau's; which
# rows each may see and change is decided by live.access.
_LIVE_EVENTS = [
    f"live.{verb}_{model}"
    for model, verbs in [
        ("liveevent", ("add", "change", "view")),
        ("featuredproduct", ("add", "change", "delete", "view")),
        ("viewertoken", ("add", "change", "view")),
        ("viewersample", ("view",)),
    ]
    for verb in verbs
]
ROLE_PERMISSIONS[Role.SHOP_OPERATOR] += _LIVE_EVENTS
ROLE_PERMISSIONS[Role.BUREAU_OFFICER] += _LIVE_EVENTS

# Production batches (traceability): operators record their shops' batches (their inspection
# reports, suppliers and codes are changed through the batch); officers read their region's.
ROLE_PERMISSIONS[Role.SHOP_OPERATOR] += [f"traceability.{verb}_batch" for verb in ("add", "change", "view")]
ROLE_PERMISSIONS[Role.BUREAU_OFFICER] += ["traceability.view_batch"]

# Wagtail's images and documents take permissions per collection (GroupCollectionPermission),
# not from group.permissions: these are granted on the root collection, i.e. everywhere.
_MEDIA_ALL = [
    f"{app}.{verb}_{model}"
    for app, model in [("wagtailimages", "image"), ("wagtaildocs", "document")]
    for verb in ("add", "change", "delete", "choose")
]
# Officers put a banner on their pavilion's page: they upload pictures and choose among all
# of them (product photos of their region's shops included: every picture is public on the
# storefront anyway), and change only their own uploads, as operators do.
ROLE_COLLECTION_PERMISSIONS: dict[Role, list[str]] = {
    Role.SHOP_OPERATOR: ["wagtailimages.add_image", "wagtailimages.choose_image"],
    Role.BUREAU_OFFICER: ["wagtailimages.add_image", "wagtailimages.choose_image"],
    Role.PLATFORM_ADMIN: _MEDIA_ALL,
}

# Wagtail's page permissions (GroupPagePermission, on wagtailcore.page) on the root of the page
# tree, i.e. on every page. Platform administrators edit and publish everything; officers get
# theirs on their region's pavilion through their bureau's group (bureau_groups.py, cms/rights.py);
# nobody else has any.
ROLE_ROOT_PAGE_PERMISSIONS: dict[Role, list[str]] = {
    Role.PLATFORM_ADMIN: ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"],
}


def _sync_collection_permissions(group: Group, role: Role) -> None:
    from wagtail.models import Collection, GroupCollectionPermission

    root = Collection.get_first_root_node()
    if root is None:
        return
    wanted = set()
    for dotted in ROLE_COLLECTION_PERMISSIONS.get(role, []):
        app_label, codename = dotted.split(".")
        wanted.add(Permission.objects.get(content_type__app_label=app_label, codename=codename).pk)
    GroupCollectionPermission.objects.filter(group=group, collection=root).exclude(permission_id__in=wanted).delete()
    for permission_id in wanted:
        GroupCollectionPermission.objects.get_or_create(group=group, collection=root, permission_id=permission_id)


def _sync_root_page_permissions(group: Group, role: Role) -> None:
    from wagtail.models import GroupPagePermission, Page

    root = Page.get_first_root_node()
    if root is None:
        return
    wanted = set(
        Permission.objects.filter(
            content_type__app_label="wagtailcore",
            content_type__model="page",
            codename__in=ROLE_ROOT_PAGE_PERMISSIONS.get(role, []),
        ).values_list("pk", flat=True)
    )
    GroupPagePermission.objects.filter(group=group, page=root).exclude(permission_id__in=wanted).delete()
    for permission_id in wanted:
        GroupPagePermission.objects.get_or_create(group=group, page=root, permission_id=permission_id)


@transaction.atomic
def sync_role_groups() -> dict[Role, Group]:
    """Create or update one group per role with exactly its permissions."""
    groups = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        _sync_collection_permissions(group, role)
        _sync_root_page_permissions(group, role)
        if perms == ["*"]:
            group.permissions.set(Permission.objects.all())
            groups[role] = group
            continue
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
        groups[role] = group
    return groups


def roles_of(user) -> frozenset[Role]:
    """The roles a user plays, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_marketplace_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(r for r in Role if r.value in names)
        if user.is_superuser:
            cached = cached | {Role.PLATFORM_ADMIN}
        user._marketplace_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    return role in roles_of(user)
