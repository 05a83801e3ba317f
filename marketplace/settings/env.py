"""Reading settings from environment variables.

Every variable read here is listed in README's configuration table.
"""

import os

import dj_database_url


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_env(default_sqlite_path: str) -> dict:
    return dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{default_sqlite_path}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )


def database_owner_from_env() -> dict:
    """The role that owns the tables (``DATABASE_OWNER_URL``), parsed like ``DATABASE_URL``;
    empty when unset (one role for everything). See ``core/db_roles.py``."""
    url = env_str("DATABASE_OWNER_URL")
    return dj_database_url.parse(url) if url else {}


def cache_from_url(url: str) -> dict:
    """The default cache: Redis at ``url`` through django-redis, or local memory without one.

    Redis being away is a cache miss (logged), not an error page: Wagtail keeps its site
    root paths in the cache, so every storefront page reads it. Short socket timeouts keep
    an unreachable Redis from holding requests. Rate limits counted in the cache are not
    enforced while it is away."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
