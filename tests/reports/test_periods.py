"""Report periods: Asia/Shanghai calendar days, ISO weeks from Monday, quarters, and the
split into whole months plus partial months at either end."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.periods import Period, period_of, split

D = dt.date


@pytest.mark.parametrize(
    ("kind", "anchor", "start", "end"),
    [
        ("day", D(2027, 3, 31), D(2027, 3, 31), D(2027, 3, 31)),
        ("week", D(2027, 1, 1), D(2026, 12, 28), D(2027, 1, 3)),  # ISO week 53 of 2026 runs into 2027
        ("week", D(2027, 3, 29), D(2027, 3, 29), D(2027, 4, 4)),
        ("month", D(2028, 2, 10), D(2028, 2, 1), D(2028, 2, 29)),
        ("quarter", D(2027, 5, 31), D(2027, 4, 1), D(2027, 6, 30)),
        ("quarter", D(2027, 12, 1), D(2027, 10, 1), D(2027, 12, 31)),
        ("year", D(2027, 7, 4), D(2027, 1, 1), D(2027, 12, 31)),
    ],
)
def test_periods(kind, anchor, start, end):
    period = period_of(kind, anchor)
    assert (period.start, period.end) == (start, end)
    assert period.shifted(1).start == end + dt.timedelta(days=1)
    assert period.shifted(-1).end == start - dt.timedelta(days=1)


def test_labels_and_bounds():
    assert period_of("week", D(2027, 1, 1)).label == "2026年第53周（12月28日—1月3日）"
    assert period_of("quarter", D(2027, 5, 1)).label == "2027年第2季度"
    lo, hi = period_of("day", D(2027, 3, 31)).bounds()
    assert (lo.isoformat(), hi.isoformat()) == ("2027-03-31T00:00:00+08:00", "2027-04-01T00:00:00+08:00")
    assert Period("custom", D(2027, 1, 2), D(2027, 1, 5)).shifted(1) is None


@given(st.dates(D(2001, 1, 1), D(2097, 1, 1)), st.integers(0, 1200))
def test_split_covers_every_day_exactly_once_with_as_few_rows_as_possible(start, length):
    end = start + dt.timedelta(days=length)
    days = []
    for grain, first, last in split(start, end):
        assert first <= last
        if grain == "day":
            days += [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        elif grain == "month":
            assert first.day == 1 and last.day == 1
            month = first
            while month <= last:
                following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                days += [month + dt.timedelta(days=n) for n in range((following - month).days)]
                month = following
        else:
            assert grain == "year" and (first.month, first.day) == (last.month, last.day) == (1, 1)
            for year in range(first.year, last.year + 1):
                days += [D(year, 1, 1) + dt.timedelta(days=n) for n in range((D(year + 1, 1, 1) - D(year, 1, 1)).days)]
    assert sorted(days) == [start + dt.timedelta(days=n) for n in range(length + 1)]
    # Day rows only for partial months; month rows only for partial years.
    day_ranges = [(a, b) for g, a, b in split(start, end) if g == "day"]
    assert all((a.year, a.month) == (b.year, b.month) for a, b in day_ranges) or len(day_ranges) == 1


def test_split_of_a_year_a_quarter_and_a_range_across_years():
    assert split(D(2027, 1, 1), D(2027, 12, 31)) == [("year", D(2027, 1, 1), D(2027, 1, 1))]
    assert split(D(2027, 4, 1), D(2027, 6, 30)) == [("month", D(2027, 4, 1), D(2027, 6, 1))]
    assert split(D(2026, 12, 15), D(2029, 1, 10)) == [
        ("year", D(2027, 1, 1), D(2028, 1, 1)),
        ("day", D(2026, 12, 15), D(2026, 12, 31)),
        ("day", D(2029, 1, 1), D(2029, 1, 10)),
    ]
