"""Calendar days in Asia/Shanghai (the default time zone) as moments: every report,
statement and catalogue filter counts a day from its local midnight."""

import datetime as dt

from django.utils import timezone


def day_start(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in Asia/Shanghai, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def day_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start 00:00, the day after end 00:00): both days inclusive; either may be open (None)."""
    return (day_start(start) if start else None, day_start(end + dt.timedelta(days=1)) if end else None)
