from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Bureau(models.Model):
    """A commerce bureau (商务局) or poverty-alleviation office (扶贫办) of one region.

    Its officers see that region and every region under it, nothing else."""

    class Kind(models.TextChoices):
        COMMERCE = "commerce", _("商务局")
        RURAL = "rural", _("扶贫办/乡村振兴局")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.COMMERCE)
    region = models.ForeignKey(
        "producers.Region", on_delete=models.PROTECT, related_name="bureaus", verbose_name=_("辖区")
    )
    # The group whose members are the bureau's officers and which holds their page permissions
    # (the pavilion of the bureau's region): kept by ``bureau_groups.py``, never chosen by hand.
    page_editors = models.OneToOneField(
        "auth.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="editing_bureau",
        verbose_name=_("页面编辑组"),
    )

    class Meta:
        verbose_name = _("主管部门")
        verbose_name_plural = pgettext_lazy("plural", "主管部门")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using the marketplace. Which role they play is given by their groups
    (see ``roles.py``); an officer also names the bureau they work for.

    ``name`` is the person's 姓名 in one field, as Chinese people write it (陈静, 欧阳娜娜),
    and what ``get_full_name`` answers; Django's ``first_name`` / ``last_name`` columns
    stay (``AbstractUser`` has them) but no form of ours asks for them.

    ``mobile`` is the number the person signs in with (by password or SMS code,
    ``core/accounts.py``): a mainland mobile number stored as its 11 digits, one account
    per number. ``phone`` is a contact number staff type as they like (an office's
    landline, shared by its officers), never used to sign in."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    mobile = models.CharField(
        _("登录手机号"),
        max_length=11,
        blank=True,
        default="",
        help_text=_("中国大陆手机号 11 位，可用于短信验证码登录；每个号码只对应一个账户。"),
    )
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("所属部门"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")
        constraints = [
            models.UniqueConstraint(
                fields=["mobile"],
                condition=~models.Q(mobile=""),
                name="accounts_user_mobile_unique",
                violation_error_message=_("该手机号已注册。"),
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def get_full_name(self) -> str:
        """姓名 as written (Django's default would be "静 陈")."""
        return self.name.strip()

    def get_short_name(self) -> str:
        return self.get_full_name()


class PendingTask(models.Model):
    """A Celery message the broker could not take when it was sent (``core.background``).

    Kept here, in the database that committed the work, and sent again by the beat task
    ``core.resend_pending_tasks`` once the broker answers; deleted when sent."""

    task_name = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list)
    kwargs = models.JSONField(_("关键字参数"), default=dict)
    created_at = models.DateTimeField(_("首次发送"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=1)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待发送任务")
        verbose_name_plural = pgettext_lazy("plural", "待发送任务")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"


class SmsCode(models.Model):
    """A one-time code sent by SMS (``core/verification.py``): 6 digits, kept only as a
    keyed hash, good for ``SMS_CODE_VALID_MINUTES``, used once, dead after
    ``SMS_CODE_MAX_FAILURES`` wrong tries. A new code for the same number and purpose
    replaces the old ones; codes past their time are purged nightly."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("注册")
        LOGIN = "login", _("登录")
        RESET = "reset", _("重设密码")

    mobile = models.CharField(_("手机号"), max_length=11)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    failures = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = pgettext_lazy("plural", "短信验证码")
        indexes = [models.Index(fields=["mobile", "purpose", "created_at"], name="accounts_smscode_lookup")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class SmsSendCounter(models.Model):
    """How many codes were sent in the current window for one key — a number in the last
    minute, a number in the last hour, a client address in the last hour — taken one send
    at a time by a conditional UPDATE (``core/verification.py``). Keyed by a keyed hash of
    the number or address, so the table holds neither; windows long past are purged."""

    key = models.CharField(max_length=90, unique=True)
    window_start = models.DateTimeField(db_index=True)
    sends = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("验证码发送次数")
        verbose_name_plural = pgettext_lazy("plural", "验证码发送次数")

    def __str__(self) -> str:
        return f"{self.key[:16]} {self.sends}"
