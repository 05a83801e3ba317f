"""Loading the official region tree (province > city > county > township) from the
division-code CSV files shipped in ``producers/data/divisions`` (see the README there).

Villages are not official data here: the demo data makes its own under real townships."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Region

DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "divisions"

# Shandong (Heze, Zaozhuang, Liaocheng), Henan (Zhengzhou) and Guizhou: the places in the sources.
DEFAULT_PROVINCES = ("37", "41", "52")

# One CSV file per level, with the column naming each row's parent.
_LEVEL_FILES = [
    (Region.Level.PROVINCE, "provinces.csv", None),
    (Region.Level.CITY, "cities.csv", "provinceCode"),
    (Region.Level.COUNTY, "areas.csv", "cityCode"),
    (Region.Level.TOWNSHIP, "streets.csv", "areaCode"),
]
BATCH_SIZE = 2000
# SQLite limits the number of parameters of one statement; stay well below it.
_LOOKUP_CHUNK = 900


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int
    parent_code: str | None


@dataclass
class LevelCounts:
    """What one load did to one level of the tree."""

    level: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def read_divisions(
    provinces: Iterable[str] | None = DEFAULT_PROVINCES, *, max_level: int = Region.Level.TOWNSHIP
) -> list[Division]:
    """The divisions of ``provinces`` (2-digit codes; None for all) down to ``max_level``,
    parents before children."""
    wanted = None if provinces is None else {p.strip() for p in provinces}
    out: list[Division] = []
    for level, filename, parent_column in _LEVEL_FILES:
        if level > max_level:
            break
        with open(DIVISIONS_DIR / filename, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = row["code"].strip()
                if wanted is not None and code[:2] not in wanted:
                    continue
                out.append(
                    Division(
                        code=code,
                        name=row["name"].strip(),
                        level=level,
                        parent_code=row[parent_column].strip() if parent_column else None,
                    )
                )
    return out


def province_codes() -> list[str]:
    """Every province code in the shipped data."""
    return [d.code for d in read_divisions(None) if d.level == Region.Level.PROVINCE]


def _existing(codes: list[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        chunk = codes[start : start + _LOOKUP_CHUNK]
        for region in Region.objects.filter(code__in=chunk).only(
            "pk", "code", "name", "level", "parent_id", "is_official"
        ):
            found[region.code] = region
    return found


@transaction.atomic
def load_regions(provinces: Iterable[str] | None = DEFAULT_PROVINCES) -> dict[int, LevelCounts]:
    """Insert or update the official regions of ``provinces`` (None: all of them), level
    by level so that every parent exists before its children. Idempotent: a second run
    creates and updates nothing. Returns what happened at each level."""
    divisions = read_divisions(provinces)
    if provinces is not None:
        known = {d.code for d in divisions if d.level == Region.Level.PROVINCE}
        unknown = sorted({p.strip() for p in provinces} - known)
        if unknown:
            raise ValueError(f"未知的省级代码 unknown province codes: {', '.join(unknown)}")
    counts: dict[int, LevelCounts] = {}
    ids_by_code: dict[str, int] = {}
    for level, _filename, _column in _LEVEL_FILES:
        rows = [d for d in divisions if d.level == level]
        counts[level] = level_counts = LevelCounts(level=level)
        existing = _existing([d.code for d in rows])
        # Parents of this level that were loaded before (e.g. by an earlier, narrower run).
        missing_parents = sorted({d.parent_code for d in rows if d.parent_code and d.parent_code not in ids_by_code})
        ids_by_code.update({code: r.pk for code, r in _existing(missing_parents).items()})
        to_create: list[Region] = []
        to_update: list[Region] = []
        for d in rows:
            parent_id = ids_by_code[d.parent_code] if d.parent_code else None
            region = existing.get(d.code)
            if region is None:
                to_create.append(Region(code=d.code, name=d.name, level=level, parent_id=parent_id, is_official=True))
                continue
            if (region.name, region.level, region.parent_id, region.is_official) == (d.name, level, parent_id, True):
                level_counts.unchanged += 1
                continue
            region.name, region.level, region.parent_id, region.is_official = d.name, level, parent_id, True
            to_update.append(region)
        Region.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        Region.objects.bulk_update(to_update, ["name", "level", "parent", "is_official"], batch_size=BATCH_SIZE)
        level_counts.created = len(to_create)
        level_counts.updated = len(to_update)
        # Read the keys back rather than trust bulk_create to set them: not every backend does.
        ids_by_code.update({code: r.pk for code, r in _existing([d.code for d in rows]).items()})
    return counts
