"""Money is integer fen everywhere; these only format and parse at the edges."""

from decimal import Decimal, InvalidOperation


def format_fen(fen: int) -> str:
    """12345 -> '123.45' (yuan, two decimals), without going through floats."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


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
