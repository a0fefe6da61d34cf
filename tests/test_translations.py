"""The Italian catalog is complete, and stays complete as the code gains new strings.

Italian is the default language of the portal: a string missing from locale/it would show up in English to
every social worker. When a test here fails, regenerate and translate the catalog:

    DEBUG=1 .venv/bin/python manage.py makemessages -l it -l en --ignore=.venv --ignore=node_modules \
        --ignore=staticfiles --add-location=file

then fill every empty ``msgstr`` of locale/it/LC_MESSAGES/django.po, check and remove every ``#, fuzzy`` flag,
and run ``make messages``.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
IT_CATALOG = Path("locale", "it", "LC_MESSAGES", "django.po")
MAKEMESSAGES_OPTIONS = [
    "--ignore=.venv",
    "--ignore=node_modules",
    "--ignore=staticfiles",
    "--add-location=file",
]
# Top-level entries of the project that hold no translatable source: not copied for the makemessages run.
NOT_SOURCE = {
    ".git",
    ".venv",
    "node_modules",
    "staticfiles",
    "var",
    "test-artifacts",
    ".pytest_cache",
    ".ruff_cache",
    "db.sqlite3",
}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def parse_po(path: Path) -> list[Entry]:
    """The active entries of a .po file (no header, no obsolete ``#~`` entries), enough for these checks."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = Entry()
        target: tuple[str, int | None] | None = None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif not line or line.startswith("#"):
                continue
            elif line.startswith('"'):
                assert target is not None, f"{path}: a continuation line without a keyword: {line}"
                _append(entry, target, ast.literal_eval(line))
            else:
                keyword, _, rest = line.partition(" ")
                plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if plural_form:
                    target = ("msgstr", int(plural_form.group(1)))
                elif keyword in ("msgid", "msgid_plural", "msgstr", "msgctxt"):
                    target = (keyword, None)
                else:
                    raise AssertionError(f"{path}: unexpected line {line!r}")
                _append(entry, target, ast.literal_eval(rest))
        if entry.msgstr and entry.msgid:  # the header has an empty msgid
            entries.append(entry)
    return entries


def _append(entry: Entry, target: tuple[str, int | None], text: str) -> None:
    keyword, index = target
    if keyword == "msgid":
        entry.msgid += text
    elif keyword == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    elif keyword == "msgstr":
        key = index or 0
        entry.msgstr[key] = entry.msgstr.get(key, "") + text


def problems_of(entries: list[Entry]) -> list[str]:
    return [f"{'fuzzy' if e.fuzzy else 'untranslated'}: {e.msgid!r}" for e in entries if e.fuzzy or not e.translated]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|</?[a-zA-Z][^>]*>")


def test_every_italian_string_is_translated():
    entries = parse_po(PROJECT / IT_CATALOG)
    assert len(entries) > 100, "the Italian catalog looks empty"
    problems = problems_of(entries)
    assert not problems, "\n".join(problems)

    # msgfmt agrees (it also checks the python-format placeholders of every entry), and compiles it.
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(PROJECT / IT_CATALOG)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert f"{len(entries)} translated messages" in result.stderr, result.stderr


def test_italian_translations_keep_every_placeholder_and_html_tag():
    mismatches = []
    for entry in parse_po(PROJECT / IT_CATALOG):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for index, translation in entry.msgstr.items():
            source = sources[min(index, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
                mismatches.append((source, translation))
    assert not mismatches, "\n".join(f"{source!r} -> {translation!r}" for source, translation in mismatches)


# A date written day first after "il", "al", "dal": Italian reads "l'8 dicembre", "l'11", never "il 8", "il 11"; the
# portal writes "il giorno 8 dicembre" (as in "fino al giorno", "dal giorno"), right for every day of the month.
ARTICLE_BEFORE_A_DATE = re.compile(r"\b(?:il|al|dal|del|nel) %\((?:date|when|until|start|end|expiry|before|last)\)s")


def test_italian_never_puts_il_or_al_straight_before_a_date():
    wrong = [
        (entry.msgid, translation)
        for entry in parse_po(PROJECT / IT_CATALOG)
        for translation in entry.msgstr.values()
        if ARTICLE_BEFORE_A_DATE.search(translation)
    ]
    assert not wrong, "\n".join(f"{source!r} -> {translation!r}" for source, translation in wrong)


def test_a_deadline_on_the_11th_reads_entro_il_giorno_11_in_italian():
    from django.utils import translation

    with translation.override("it"):
        assert translation.gettext("by %(date)s") % {"date": "11 dic 2026"} == "entro il giorno 11 dic 2026"
        assert translation.gettext("created %(date)s") % {"date": "8 dic 2026"} == "creata il giorno 8 dic 2026"


def test_italian_catalog_covers_every_string_in_the_code(tmp_path):
    # makemessages rewrites the catalog in place: run it on a copy of the sources, never on the real one.
    copy = tmp_path / "project"
    copy.mkdir()
    for item in PROJECT.iterdir():
        if item.name in NOT_SOURCE:
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
        else:
            shutil.copy2(item, copy / item.name)

    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "it", *MAKEMESSAGES_OPTIONS],
        cwd=copy,
        env={**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "mediazione.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    # A string new in the code arrives empty, or fuzzy with msgmerge's guess: both must be translated first.
    problems = problems_of(parse_po(copy / IT_CATALOG))
    assert not problems, "strings of the code missing from locale/it (see this module's docstring):\n" + "\n".join(
        problems
    )
