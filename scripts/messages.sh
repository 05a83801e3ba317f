#!/usr/bin/env bash
# Regenerate the English translation catalogs (gettext .po files) from the Chinese source
# strings: `scripts/messages.sh` for all, `scripts/messages.sh orders payments` for those apps,
# `scripts/messages.sh project` for the project's own (templates/, marketplace/).
#
# Each app keeps its catalog beside its code (<app>/locale/en/LC_MESSAGES/django.po, found by
# Django for every installed app); the project's templates and settings keep theirs in
# locale/en/LC_MESSAGES/django.po (LOCALE_PATHS). An app takes part once it has a locale/
# folder. New strings arrive untranslated: write their msgstr, then `make test` checks that
# no entry is untranslated or fuzzy and that the catalogs are up to date (tests/i18n/).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT_DIR"
PY="${PY:-$VENV_DIR/bin/python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-marketplace.settings.test}"
OPTIONS=(-l en --no-obsolete --no-location --no-wrap -v 0)

apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
    apps=(project)
    for dir in */locale; do apps+=("${dir%/locale}"); done
fi
for app in "${apps[@]}"; do
    if [ "$app" = project ]; then
        ignores=()
        for dir in */; do
            dir="${dir%/}"
            case "$dir" in templates|marketplace|locale) ;; *) ignores+=(-i "$dir/*" -i "$dir") ;; esac
        done
        "$PY" manage.py makemessages "${OPTIONS[@]}" "${ignores[@]}"
    else
        mkdir -p "$app/locale"
        # Celery's Django fix-up puts the working directory first on sys.path, where an app's own
        # modules would shadow other apps (live/attribution.py hid the attribution app): load the
        # project first, then take the app's directory off the path and run manage.py.
        (cd "$app" && "$PY" -c '
import os, runpy, sys
sys.path[0] = os.path.abspath("..")
import marketplace  # noqa: F401
sys.path[:] = [p for p in sys.path if p != os.getcwd()]
sys.argv[0] = "../manage.py"
runpy.run_path("../manage.py", run_name="__main__")
' makemessages "${OPTIONS[@]}" -i "tests/*" -i "migrations/*")
    fi
done
