"""An order's shipping region becomes a snapshot (the county's official code beside the
names it already kept) instead of a foreign key to the producer Region tree, which holds
only the provinces a deployment serves. Existing orders keep their code and their names,
so their pages read as before."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_codes(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Region = apps.get_model("producers", "Region")
    Order.objects.update(ship_region_code=Subquery(Region.objects.filter(pk=OuterRef("ship_region_id")).values("code")[:1]))


def copy_back(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Region = apps.get_model("producers", "Region")
    Order.objects.update(
        ship_region_id=Subquery(Region.objects.filter(code=OuterRef("ship_region_code")).values("pk")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_address_regions"),
        ("producers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="ship_region_code",
            field=models.CharField(default="", max_length=12, verbose_name="收货地区代码 region code"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="order",
            name="ship_region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="producers.region",
                verbose_name="收货地区 region",
            ),
        ),
        migrations.RunPython(copy_codes, copy_back),
        migrations.RemoveField(model_name="order", name="ship_region"),
    ]
