"""Money is integer fen everywhere; these only format and parse it at the edges.

``yuan`` is how an amount is shown to a person (pages, e-mails, messages); ``yuan_decimal``
how it goes into a spreadsheet cell (an exact ``Decimal``, so XLSX keeps a number);
``format_fen`` the bare figure, for forms and tables that carry the ¥ elsewhere. Reading
an amount a person typed is ``core.parsing.yuan_to_fen``. The
templates use the same functions through the ``money`` filters (``core/templatetags``)."""

from decimal import Decimal

CENT = Decimal("0.01")


def format_fen(fen: int) -> str:
    """12345 -> '123.45' (yuan, two decimals, thousands separated), without floats."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def yuan(fen: int | None) -> str:
    """The one way an amount is shown to people: 12345 -> '¥123.45', -50 -> '-¥0.50',
    1234567 -> '¥12,345.67'; None -> '' (nothing to show)."""
    if fen is None:
        return ""
    text = format_fen(fen)
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"


def yuan_decimal(fen: int | None) -> Decimal | str:
    """Fen as a yuan ``Decimal`` with two places, for spreadsheet cells (exact; XLSX keeps it
    a number); None -> '' (an empty cell)."""
    return "" if fen is None else (Decimal(fen) / 100).quantize(CENT)


def bp_percent(bp: int | None) -> str:
    """Basis points as a percentage, exactly: 2550 -> '25.50%'."""
    bp = bp or 0
    sign = "-" if bp < 0 else ""
    bp = abs(bp)
    return f"{sign}{bp // 100}.{bp % 100:02d}%"
