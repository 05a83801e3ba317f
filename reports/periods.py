"""Report periods: a day, an ISO week (Monday to Sunday), a month, a quarter, a year or
a custom range of Asia/Shanghai calendar days, both ends inclusive.

``split`` cuts a period into whole calendar years, whole months and the days left over,
the grains the summary tables keep, so that a report reads as few rows as possible and
figures that are not additive over days (distinct households) stay exact."""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import dateformat, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from core.days import day_bounds

KINDS = {
    "day": gettext_lazy("日"),
    "week": gettext_lazy("周"),
    "month": gettext_lazy("月"),
    "quarter": gettext_lazy("季度"),
    "year": gettext_lazy("年"),
    "custom": gettext_lazy("自定义"),
}
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self):
        for n in range(self.days):
            yield self.start + dt.timedelta(days=n)

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if self.kind == "day":
            return date_format(s, "DATE_FORMAT")
        if self.kind == "week":
            year, week, _day = s.isocalendar()
            month_day = gettext("n月j日")  # a date format: the English catalog says "M j"
            return gettext("%(year)s年第%(week)s周（%(start)s—%(end)s）") % {
                "year": year,
                "week": week,
                "start": dateformat.format(s, month_day),
                "end": dateformat.format(e, month_day),
            }
        if self.kind == "month":
            return date_format(s, "YEAR_MONTH_FORMAT")
        if self.kind == "quarter":
            return gettext("%(year)s年第%(quarter)s季度") % {"year": s.year, "quarter": (s.month - 1) // 3 + 1}
        if self.kind == "year":
            return gettext("%(year)s年") % {"year": s.year}
        return gettext("%(start)s 至 %(end)s") % {"start": s.isoformat(), "end": e.isoformat()}

    def shifted(self, step: int) -> "Period | None":
        """The previous (-1) or next (+1) period of the same kind; None for custom ranges
        or beyond the supported dates."""
        if self.kind == "custom":
            return None
        anchor = self.start - dt.timedelta(days=1) if step < 0 else self.end + dt.timedelta(days=1)
        if not EARLIEST <= anchor <= LATEST:
            return None
        return period_of(self.kind, anchor)

    def params(self) -> dict[str, str]:
        """Query parameters that select this period again."""
        if self.kind == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.kind, "date": self.start.isoformat()}

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, day after end 00:00) in Asia/Shanghai, as aware datetimes."""
        return day_bounds(self.start, self.end)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_of(kind: str, anchor: dt.date) -> Period:
    """The period of ``kind`` (not custom) that contains ``anchor``."""
    if kind == "day":
        return Period(kind, anchor, anchor)
    if kind == "week":
        start = anchor - dt.timedelta(days=anchor.isoweekday() - 1)
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "month":
        start = anchor.replace(day=1)
        return Period(kind, start, _month_end(start))
    if kind == "quarter":
        first_month = (anchor.month - 1) // 3 * 3 + 1
        start = anchor.replace(month=first_month, day=1)
        return Period(kind, start, _month_end(start.replace(month=first_month + 2)))
    if kind == "year":
        return Period(kind, anchor.replace(month=1, day=1), anchor.replace(month=12, day=31))
    raise ValueError(f"unknown period kind {kind!r}")


def _split_months(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """[start, end] as (first days of the first and last whole month, or None) and the
    day ranges left at either end."""
    first_full = start if start.day == 1 else _month_end(start) + dt.timedelta(days=1)
    last_full_end = end if end == _month_end(end) else end.replace(day=1) - dt.timedelta(days=1)
    if first_full > last_full_end:
        return None, [(start, end)]
    edges = []
    if start < first_full:
        edges.append((start, first_full - dt.timedelta(days=1)))
    if last_full_end < end:
        edges.append((last_full_end + dt.timedelta(days=1), end))
    return (first_full, last_full_end.replace(day=1)), edges


def split(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """[start, end] as summary rows to read: (grain, first, last) means the rows of that
    grain whose period starts on a day in [first, last]. Whole calendar years first, then
    whole months of what is left, then the days at either end; together they cover every
    day of the period exactly once.

    >>> split(dt.date(2026, 11, 20), dt.date(2028, 2, 3))  # doctest: +NORMALIZE_WHITESPACE
    [('year', datetime.date(2027, 1, 1), datetime.date(2027, 1, 1)),
     ('month', datetime.date(2026, 12, 1), datetime.date(2026, 12, 1)),
     ('day', datetime.date(2026, 11, 20), datetime.date(2026, 11, 30)),
     ('month', datetime.date(2028, 1, 1), datetime.date(2028, 1, 1)),
     ('day', datetime.date(2028, 2, 1), datetime.date(2028, 2, 3))]
    """
    parts: list[tuple[str, dt.date, dt.date]] = []
    first_year = start if (start.month, start.day) == (1, 1) else dt.date(start.year + 1, 1, 1)
    last_year_end = end if (end.month, end.day) == (12, 31) else dt.date(end.year - 1, 12, 31)
    if first_year <= last_year_end:
        parts.append(("year", first_year, dt.date(last_year_end.year, 1, 1)))
        pieces = [(start, first_year - dt.timedelta(days=1)), (last_year_end + dt.timedelta(days=1), end)]
        pieces = [(a, b) for a, b in pieces if a <= b]
    else:
        pieces = [(start, end)]
    for a, b in pieces:
        months, days = _split_months(a, b)
        if months:
            parts.append(("month", *months))
        parts += [("day", x, y) for x, y in days]
    return parts


# --- the years of a pairing (sales_channels.Pairing: valid_from, valid_to) -----------------------------------------


def pairing_years(pairing, today: dt.date | None = None) -> list[int]:
    """The Asia/Shanghai calendar years a pairing was (or is) in force, up to this year:
    from its first day's year to its last day's (or this year, when it runs on)."""
    today = today or timezone.localdate()
    first = pairing.valid_from.year
    last = pairing.valid_to.year if pairing.valid_to else today.year
    last = max(first, min(last, today.year))
    return list(range(first, last + 1))


def default_pairing_year(pairing, today: dt.date | None = None) -> int:
    """This year when the pairing is in force in it, else its last year in force."""
    today = today or timezone.localdate()
    years = pairing_years(pairing, today)
    return today.year if today.year in years else years[-1]


def nearest_pairing_year(pairing, year: int, today: dt.date | None = None) -> int:
    """``year``, or the pairing's year in force closest to it (a link from a report of
    another period)."""
    years = pairing_years(pairing, today)
    return min(max(year, years[0]), years[-1])
