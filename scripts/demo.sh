#!/usr/bin/env bash
# `make demo`: everything a fresh clone needs to browse the storefront at :8000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT_DIR"

ensure_system_packages fonts-wqy-zenhei gettext  # Chinese glyphs in generated product images; msgfmt
ensure_venv
ensure_translations

export DJANGO_SETTINGS_MODULE=marketplace.settings.dev
HOST_PORT="${DEMO_ADDR:-127.0.0.1:8000}"
# Links that leave the site (certificate QR codes, e-mails, the printed logins) use this.
export SITE_URL="${SITE_URL:-http://$HOST_PORT}"
export WAGTAILADMIN_BASE_URL="${WAGTAILADMIN_BASE_URL:-$SITE_URL}"

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py load_demo --seed 1
say "serving on http://$HOST_PORT/ (admin: http://$HOST_PORT/admin/) — Ctrl-C to stop"
exec .venv/bin/python manage.py runserver "$HOST_PORT"
