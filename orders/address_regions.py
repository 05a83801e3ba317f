"""The address-region table (``models.AddressRegion``): the province, city and county of
every province of China, made from the official division codes that
``producers/data/divisions`` ships (``producers.regions.read_divisions``), in the shape
Chinese shops show an address (see ``AddressRegion``).

Loaded by migration ``0004_address_regions`` (so every database, the test databases and
the state their transactional tests restore included, has it from ``migrate`` on; nothing
reads the CSV files at request time). ``sync_address_regions`` is idempotent and never
deletes: a later edition of the codes adds and renames, and saved addresses keep the rows
they point to."""

from dataclasses import dataclass

from producers.models import Region
from producers.regions import read_divisions

PROVINCE, CITY, COUNTY = 1, 2, 3  # AddressRegion.Level, as plain numbers for the migration's model

# 北京, 天津, 上海, 重庆: their "cities" in the codes are 市辖区 (and Chongqing's 县); shops
# show one city named as the municipality, with every district and county under it.
MUNICIPALITIES = ("11", "12", "31", "50")
# County-level units governed by the province: each is shown as a city whose one county is itself.
DIRECT_COUNTY_GROUPS = ("省直辖县级行政区划", "自治区直辖县级行政区划")
BATCH_SIZE = 1000


@dataclass(frozen=True)
class AddressDivision:
    code: str
    name: str
    level: int
    parent_code: str | None
    full_name: str


def _join(*names: str) -> str:
    """Names from province down, a name repeated by the next level said once:
    北京市 北京市 东城区 → 北京市 东城区; 河南省 济源市 济源市 → 河南省 济源市."""
    parts: list[str] = []
    for name in names:
        if not parts or parts[-1] != name:
            parts.append(name)
    return " ".join(parts)


def address_divisions() -> list[AddressDivision]:
    """Every address region, parents before children (provinces, cities, counties)."""
    divisions = read_divisions(None, max_level=Region.Level.COUNTY)
    provinces = {d.code: d.name for d in divisions if d.level == Region.Level.PROVINCE}
    out = [AddressDivision(code, name, PROVINCE, None, name) for code, name in provinces.items()]
    city_for: dict[str, str] = {}  # a city code of the official data -> the address city's code
    city_name: dict[str, str] = {}
    direct_groups: set[str] = set()
    for city in (d for d in divisions if d.level == Region.Level.CITY):
        province = city.parent_code or city.code[:2]
        if province in MUNICIPALITIES:
            code, name = province + "01", provinces[province]
        elif city.name in DIRECT_COUNTY_GROUPS:
            direct_groups.add(city.code)
            continue
        else:
            code, name = city.code, city.name
        city_for[city.code] = code
        if code not in city_name:
            city_name[code] = name
            out.append(AddressDivision(code, name, CITY, province, _join(provinces[province], name)))
    counties: list[AddressDivision] = []
    for county in (d for d in divisions if d.level == Region.Level.COUNTY):
        province = county.code[:2]
        if county.parent_code in direct_groups:
            full_name = _join(provinces[province], county.name)
            out.append(AddressDivision(county.code, county.name, CITY, province, full_name))
            counties.append(AddressDivision(county.code, county.name, COUNTY, county.code, full_name))
            continue
        city = city_for[county.parent_code]
        full_name = _join(provinces[province], city_name[city], county.name)
        counties.append(AddressDivision(county.code, county.name, COUNTY, city, full_name))
    return out + counties


def sync_address_regions(model) -> dict[str, int]:
    """Insert the missing address regions and correct changed ones, level by level;
    ``model`` is ``AddressRegion`` (or a migration's version of it). Returns the counts."""
    rows = address_divisions()
    existing = {(r.level, r.code): r for r in model.objects.all()}
    ids = {key: r.pk for key, r in existing.items()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for level in (PROVINCE, CITY, COUNTY):
        to_create, to_update = [], []
        for d in (r for r in rows if r.level == level):
            parent_id = ids[(level - 1, d.parent_code)] if d.parent_code else None
            values = {"name": d.name, "parent_id": parent_id, "full_name": d.full_name}
            region = existing.get((level, d.code))
            if region is None:
                to_create.append(model(code=d.code, level=level, **values))
            elif any(getattr(region, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(region, field, value)
                to_update.append(region)
            else:
                counts["unchanged"] += 1
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        model.objects.bulk_update(to_update, ["name", "parent", "full_name"], batch_size=BATCH_SIZE)
        counts["created"] += len(to_create)
        counts["updated"] += len(to_update)
        # Read the keys back rather than trust bulk_create to set them: not every backend does.
        ids.update({(level, code): pk for code, pk in model.objects.filter(level=level).values_list("code", "pk")})
    return counts
