"""Masking of households' personal data for viewers not entitled to it."""


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小文 -> 张*文, 欧阳小文 -> 欧**文."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_registration_number(number: str) -> str:
    """Keep the first four and last four characters: 3704********1234."""
    number = (number or "").strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
