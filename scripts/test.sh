#!/usr/bin/env bash
# `make test`: lint (ruff, then the import contracts), then the whole pytest suite. Uses PostgreSQL when DATABASE_URL is
# set, a SQLite file otherwise. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT_DIR"

ensure_system_packages chromium fonts-wqy-zenhei gettext  # the real-browser test; msgfmt for the catalogs
ensure_venv
ensure_translations
ensure_npm_packages  # axe-core, for the accessibility browser test

say "ruff check ."
.venv/bin/ruff check --quiet .

# The layers and the absence of import cycles (pyproject.toml, docs/architecture.md).
say "lint-imports"
.venv/bin/lint-imports --no-logo

# One pytest-xdist worker per core (TEST_WORKERS=1: none), each with its own test database;
# the tests that share an outside service run on one of them (tests/conftest.py).
workers=${TEST_WORKERS:-auto}
parallel=()
if [ "$workers" != 1 ] && [ "$workers" != 0 ]; then
    parallel=(-n "$workers" --dist loadgroup)
fi
say "pytest (database: ${DATABASE_URL:-SQLite}; workers: $workers)"
status=0
.venv/bin/pytest "${parallel[@]}" "$@" || status=$?
if [ "$status" -eq 5 ]; then
    # pytest's "no tests collected": only possible with a filter that matches nothing.
    say "pytest collected no tests"
    exit 0
fi
exit "$status"
