# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run).
# Everything here is idempotent and silent when there is nothing to do.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${VENV_DIR:-$ROOT_DIR/.venv}"
PYTHON="${PYTHON:-python3.11}"

say() { printf '==> %s\n' "$*"; }

# Install Debian packages that are missing, when we may (root); otherwise say what to do.
ensure_system_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        say "not a Debian system: install ${missing[*]} yourself (tests that need them will skip)"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        say "missing system packages: ${missing[*]} — run: sudo apt-get install ${missing[*]}"
        return 0
    fi
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Create the virtualenv if missing; (re)install requirements only when they changed.
ensure_venv() {
    if [ ! -x "$VENV_DIR/bin/python" ]; then
        command -v "$PYTHON" >/dev/null 2>&1 || { say "$PYTHON not found: install Python 3.11"; return 1; }
        say "creating virtualenv $VENV_DIR ($PYTHON)"
        "$PYTHON" -m venv "$VENV_DIR"
    fi
    local stamp="$VENV_DIR/.requirements.sha256" wanted
    wanted="$(cat "$ROOT_DIR/requirements.txt" "$ROOT_DIR/requirements-dev.txt" | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        say "installing Python requirements into $VENV_DIR"
        "$VENV_DIR/bin/python" -m pip install --quiet --quiet --disable-pip-version-check \
            -r "$ROOT_DIR/requirements.txt" -r "$ROOT_DIR/requirements-dev.txt"
        printf '%s\n' "$wanted" >"$stamp"
    fi
}

# Install the Node packages of package.json into node_modules/ (axe-core for the browser
# test) from the committed package-lock.json, only when the lock changed. Without npm, say
# so: the tests that need them skip (or fail with REQUIRE_SERVICES=1).
ensure_npm_packages() {
    [ -f "$ROOT_DIR/package.json" ] || return 0
    if ! command -v npm >/dev/null 2>&1; then
        ensure_system_packages npm
        command -v npm >/dev/null 2>&1 || { say "npm not found: install Node.js and npm (the accessibility test will skip)"; return 0; }
    fi
    local stamp="$ROOT_DIR/node_modules/.package-lock.sha256" wanted
    if [ ! -f "$ROOT_DIR/package-lock.json" ]; then
        say "creating package-lock.json (npm install)"
        (cd "$ROOT_DIR" && npm install --no-audit --no-fund --loglevel=error)
    fi
    wanted="$(sha256sum "$ROOT_DIR/package-lock.json" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        say "installing Node packages into node_modules/ (npm ci)"
        (cd "$ROOT_DIR" && npm ci --no-audit --no-fund --loglevel=error)
        printf '%s\n' "$wanted" >"$stamp"
    fi
}

# Compile the English catalogs (.po → .mo, which git does not keep) when a catalog is newer
# than its compiled file. Needs gettext's msgfmt (ensure_system_packages gettext).
ensure_translations() {
    local po stale=0
    while IFS= read -r po; do
        [ "$po" -nt "${po%.po}.mo" ] && stale=1
    done < <(find "$ROOT_DIR" -path "$ROOT_DIR/.venv" -prune -o -path "$ROOT_DIR/node_modules" -prune -o \
        -path '*/locale/*/LC_MESSAGES/django.po' -print)
    [ "$stale" -eq 0 ] && return 0
    command -v msgfmt >/dev/null 2>&1 || { say "msgfmt not found: install gettext (English stays untranslated)"; return 0; }
    say "compiling translation catalogs"
    (cd "$ROOT_DIR" && DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-marketplace.settings.dev}" \
        "$VENV_DIR/bin/python" manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules)
}
