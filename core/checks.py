"""Start-up checks of the database roles (``core/db_roles.py``)."""

from django.conf import settings
from django.core import checks

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
                "DATABASE_OWNER_URL 仅适用于 PostgreSQL：DATABASE_URL 与它都须指向 PostgreSQL。"
                " DATABASE_OWNER_URL is for PostgreSQL only, and DATABASE_URL must be PostgreSQL too.",
                hint="Unset DATABASE_OWNER_URL, or point both URLs at the same PostgreSQL database.",
                id="accounts.E001",
            )
        ]
    if owner.get("NAME") != default.get("NAME"):
        return [
            checks.Warning(
                "DATABASE_OWNER_URL 与 DATABASE_URL 的数据库名不同；所有者只取其用户、密码、主机、端口与选项，"
                "数据库仍是 DATABASE_URL 的。 DATABASE_OWNER_URL names another database than DATABASE_URL;"
                " only its user, password, host, port and options are used, on DATABASE_URL's database.",
                id="accounts.W002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def app_is_not_the_owner(app_configs, **kwargs):
    """On PostgreSQL the application should not sign in as the owner of its tables."""
    if settings.DATABASES["default"]["ENGINE"] != POSTGRESQL or two_roles():
        return []
    why = "未设置 DATABASE_OWNER_URL" if not owner_credentials() else "DATABASE_OWNER_URL 与 DATABASE_URL 是同一角色"
    return [
        checks.Warning(
            f"应用以数据表所有者身份连接 PostgreSQL（{why}）：收益台账与认定审核记录只有触发器保护，"
            "所有者可以关掉触发器后修改或删除。 The application signs in as the owner of its tables: the ledger and"
            " the audit trail are guarded by triggers only, which an owner may switch off.",
            hint="Create an owner role and an application role (README, Configuration), set DATABASE_URL to the"
            " application's and DATABASE_OWNER_URL to the owner's, and run migrate.",
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
    return [checks.Error(f"阿里云短信缺少配置 Aliyun SMS is missing: {', '.join(missing)}", id="accounts.E002")]
