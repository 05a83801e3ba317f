"""Hooks that apps above traceability fill when they start (traceability imports none of them).

``shipped_units_source``: how many sale units have been shipped from a batch. Orders records
the batch of each order line at shipping (``orders.OrderLine.batch``) and registers the real
count in ``orders/apps.py``; until it does (or in an app set without orders) nothing has
shipped. Traceability asks it to refuse lowering a batch's quantity below what was shipped
and to say how many units a batch has left."""

from collections.abc import Callable


def _nothing_shipped(batch_id: int) -> int:
    return 0


class ShippedUnitsSource:
    """A settable callable ``shipped_units(batch_id) -> int`` (default: 0)."""

    def __init__(self) -> None:
        self._source: Callable[[int], int] = _nothing_shipped

    def register(self, source: Callable[[int], int]) -> None:
        self._source = source

    def reset(self) -> None:
        self._source = _nothing_shipped

    def __call__(self, batch_id: int) -> int:
        return int(self._source(batch_id))


shipped_units_source = ShippedUnitsSource()


def shipped_units(batch_id: int) -> int:
    """Units shipped from batch ``batch_id`` (through the registered source)."""
    return shipped_units_source(batch_id)
