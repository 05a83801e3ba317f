"""A starting list of synonyms for the demo's products; editors extend it in the admin."""

from django.db import migrations

SEED = [
    ("淮山 山药 怀山药", "yam"),
    ("阿胶 驴皮胶", "ejiao, donkey-hide gelatin"),
    ("芦笋 石刁柏", "asparagus"),
    ("核桃 胡桃", "walnut"),
    ("牡丹籽油 牡丹油", "peony seed oil"),
    ("小米 粟米", "millet"),
    ("番茄 西红柿", "tomato"),
    ("红薯 地瓜 番薯", "sweet potato"),
    ("花生油 生油", "peanut oil"),
    ("板栗 栗子", "chestnut"),
]


def seed(apps, schema_editor):
    SynonymGroup = apps.get_model("product_search", "SynonymGroup")
    for terms, note in SEED:
        SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})


def unseed(apps, schema_editor):
    SynonymGroup = apps.get_model("product_search", "SynonymGroup")
    SynonymGroup.objects.filter(terms__in=[t for t, _ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("product_search", "0002_postgres_search_vector")]

    operations = [migrations.RunPython(seed, unseed)]
