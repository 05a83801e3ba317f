"""How much of its canteen food spending a budget unit must reserve for products from
poverty-alleviation areas (预留份额): at least 10% nationally, 30% in Beijing, Guangdong
and Jiangxi, 20% in Shenzhen (the most specific region decides: Shenzhen lies in
Guangdong). By the unit's region, in basis points of its planned spending."""

NATIONAL_MINIMUM_BP = 1_000
# Division-code prefix → minimum share. 11 北京市, 44 广东省, 4403 深圳市, 36 江西省.
REGIONAL_MINIMUM_BP = {"11": 3_000, "44": 3_000, "4403": 2_000, "36": 3_000}


def minimum_share_bp(region_code: str) -> int:
    """The minimum reserved share for a unit in ``region_code`` (the longest prefix wins)."""
    for length in (6, 4, 2):
        found = REGIONAL_MINIMUM_BP.get(region_code[:length]) if len(region_code) >= length else None
        if found is not None:
            return found
    return NATIONAL_MINIMUM_BP
