"""The English translation catalogs: every entry translated and none fuzzy, every catalog
up to date with the Chinese source strings (what ``scripts/messages.sh`` would write has
the same entries as what is committed), and each compiles with gettext's ``msgfmt --check``.
A catalog is ``<app>/locale/en/LC_MESSAGES/django.po`` or the project's
``locale/en/LC_MESSAGES/django.po``."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import require_service

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "node_modules", "var", ".git", "media"}


def catalogs(root: Path = ROOT) -> list[Path]:
    found = []
    for path in sorted(root.glob("*/locale/en/LC_MESSAGES/django.po")) + sorted(
        root.glob("locale/en/LC_MESSAGES/django.po")
    ):
        if path.relative_to(root).parts[0] not in SKIP_DIRS:
            found.append(path)
    return found


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].encode("latin-1", "backslashreplace").decode("unicode_escape")


def entries(po: Path) -> list[dict]:
    """The entries of a .po file: msgid (with context and plural), msgstr(s), flags."""
    result, entry, field = [], None, None
    for raw in po.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None and "msgid" in entry:
                result.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "msgstr": []}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry["msgctxt"], field = _unquote(line), "msgctxt"
        elif line.startswith("msgid_plural "):
            entry["msgid_plural"], field = _unquote(line), "msgid_plural"
        elif line.startswith("msgid "):
            entry["msgid"], field = _unquote(line), "msgid"
        elif line.startswith("msgstr"):
            entry["msgstr"].append(_unquote(line))
            field = "msgstr"
        elif line.startswith('"') and field:
            if field == "msgstr":
                entry["msgstr"][-1] += _unquote(line)
            else:
                entry[field] += _unquote(line)
    return result


def keys(po: Path) -> set[tuple[str, str, str]]:
    return {(e.get("msgctxt", ""), e["msgid"], e.get("msgid_plural", "")) for e in entries(po) if e["msgid"]}


def test_there_is_a_catalog_for_the_project():
    assert ROOT / "locale/en/LC_MESSAGES/django.po" in catalogs()


@pytest.mark.parametrize("po", catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_entry_is_translated_and_none_is_fuzzy(po):
    missing = [e["msgid"] for e in entries(po) if e["msgid"] and not all(s.strip() for s in e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries(po) if e["msgid"] and "fuzzy" in e["flags"]]
    assert not missing, f"{len(missing)} untranslated in {po}: {missing[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {po}: {fuzzy[:10]}"


def test_the_catalogs_are_up_to_date_with_the_source(tmp_path):
    """Regenerate every catalog in a copy of the tree: the same entries, none missing, none stale."""
    require_service(shutil.which("xgettext") is not None, "gettext (xgettext) is not installed")
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=lambda d, names: [n for n in names if n in SKIP_DIRS or n == "__pycache__"])
    env = {**os.environ, "PY": sys.executable, "VENV_DIR": str(Path(sys.executable).parent.parent)}
    env.setdefault("MARKETPLACE_VAR_DIR", str(tmp_path / "var"))
    subprocess.run(["bash", "scripts/messages.sh"], cwd=copy, env=env, check=True, capture_output=True)
    for po in catalogs():
        fresh = copy / po.relative_to(ROOT)
        ours, theirs = keys(po), keys(fresh)
        assert not theirs - ours, (
            f"{po.relative_to(ROOT)} misses {sorted(theirs - ours)[:10]} (run scripts/messages.sh)"
        )
        assert not ours - theirs, f"{po.relative_to(ROOT)} keeps stale {sorted(ours - theirs)[:10]}"


@pytest.mark.parametrize("po", catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalog_compiles(po, tmp_path):
    require_service(shutil.which("msgfmt") is not None, "gettext (msgfmt) is not installed")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
