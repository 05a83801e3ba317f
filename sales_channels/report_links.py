"""Where a pairing's own report is (``/admin/channels/pairings/<id>/report/``).

The report is the reports app's, a layer above; the pairings' admin pages link to it. So
``reports`` registers the URL builder when its admin hooks load, and the pairings' list and
inspect pages ask here. With nothing registered (no reports app) they show no link."""

from collections.abc import Callable

_builder: list[Callable[[int], str]] = []


def register_report_url(builder: Callable[[int], str]) -> None:
    """Let ``builder(pairing_pk)`` answer the URL of a pairing's report."""
    _builder[:] = [builder]


def report_url(pairing_pk: int) -> str | None:
    """The URL of the pairing's report, or None when no app serves one."""
    return _builder[0](pairing_pk) if _builder else None
