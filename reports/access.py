"""Who may read reports, and which part of the region tree: the one rule every report
view, export and the JSON endpoint ask."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.scoping import is_platform_admin, jurisdiction_code


def report_jurisdiction(user) -> str:
    """The region code ``user`` may read reports of ("" for the whole country).

    Bureau officers read their bureau's region and everything under it (division codes
    nest by prefix); platform administrators read everything. Anybody else — shop
    operators, buyers, an officer without a bureau — is refused."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("请先登录。"))
    if is_platform_admin(user):
        return ""
    code = jurisdiction_code(user)
    if code:
        return code
    raise PermissionDenied(_("只有主管部门干部和平台管理员可以查看消费帮扶报表。"))


def may_read_reports(user) -> bool:
    try:
        report_jurisdiction(user)
    except PermissionDenied:
        return False
    return True
