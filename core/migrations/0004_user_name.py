"""One 姓名 field for every user, filled from the names already held: 姓 then 名, with no
space between (last_name + first_name, as Chinese people write them: 陈 + 静 -> 陈静).
When one of the two reads as a Latin-script name both are kept, 名 first, with a space
(first "Anna", last "Smith" -> "Anna Smith")."""

from django.db import migrations, models


def joined(first: str, last: str) -> str:
    first, last = (first or "").strip(), (last or "").strip()
    if not first or not last:
        return first or last
    if (first + last).isascii():
        return f"{first} {last}"
    return f"{last}{first}"


def copy_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    changed = []
    for user in User.objects.filter(name="").only("pk", "first_name", "last_name").iterator():
        user.name = joined(user.first_name, user.last_name)[:50]
        if user.name:
            changed.append(user)
    User.objects.bulk_update(changed, ["name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_pendingtask"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="name",
            field=models.CharField(blank=True, max_length=50, verbose_name="姓名 name"),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop),
    ]
