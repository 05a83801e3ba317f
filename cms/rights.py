"""Who edits what in the page tree, and how an officer's edit gets published.

- Platform administrators add, edit and publish every page (their role's permissions on
  the root page: ``core.roles.ROLE_ROOT_PAGE_PERMISSIONS``).
- A bureau's officers edit the pavilion (地方馆) of their bureau's region, and so the
  pavilions under it (a city bureau edits its counties' pavilions too), and nothing else:
  ``change_page`` on that pavilion, given to the bureau's group (``core.bureau_groups``).
  They neither add pages (where a pavilion sits and which region it shows decide who
  edits it: platform administrators make pavilions) nor publish: they submit for
  moderation.
- The pavilions are under the workflow 地方馆审核 (``ensure_pavilion_workflow``): one task,
  approval by the platform administrators, which publishes the page. Other pages (home,
  campaigns, stories) have no workflow: their editors publish them directly.

The permission follows the data (receivers at the bottom): a bureau's group gets it when
the group is made or the bureau's region changes (``core.bureau_groups`` announces it), and
when the pavilion of its region is created or a pavilion's region changes."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import GroupApprovalTask, GroupPagePermission, Page, Workflow, WorkflowPage, WorkflowTask

from core.bureau_groups import bureau_group_synced, sync_bureau_group
from core.models import Bureau
from core.roles import Role

from .models import PavilionIndexPage, PavilionPage

# What a bureau's officers may do on their region's pavilion and the pages under it.
OFFICER_PAGE_PERMISSIONS = ("change_page",)

PAVILION_WORKFLOW_NAME = "地方馆审核"
PAVILION_TASK_NAME = "平台管理员审核"
# The workflow Wagtail's own migration puts on the root page (publish-permission holders of
# its "Moderators" group). Left there, every page without its own workflow would offer
# "submit for moderation" to a group nobody of ours is in.
WAGTAIL_DEFAULT_WORKFLOW_NAME = "Moderators approval"


def _page_permissions(codenames) -> list[Permission]:
    return list(
        Permission.objects.filter(
            content_type__app_label="wagtailcore", content_type__model="page", codename__in=codenames
        )
    )


@transaction.atomic
def sync_bureau_page_permissions(bureau: Bureau, group: Group) -> None:
    """``group`` (the bureau's page editors) may change exactly the pavilion of the bureau's
    region, if there is one, and nothing else."""
    pavilion = PavilionPage.objects.filter(region_id=bureau.region_id).first()
    wanted = _page_permissions(OFFICER_PAGE_PERMISSIONS) if pavilion is not None else []
    stale = GroupPagePermission.objects.filter(group=group)
    if pavilion is not None:
        stale = stale.exclude(page=pavilion, permission__in=wanted)
    stale.delete()
    for permission in wanted:
        GroupPagePermission.objects.get_or_create(group=group, page=pavilion, permission=permission)


def sync_pavilion_permissions(pavilion: PavilionPage) -> None:
    """After a pavilion is made or its region changed: the bureaus of its region get it,
    bureaus that had it for another region lose it."""
    bureaus = Bureau.objects.filter(
        Q(region_id=pavilion.region_id) | Q(page_editors__page_permissions__page=pavilion)
    ).distinct()
    for bureau in bureaus.select_related("page_editors"):
        if bureau.page_editors is None:
            sync_bureau_group(bureau)  # makes the group; its announcement gives the permission
        else:
            sync_bureau_page_permissions(bureau, bureau.page_editors)


@transaction.atomic
def ensure_pavilion_workflow() -> Workflow | None:
    """The workflow 地方馆审核 (approval by the platform administrators' group) on every
    pavilion index page, hence on every pavilion; Wagtail's default workflow taken off the
    root page. Idempotent; run after every migrate, when a pavilion index is made, and by
    the demo. Returns the workflow (None before the platform administrators' group exists)."""
    admins = Group.objects.filter(name=Role.PLATFORM_ADMIN.value).first()
    if admins is None:
        return None
    task = GroupApprovalTask.objects.filter(name=PAVILION_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=PAVILION_TASK_NAME)
    task.groups.set([admins])
    workflow, _ = Workflow.objects.get_or_create(name=PAVILION_WORKFLOW_NAME, defaults={"active": True})
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for index in PavilionIndexPage.objects.all():
        WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    root = Page.get_first_root_node()
    if root is not None:
        WorkflowPage.objects.filter(page=root, workflow__name=WAGTAIL_DEFAULT_WORKFLOW_NAME).delete()
    return workflow


# --- receivers (imported by apps.py) ---------------------------------------------------------------------------------


@receiver(bureau_group_synced, dispatch_uid="cms.rights.bureau_group_synced")
def _bureau_group_synced(sender, bureau, group, **kwargs):
    sync_bureau_page_permissions(bureau, group)


@receiver(post_save, sender=PavilionPage, dispatch_uid="cms.rights.pavilion_saved")
def _pavilion_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    # A revision's bookkeeping saves named fields, never the region.
    if raw or (update_fields is not None and not {"region", "region_id"} & set(update_fields)):
        return
    sync_pavilion_permissions(instance)


@receiver(post_save, sender=PavilionIndexPage, dispatch_uid="cms.rights.pavilion_index_saved")
def _pavilion_index_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        ensure_pavilion_workflow()


def after_migrate(sender, **kwargs):
    """Connected in apps.py for cms's post_migrate (core's, which comes first, has made the
    role groups and each bureau's group with its page permissions)."""
    ensure_pavilion_workflow()
