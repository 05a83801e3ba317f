"""Money is integer fen everywhere; these only format and parse it at the edges.

``yuan`` is how an amount is shown to a person (pages, e-mails, messages); ``yuan_decimal``
how it goes into a spreadsheet cell (an exact ``Decimal``, so XLSX keeps a number);
``format_fen`` the bare figure, for forms and tables that carry the ¥ elsewhere. The
templates use the same functions through the ``money`` filters (``core/templatetags``)."""

from decimal import Decimal, InvalidOperation

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


def parse_yuan(text: str) -> int:
    """'123.45' -> 12345 fen. Raises ValueError for anything that is not a yuan amount
    with at most two decimals."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"不是有效的金额：{text!r}") from exc
    if value != value.quantize(Decimal("0.01")) or value < 0:
        raise ValueError(f"金额最多两位小数且不能为负：{text!r}")
    return int(value * 100)


def bp_percent(bp: int | None) -> str:
    """Basis points as a percentage, exactly: 2550 -> '25.50%'."""
    bp = bp or 0
    sign = "-" if bp < 0 else ""
    bp = abs(bp)
    return f"{sign}{bp // 100}.{bp % 100:02d}%"
