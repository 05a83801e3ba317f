"""What traceability asks of the apps above it, through hooks they fill when they start.

Traceability sits below orders and certification (an order line points at a batch, a
certificate at a product), so it may not import them. It asks instead:

* ``shipped_units(batch_id)``: how many sale units order lines have shipped from a batch,
  so that a batch's quantity is never set below them. Orders registers the answer
  (``register_shipped_units``); with nothing registered, nothing has shipped (0).
* ``certificate_number(product_id)``: the number of the product's certificate to link from
  the public trace page (its verification page, ``/verify/<number>/``), or None.
  Certification registers it (``certification/apps.py``); with nothing registered, None.
"""

from collections.abc import Callable

_shipped_units: Callable[[int], int] | None = None
_certificate_number: Callable[[int], str | None] | None = None


def register_shipped_units(answer: Callable[[int], int] | None) -> None:
    """Let ``answer(batch_id)`` say how many units were shipped from a batch (None: forget it)."""
    global _shipped_units
    _shipped_units = answer


def shipped_units(batch_id: int) -> int:
    return int(_shipped_units(batch_id)) if _shipped_units is not None else 0


def register_certificate_number(answer: Callable[[int], str | None] | None) -> None:
    """Let ``answer(product_id)`` give the number of the product's certificate, or None."""
    global _certificate_number
    _certificate_number = answer


def certificate_number(product_id: int) -> str | None:
    return _certificate_number(product_id) if _certificate_number is not None else None
