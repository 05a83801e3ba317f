from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Bureau(models.Model):
    """A commerce bureau (商务局) or poverty-alleviation office (扶贫办) of one region.

    Its officers see that region and every region under it, nothing else."""

    class Kind(models.TextChoices):
        COMMERCE = "commerce", _("商务局 Commerce bureau")
        RURAL = "rural", _("扶贫办/乡村振兴局 Rural revitalisation office")

    name = models.CharField(_("名称 name"), max_length=100, unique=True)
    kind = models.CharField(_("类型 kind"), max_length=20, choices=Kind.choices, default=Kind.COMMERCE)
    region = models.ForeignKey(
        "producers.Region", on_delete=models.PROTECT, related_name="bureaus", verbose_name=_("辖区 region")
    )

    class Meta:
        verbose_name = _("主管部门 bureau")
        verbose_name_plural = _("主管部门 bureaus")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using the marketplace. Which role they play is given by their groups
    (see ``roles.py``); an officer also names the bureau they work for.

    ``name`` is the person's 姓名 in one field, as Chinese people write it (陈静, 欧阳娜娜),
    and what ``get_full_name`` answers; Django's ``first_name`` / ``last_name`` columns
    stay (``AbstractUser`` has them) but no form of ours asks for them."""

    name = models.CharField(_("姓名 name"), max_length=50, blank=True)
    phone = models.CharField(_("手机号 mobile"), max_length=20, blank=True)
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("所属部门 bureau"),
    )

    class Meta:
        verbose_name = _("用户 user")
        verbose_name_plural = _("用户 users")

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

    task_name = models.CharField(_("任务 task"), max_length=200)
    args = models.JSONField(_("参数 args"), default=list)
    kwargs = models.JSONField(_("关键字参数 kwargs"), default=dict)
    created_at = models.DateTimeField(_("首次发送 first sent"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("发送次数 attempts"), default=1)
    last_error = models.TextField(_("最近错误 last error"), blank=True)

    class Meta:
        verbose_name = _("待发送任务 pending task")
        verbose_name_plural = _("待发送任务 pending tasks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
