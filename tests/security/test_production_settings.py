"""The production settings, as a deployment starts them: each test runs a fresh Python
process with DJANGO_SETTINGS_MODULE=marketplace.settings.production and a good SECRET_KEY,
because the settings read the environment once, at import.

- ``manage.py check --deploy`` reports nothing with the defaults;
- plain HTTP is redirected to HTTPS and HTTPS answers carry HSTS (a year, subdomains);
- the switches the storefront benchmark sets (SSL redirect and HSTS off) serve plain HTTP;
- the Content-Security-Policy allows media from an absolute MEDIA_URL's origin."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# Every variable these settings read that a developer's shell might set.
CLEARED = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_COOKIES",
    "ALLOWED_HOSTS",
    "MEDIA_URL",
    "DATABASE_OWNER_URL",  # CI sets it for PostgreSQL; these runs use SQLite
    "CACHE_URL",
    "PAGE_CACHE",
    "FRAGMENT_CACHE",
    "STATIC_ROOT",
)

# A request the project answers without a database: the Stripe webhook refuses GET (405).
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
plain = client.get("/payments/stripe/webhook/")
https = client.get("/payments/stripe/webhook/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location", "")],
    "https": [https.status_code, https.headers.get("Strict-Transport-Security", "")],
    "img_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
    "admin_img_src": settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
}))
"""


def production(args: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),  # 67 random characters, as a deployment's
        MARKETPLACE_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/unused.sqlite3",
        PYTHONWARNINGS="ignore",
        **env,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def probe(tmp_path, **env: str) -> dict:
    done = production(["-c", PROBE], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_no_warnings_with_the_production_defaults(tmp_path):
    done = production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # Only HSTS preload is silenced, deliberately (marketplace/settings/production.py).
    assert "System check identified no issues (1 silenced)." in done.stdout


def test_check_deploy_names_what_the_benchmark_switches_turn_off(tmp_path):
    done = production(["manage.py", "check", "--deploy"], tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    assert done.returncode == 0, done.stderr
    warnings = sorted(set(re.findall(r"security\.W\d+", done.stdout + done.stderr)))
    assert warnings == ["security.W004", "security.W008"]  # HSTS unset, no SSL redirect


def test_production_redirects_plain_http_and_sends_hsts_over_https(tmp_path):
    answers = probe(tmp_path)
    assert answers["plain"] == [301, "https://127.0.0.1/payments/stripe/webhook/"]
    assert answers["https"] == [405, "max-age=31536000; includeSubDomains"]


def test_the_benchmark_switches_serve_plain_http_without_hsts(tmp_path):
    answers = probe(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    assert answers["plain"] == [405, ""]  # answered, not redirected
    assert answers["https"] == [405, ""]


@pytest.mark.parametrize(
    ("env", "header"),
    [
        ({"SECURE_HSTS_SECONDS": "300"}, "max-age=300; includeSubDomains"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "0"}, "max-age=31536000"),
        ({"SECURE_HSTS_PRELOAD": "1"}, "max-age=31536000; includeSubDomains; preload"),
    ],
)
def test_each_hsts_switch(tmp_path, env, header):
    assert probe(tmp_path, **env)["https"] == [405, header]


def test_media_from_another_origin_is_allowed_as_images(tmp_path):
    answers = probe(tmp_path, MEDIA_URL="https://media.example.cn/marketplace/")
    assert answers["img_src"] == ["'self'", "https://media.example.cn"]
    assert answers["admin_img_src"] == ["'self'", "https://media.example.cn", "blob:"]
    assert probe(tmp_path)["img_src"] == ["'self'"]


STATIC_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.templatetags.static import static
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
url = static("css/storefront.css")
plain = client.get(url)
gzipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
print(json.dumps({
    "url": url,
    "plain": [plain.status_code, plain.headers.get("Cache-Control", ""), plain.headers.get("Content-Encoding", "")],
    "compressed": [gzipped.status_code, gzipped.headers.get("Content-Encoding", ""), gzipped.headers.get("Vary", "")],
    "page_cache": settings.PAGE_CACHE,
}))
"""


def test_static_files_are_hashed_compressed_and_cached_for_good(tmp_path):
    """After collectstatic, a stylesheet's URL carries its content's hash, and WhiteNoise
    sends it compressed (Brotli or gzip, as the browser accepts) and cacheable for ten
    years: a new build has new names, so nothing stale is ever kept."""
    env = {"SECURE_SSL_REDIRECT": "0", "STATIC_ROOT": str(tmp_path / "static")}
    collected = production(["manage.py", "collectstatic", "--noinput", "-v", "0"], tmp_path, **env)
    assert collected.returncode == 0, collected.stderr
    done = production(["-c", STATIC_PROBE], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"/static/css/storefront\.[0-9a-f]{12}\.css", answers["url"])
    assert answers["plain"] == [200, "max-age=315360000, public, immutable", ""]
    assert answers["compressed"][0] == 200 and answers["compressed"][1] in ("br", "gzip")
    assert "Accept-Encoding" in answers["compressed"][2]


def test_the_page_and_fragment_caches_are_on_in_production_only_with_a_shared_cache(tmp_path):
    """Kept pages and fragments are exact only if every web process sees the same versions."""
    assert probe_settings(tmp_path) == {"page_cache": False, "fragment_cache": False}
    shared = "redis://127.0.0.1:6379/9"
    assert probe_settings(tmp_path, CACHE_URL=shared) == {"page_cache": True, "fragment_cache": True}
    assert probe_settings(tmp_path, CACHE_URL=shared, PAGE_CACHE="0") == {"page_cache": False, "fragment_cache": True}
    assert probe_settings(tmp_path, CACHE_URL=shared, FRAGMENT_CACHE="0")["fragment_cache"] is False


def probe_settings(tmp_path, **env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'page_cache': settings.PAGE_CACHE, 'fragment_cache': settings.FRAGMENT_CACHE}))"
    )
    done = production(["-c", code], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
