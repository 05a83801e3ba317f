import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_order_ship_region_code"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Address",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("recipient_name", models.CharField(max_length=50, verbose_name="收货人姓名 recipient")),
                ("mobile", models.CharField(max_length=11, verbose_name="手机号 mobile")),
                ("detail", models.CharField(max_length=200, verbose_name="详细地址 address")),
                ("is_default", models.BooleanField(default=False, verbose_name="默认地址 default")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="addresses",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.addressregion",
                        verbose_name="省市县 county",
                    ),
                ),
            ],
            options={
                "verbose_name": "收货地址 address",
                "verbose_name_plural": "收货地址 addresses",
                "ordering": ["-is_default", "-updated_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_default", True)), fields=("user",), name="address_one_default_per_user"
                    )
                ],
            },
        ),
    ]
