"""The address-region table: province, city and county of every province of China, loaded
here from the division codes shipped in producers/data/divisions.

A data migration rather than a post_migrate loader: the rows are then part of the state
"after migrate" like Wagtail's root page, so the test suite's transactional tests restore
them with everything else, and nothing runs again on every migrate or flush."""

import django.db.models.deletion
from django.db import migrations, models

from orders.address_regions import sync_address_regions


def load_address_regions(apps, schema_editor):
    sync_address_regions(apps.get_model("orders", "AddressRegion"))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_cartitem_live_tag"),
    ]

    operations = [
        migrations.CreateModel(
            name="AddressRegion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=12, verbose_name="代码 code")),
                ("name", models.CharField(max_length=40, verbose_name="名称 name")),
                (
                    "level",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "省 province"), (2, "市 city"), (3, "县/区 county")], verbose_name="级别 level"
                    ),
                ),
                (
                    "full_name",
                    models.CharField(help_text="如：广东省 广州市 天河区", max_length=120, verbose_name="省市县 full name"),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="orders.addressregion",
                        verbose_name="上级",
                    ),
                ),
            ],
            options={
                "verbose_name": "收货地区 address region",
                "verbose_name_plural": "收货地区 address regions",
                "ordering": ["level", "code"],
                "indexes": [models.Index(fields=["parent", "code"], name="address_region_children")],
                "constraints": [
                    models.UniqueConstraint(fields=("level", "code"), name="address_region_code_per_level")
                ],
            },
        ),
        migrations.RunPython(load_address_regions, migrations.RunPython.noop, elidable=False),
    ]
