"""The live events page (``LiveIndexPage``) moves from the live app to cms, where the
storefront's other pages are: live's models no longer tie themselves to the public pages.

The existing page keeps everything: its table is renamed (``live_liveindexpage`` →
``cms_liveindexpage``) and its content type row is relabelled ``live`` → ``cms`` — the
same row, so the page, its revisions, log entries, references and permissions all still
point at it. ``live/migrations/0003_liveindexpage_to_cms.py`` drops the model from live's
state."""

import django.db.models.deletion
import wagtail.contrib.routable_page.models
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    db = schema_editor.connection.alias
    moving = ContentType.objects.using(db).filter(app_label=source, model="liveindexpage").first()
    if moving is None:
        return  # a database made after the move: nothing to relabel
    stale = ContentType.objects.using(db).filter(app_label=target, model="liveindexpage").first()
    if stale is not None:
        if Page.objects.using(db).filter(content_type=stale).exists():
            raise RuntimeError(f"Both {source}.liveindexpage and {target}.liveindexpage have pages: merge them by hand.")
        stale.delete()
    moving.app_label = target
    moving.save(update_fields=["app_label"])


def forward(apps, schema_editor):
    relabel_content_type(apps, schema_editor, source="live", target="cms")


def backward(apps, schema_editor):
    relabel_content_type(apps, schema_editor, source="cms", target="live")


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("live", "0002_event_pages_tokens_samples"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE live_liveindexpage RENAME TO cms_liveindexpage",
                    reverse_sql="ALTER TABLE cms_liveindexpage RENAME TO live_liveindexpage",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="LiveIndexPage",
                    fields=[
                        (
                            "page_ptr",
                            models.OneToOneField(
                                auto_created=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                parent_link=True,
                                primary_key=True,
                                serialize=False,
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                        ("intro", wagtail.fields.RichTextField(blank=True, verbose_name="导语 intro")),
                    ],
                    options={"verbose_name": "直播页 live events page"},
                    bases=(wagtail.contrib.routable_page.models.RoutablePageMixin, "wagtailcore.page"),
                ),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
