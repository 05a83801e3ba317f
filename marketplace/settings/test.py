import os

from .base import *  # noqa: F401,F403
from .base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each pytest-xdist worker (scripts/test.sh runs one per core) has its own files and database.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
MEDIA_ROOT = VAR_DIR / f"test-media{_WORKER}"
PRIVATE_MEDIA_ROOT = VAR_DIR / f"test-private{_WORKER}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks eagerly unless a test starts a real worker itself.
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
CELERY_RESULT_BACKEND = "cache+memory://"

# On SQLite the test database is a file, so that a live server thread and a Celery
# worker process see the same data as the test.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_PATH", str(VAR_DIR / "test.sqlite3"))}

# The suite searches the database whatever the environment says; the tests against a real
# Elasticsearch (tests/search/test_elasticsearch_live.py) read ELASTICSEARCH_URL themselves.
ELASTICSEARCH_URL = ""
# Pages and fragments are rendered afresh in tests, whatever the environment says: the
# caches' own tests (tests/storefront/test_page_cache.py, test_fragments.py) turn them on.
PAGE_CACHE = False
FRAGMENT_CACHE = False
