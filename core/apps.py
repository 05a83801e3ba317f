from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    # post_migrate reaches this app before auth has made every app's permissions,
    # so make them first (it is idempotent), then set up the role groups.
    from django.contrib.auth.management import create_permissions

    from .bureau_groups import sync_all_bureau_groups
    from .roles import sync_role_groups

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_role_groups()
    sync_all_bureau_groups()  # bureaus made before their groups existed; cms gives the page permissions


class AccountsConfig(AppConfig):
    name = "core"
    label = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from . import bureau_groups, checks  # noqa: F401 - checks registers the start-up checks
        from .db_roles import grant_app_role

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="core.sync_roles")
        post_migrate.connect(grant_app_role, sender=self, dispatch_uid="core.grant_app_role")
        bureau_groups.connect()  # each bureau's page editors' group, its officers as members
