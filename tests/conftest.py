import contextlib
import json
import os
import shutil
import subprocess

import pytest

from core.roles import sync_role_groups
from orders.address_regions import sync_address_regions
from orders.models import AddressRegion

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: one that switched to English (a command, a
    view called directly) does not pass it on to the next one its worker runs."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache, as a fresh deployment would: what an earlier
    test kept (menus, the category tree, live prices, fragments, each under versions that
    the earlier test's rolled-back rows set) is never read by the next one, whose rows
    may reuse the same ids. Per-process reads keyed by those versions load again."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture
def role_groups(db):
    return sync_role_groups()


@pytest.fixture
def ledger_world(role_groups):
    """The two-county world stocked for sales (tests/worlds.py): the world of tests/attribution,
    which tests/reports and tests/live extend."""
    from tests.worlds import build_ledger_world

    return build_ledger_world()


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose outside service or program is missing, on a developer's machine.

    With REQUIRE_SERVICES=1 (set by .ci/run) the same gap fails the test instead: CI must
    never go green by skipping the real-browser and real-worker tests."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}:
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_broker_url() -> str:
    """The Redis URL a real Celery worker test uses as broker and result backend."""
    import redis

    url = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        answering, why = True, ""
    except redis.RedisError as exc:
        answering, why = False, str(exc)
    require_service(answering, f"Redis is not answering at {url} (CELERY_TEST_BROKER_URL): {why}")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, for Playwright, with a font that has Chinese glyphs."""
    require_service(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: apt-get install chromium")
    has_cjk_font = bool(
        shutil.which("fc-list")
        and subprocess.run(["fc-list", ":lang=zh-cn"], capture_output=True, text=True).stdout.strip()
    )
    require_service(has_cjk_font, "no font with Chinese glyphs: apt-get install fonts-wqy-zenhei")
    return CHROMIUM


# --- two database roles (core/db_roles.py) ---------------------------------------------------------------------------
# With DATABASE_OWNER_URL set, the tables' owner creates, migrates and at the end drops the test
# database (pytest-django names it test_<name>, as always: there is one alias), and the tests run
# signed in as the application's role of DATABASE_URL. The flush that ends each transactional
# test signs in as the owner by itself (core's flush command), as does load_demo --reset.

_owner_sign_in = contextlib.ExitStack()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Just before pytest-django sets up the test database: sign in as the owner (nothing
    happens with one role)."""
    from core.db_roles import as_owner

    _owner_sign_in.enter_context(as_owner())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's set-up (the fixture of this name it provides) has made the test
    database as the owner: the tests run as the application's role. At the end the owner
    signs in again, for pytest-django's teardown to drop the database."""
    from django.db import connection

    from core.db_roles import as_owner

    _owner_sign_in.close()
    _restore_address_regions_in_bulk(connection)
    yield
    _owner_sign_in.enter_context(as_owner())


@pytest.fixture(scope="session")
def database_roles():
    """The application's and the owner's sign-ins, for tests of what each may do. Skipped
    (failed with REQUIRE_SERVICES) unless DATABASE_URL and DATABASE_OWNER_URL name two roles
    of a PostgreSQL database."""
    from django.db import connection

    from core.db_roles import app_credentials, owner_credentials, two_roles

    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's (DATABASE_URL)")
    require_service(
        two_roles(),
        "two database roles are not configured: set DATABASE_OWNER_URL to the owner of the tables and"
        ' DATABASE_URL to the application\'s role (README, "Database roles")',
    )
    return {"app": app_credentials(), "owner": owner_credentials()}


def _restore_address_regions_in_bulk(connection) -> None:
    """The state after migrations that each transactional test restores (below) leaves out
    the 3,378 rows of ``orders.AddressRegion``, which Django would write back one INSERT at
    a time (about 1.4 s a test); they are written back in bulk, from the same source as
    migration 0004, right after the rest."""
    contents = getattr(connection, "_test_serialized_contents", None)
    if not contents:
        return
    objects = json.loads(contents)
    connection._test_serialized_contents = json.dumps([o for o in objects if o["model"] != "orders.addressregion"])
    restore = connection.creation.deserialize_db_from_string

    def restore_then_address_regions(data):
        restore(data)
        sync_address_regions(AddressRegion)

    connection.creation.deserialize_db_from_string = restore_then_address_regions


def _shares_outside_services(item) -> bool:
    """Tests that start a real Celery worker on CELERY_TEST_BROKER_URL's Redis database, or
    stop services: run one at a time, on one pytest-xdist worker (the ``services`` group)."""
    marked = item.get_closest_marker("worker") or item.get_closest_marker("faults")
    return bool(marked or "redis_broker_url" in item.fixturenames)


def pytest_collection_modifyitems(items):
    """Every transactional test starts from the migrated database.

    A transactional test ends by emptying every table. Rows that migrations made (Wagtail's
    root page, locale, root collection and site; content types, permissions, role groups)
    would then be missing in the next one, or half re-made by post_migrate handlers and
    clash with a test that restores them. So each transactional test gets Django's
    serialized rollback: the state after migrations is restored before it runs.

    With pytest-xdist (scripts/test.sh), the tests sharing an outside service run on one
    worker (``--dist loadgroup``)."""
    for item in items:
        if _shares_outside_services(item):
            item.add_marker(pytest.mark.xdist_group("services"))
        marker = item.get_closest_marker("django_db")
        if marker is not None:
            if not marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback"):
                continue
            kwargs = dict(marker.kwargs)
        elif {"transactional_db", "live_server"} & set(item.fixturenames):
            kwargs = {"transaction": True}
        else:
            continue
        item.add_marker(pytest.mark.django_db(**kwargs, serialized_rollback=True), append=False)
