"""How a household is shown: its head's name and its registration number, in full to a
viewer entitled to them, masked to everybody else. Who is entitled is decided in one
place, ``producers.selectors.households_in_scope``; pages show households through
``selectors.household_shown_to`` or the ``{% household %}`` tag (``templatetags/households.py``)."""

from dataclasses import dataclass


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


@dataclass(frozen=True)
class ShownHousehold:
    """A household as one viewer sees it. ``str()`` is the usual label,
    "张小文（371722100200000011）" or "张*文（3717**********0011）"."""

    name: str
    registration_number: str
    full: bool

    def __str__(self) -> str:
        return f"{self.name}（{self.registration_number}）"


def show_household(household, *, entitled: bool) -> ShownHousehold:
    if entitled:
        return ShownHousehold(household.head_name, household.registration_number, True)
    name, number = mask_name(household.head_name), mask_registration_number(household.registration_number)
    return ShownHousehold(name, number, False)
