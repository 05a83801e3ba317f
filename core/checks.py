"""Start-up checks of the database roles (``core/db_roles.py``)."""

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext

from .db_roles import owner_credentials, two_roles

POSTGRESQL = "django.db.backends.postgresql"


@checks.register()
def owner_url_fits(app_configs, **kwargs):
    """DATABASE_OWNER_URL must reach the same PostgreSQL database as DATABASE_URL."""
    owner = getattr(settings, "DATABASE_OWNER", None) or {}
    if not owner:
        return []
    default = settings.DATABASES["default"]
    if default["ENGINE"] != POSTGRESQL or owner.get("ENGINE") != POSTGRESQL:
        return [
            checks.Error(
                gettext("DATABASE_OWNER_URL 仅适用于 PostgreSQL：DATABASE_URL 与它都须指向 PostgreSQL。"),
                hint=gettext("取消 DATABASE_OWNER_URL，或让两个 URL 指向同一个 PostgreSQL 数据库。"),
                id="accounts.E001",
            )
        ]
    if owner.get("NAME") != default.get("NAME"):
        return [
            checks.Warning(
                gettext(
                    "DATABASE_OWNER_URL 与 DATABASE_URL 的数据库名不同；所有者只取其用户、密码、主机、端口与选项，"
                    "数据库仍是 DATABASE_URL 的。"
                ),
                id="accounts.W002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def app_is_not_the_owner(app_configs, **kwargs):
    """On PostgreSQL the application should not sign in as the owner of its tables."""
    if settings.DATABASES["default"]["ENGINE"] != POSTGRESQL or two_roles():
        return []
    why = (
        gettext("未设置 DATABASE_OWNER_URL")
        if not owner_credentials()
        else gettext("DATABASE_OWNER_URL 与 DATABASE_URL 是同一角色")
    )
    return [
        checks.Warning(
            gettext(
                "应用以数据表所有者身份连接 PostgreSQL（%(why)s）：收益台账与认定审核记录只有触发器保护，"
                "所有者可以关掉触发器后修改或删除。"
            )
            % {"why": why},
            hint=gettext(
                "建立一个所有者角色和一个应用角色（见 README 的 Configuration），"
                "DATABASE_URL 用应用角色，DATABASE_OWNER_URL 用所有者角色，再运行 migrate。"
            ),
            id="accounts.W001",
        )
    ]


@checks.register()
def sms_gateway_configured(app_configs, **kwargs):
    """SMS_BACKEND=core.sms.AliyunBackend needs its keys, sign name and template code.
    (The console backend, the default, needs nothing: it prints the codes.)"""
    if settings.SMS_BACKEND != "core.sms.AliyunBackend":
        return []
    missing = [
        name
        for name, value in (
            ("ALIYUN_SMS_ACCESS_KEY_ID", settings.ALIYUN_SMS_ACCESS_KEY_ID),
            ("ALIYUN_SMS_ACCESS_KEY_SECRET", settings.ALIYUN_SMS_ACCESS_KEY_SECRET),
            ("ALIYUN_SMS_SIGN_NAME", settings.ALIYUN_SMS_SIGN_NAME),
            ("ALIYUN_SMS_TEMPLATE_CODE", settings.ALIYUN_SMS_TEMPLATES.get("verification_code")),
        )
        if not value
    ]
    if not missing:
        return []
    message = gettext("阿里云短信缺少配置：%(missing)s") % {"missing": ", ".join(missing)}
    return [checks.Error(message, id="accounts.E002")]
