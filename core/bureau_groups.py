"""Each bureau's page editors: one Django group per bureau whose members are its officers.

The group is what the page tree's permissions are given to (Wagtail gives page permissions to
groups, never to users): ``cms`` gives it the right to edit the pavilion (地方馆) of the
bureau's region, which covers the pavilions under it. The group holds nothing else; what
officers may do elsewhere comes from their role (``roles.py``).

Kept here, in sync with the data, by the receivers at the bottom:

- a bureau gets its group when it is saved (renamed with it: "单县商务局 页面编辑"), loses it
  when deleted;
- a user is a member of exactly the group of their bureau while they are an officer (role
  ``bureau_officer`` and a bureau): changing their bureau or their roles moves them.

``core`` is below ``cms`` and does not know pavilions: after making or renaming a group it
announces ``bureau_group_synced`` and cms gives the group its page permissions
(``cms/rights.py``)."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from .models import Bureau, User
from .roles import Role

# sender=Bureau; kwargs: bureau, group (its page editors, members already in place).
bureau_group_synced = Signal()

GROUP_SUFFIX = " 页面编辑"


def group_name(bureau: Bureau) -> str:
    return f"{bureau.name}{GROUP_SUFFIX}"


def _free_name(name: str, bureau: Bureau, own_group_pk: int | None) -> str:
    """``name``, or ``name (#pk)`` when a group the bureau does not own already bears it
    (group names are unique; someone may have made such a group by hand)."""
    if Group.objects.filter(name=name).exclude(pk=own_group_pk).exists():
        return f"{name} (#{bureau.pk})"
    return name


def officers_of(bureau: Bureau):
    return User.objects.filter(bureau=bureau, groups__name=Role.BUREAU_OFFICER.value).distinct()


@transaction.atomic
def sync_bureau_group(bureau: Bureau) -> Group:
    """Make sure ``bureau`` has its page editors' group, named after it, with exactly its
    officers as members; then announce it (cms gives the page permissions). Idempotent."""
    name = group_name(bureau)
    group = Group.objects.filter(pk=bureau.page_editors_id).first() if bureau.page_editors_id else None
    if group is None:
        group = Group.objects.create(name=_free_name(name, bureau, None))
        Bureau.objects.filter(pk=bureau.pk).update(page_editors=group)  # no post_save: no loop
        bureau.page_editors = group
    elif group.name != name and group.name != f"{name} (#{bureau.pk})":
        group.name = _free_name(name, bureau, group.pk)
        group.save(update_fields=["name"])
    # Membership from the group's side: the receiver below only acts on a user's side.
    group.user_set.set(officers_of(bureau))
    bureau_group_synced.send(sender=Bureau, bureau=bureau, group=group)
    return group


def sync_all_bureau_groups() -> int:
    """Every bureau's group (after migrate, for bureaus made before groups existed)."""
    count = 0
    for bureau in Bureau.objects.select_related("page_editors").order_by("pk"):
        sync_bureau_group(bureau)
        count += 1
    return count


def sync_user_bureau_group(user: User) -> None:
    """Put ``user`` in the group of their bureau if they are its officer, and in no other
    bureau's group."""
    wanted = None
    if user.bureau_id and user.groups.filter(name=Role.BUREAU_OFFICER.value).exists():
        bureau = Bureau.objects.get(pk=user.bureau_id)
        wanted = bureau.page_editors_id or sync_bureau_group(bureau).pk  # the new group has them already
    current = set(user.groups.filter(editing_bureau__isnull=False).values_list("pk", flat=True))
    if current == ({wanted} if wanted else set()):
        return
    user._syncing_bureau_group = True
    try:
        if current - {wanted}:
            user.groups.remove(*(current - {wanted}))
        if wanted and wanted not in current:
            user.groups.add(wanted)
    finally:
        user._syncing_bureau_group = False


# --- receivers (connected in apps.py) --------------------------------------------------------------------------------


def bureau_saved(sender, instance: Bureau, raw=False, **kwargs):
    if not raw:
        sync_bureau_group(instance)


def bureau_deleted(sender, instance: Bureau, **kwargs):
    if instance.page_editors_id:
        Group.objects.filter(pk=instance.page_editors_id).delete()


def user_saved(sender, instance: User, created=False, raw=False, update_fields=None, **kwargs):
    """A user's bureau may have changed. A new user has no groups yet (their roles are
    added after: the receiver below), and a save of named fields without the bureau
    (the last sign-in time, a password) cannot change it."""
    if raw or created:
        return
    if update_fields is not None and not {"bureau", "bureau_id"} & set(update_fields):
        return
    sync_user_bureau_group(instance)


def user_groups_changed(sender, instance, action, reverse=False, **kwargs):
    """A user's roles changed (from the user's side: ``user.groups.add/set/remove``, the
    admin's user form). Changes from a group's side are this module's own."""
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    if getattr(instance, "_syncing_bureau_group", False):
        return
    sync_user_bureau_group(instance)


def connect() -> None:
    post_save.connect(bureau_saved, sender=Bureau, dispatch_uid="core.bureau_group.saved")
    post_delete.connect(bureau_deleted, sender=Bureau, dispatch_uid="core.bureau_group.deleted")
    post_save.connect(user_saved, sender=User, dispatch_uid="core.bureau_group.user_saved")
    m2m_changed.connect(user_groups_changed, sender=User.groups.through, dispatch_uid="core.bureau_group.user_groups")
