"""Selectors resolve through the catalogue's indexes exactly as a scan of every entry with Entry.matches would."""

from __future__ import annotations

from dfix.engine import catalogue


def _words() -> set[str]:
    words = {"DF", "df2", "DF20", "DF1", "df", "DF9", " DF200 ", "dl3009", "DL1001", "nope", "df0", "DF00", "DF2000"}
    for entry in catalogue().entries:
        words |= {entry.code, entry.code.lower(), entry.name, entry.name.upper(), *entry.aliases}
        words |= {alias.lower() for alias in entry.aliases}
    return words


def test_indexed_lookup_names_what_a_scan_names() -> None:
    found = catalogue()
    for word in sorted(_words()):
        key = word.strip()
        scanned = sorted(entry.code for entry in found.entries if entry.matches(key))
        indexed = sorted(entry.code for entry in found._named(key, key.upper()))
        assert indexed == scanned, word
