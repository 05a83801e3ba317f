from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import DEBUG, INSECURE_DEFAULT_SECRET_KEY, SECRET_KEY
from .env import env_bool, env_int, env_str

if DEBUG:
    raise ImproperlyConfigured("Production settings refuse to start with DEBUG on.")
if not SECRET_KEY or SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("Production settings need SECRET_KEY: a random value of at least 32 characters.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# HTTPS only, behind a proxy that terminates TLS and says so in X-Forwarded-Proto (set it
# there, and strip any the client sends). Plain HTTP is redirected to HTTPS, and browsers
# are told (HSTS) to use nothing else for a year, on this host and the hosts under it. Each
# is a switch, for serving plain HTTP on loopback (the storefront benchmark) or a first
# rollout with a short max-age. Preload stays off unless asked for: it is a promise about
# the whole registrable domain, made by its owner at hstspreload.org and slow to undo, so
# check --deploy's reminder of it (W021) is silenced rather than answered by default.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The page cache is exact only if every web process sees the same copy: in production it is
# on by default with a shared cache (CACHE_URL, Redis) and off without one.
PAGE_CACHE = env_bool("PAGE_CACHE", bool(env_str("CACHE_URL")))
FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", bool(env_str("CACHE_URL")))
