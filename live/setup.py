"""Creating the live events page (``/live/``) under the storefront's home page: used by the
demo data command and by tests, next to ``cms.setup.ensure_storefront_pages``."""

from django.db import transaction

from cms.setup import ensure_storefront_pages

from .models import LiveIndexPage

LIVE_SLUG = "live"


@transaction.atomic
def ensure_live_page() -> LiveIndexPage:
    """A live ``LiveIndexPage`` (slug ``live``) under the home page. Idempotent."""
    page = LiveIndexPage.objects.first()
    if page is None:
        home, _catalog = ensure_storefront_pages()
        home.refresh_from_db()
        page = home.add_child(
            instance=LiveIndexPage(
                title="直播间",
                slug=LIVE_SLUG,
                intro="<p>村播带货：正在直播、直播预告和精彩回放。通过直播链接下单，成交计入这场直播。</p>",
            )
        )
    return page
