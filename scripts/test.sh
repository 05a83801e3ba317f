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

say "pytest (database: ${DATABASE_URL:-SQLite})"
status=0
.venv/bin/pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    # pytest's "no tests collected": only possible with a filter that matches nothing.
    say "pytest collected no tests"
    exit 0
fi
exit "$status"
