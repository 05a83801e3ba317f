"""``manage.py load_regions``: the official tree from the shipped CSV files."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from producers.models import Region

DIVISIONS = Path(__file__).resolve().parents[2] / "producers" / "data" / "divisions"


def csv_codes(filename: str, province: str | None) -> list[str]:
    """Codes in one of the shipped files, read here independently of the loader."""
    with open(DIVISIONS / filename, encoding="utf-8", newline="") as fh:
        return [row["code"] for row in csv.DictReader(fh) if province is None or row["code"][:2] == province]


def level_counts(prefix: str = "") -> dict[int, int]:
    qs = Region.objects.filter(code__startswith=prefix, is_official=True)
    return {level: qs.filter(level=level).count() for level in range(1, 5)}


def run(*args) -> str:
    out = io.StringIO()
    call_command("load_regions", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_one_province_loads_every_csv_row_with_parents():
    output = run("--provinces", "52")

    expected = {
        1: len(csv_codes("provinces.csv", "52")),
        2: len(csv_codes("cities.csv", "52")),
        3: len(csv_codes("areas.csv", "52")),
        4: len(csv_codes("streets.csv", "52")),
    }
    assert expected == {1: 1, 2: 9, 3: 88, 4: 1510}  # Guizhou in the 2022 data
    assert level_counts() == expected
    assert Region.objects.count() == sum(expected.values())
    assert "乡/镇/街道: 1510 (1510 created, 0 updated, 0 unchanged)" in output
    # Codes nest by prefix and every parent link follows them.
    township = Region.objects.select_related("parent__parent__parent").get(code="522636203")
    assert township.name == "南皋乡"
    assert [township.parent.code, township.parent.parent.code, township.parent.parent.parent.code] == [
        "522636",
        "5226",
        "52",
    ]
    assert township.full_name() == "贵州省 黔东南苗族侗族自治州 丹寨县 南皋乡"
    mismatched = [
        r.code
        for r in Region.objects.select_related("parent").exclude(level=1)
        if r.parent.code != r.code[: {2: 2, 3: 4, 4: 6}[r.level]]
    ]
    assert mismatched == []


@pytest.mark.django_db
def test_default_is_shandong_henan_guizhou_and_a_second_run_changes_nothing():
    run()
    expected_total = sum(
        len(csv_codes(f, p))
        for f in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv")
        for p in ("37", "41", "52")
    )
    assert expected_total == 6415
    assert Region.objects.count() == expected_total
    assert set(Region.objects.filter(level=1).values_list("name", flat=True)) == {"山东省", "河南省", "贵州省"}

    output = run()

    assert Region.objects.count() == expected_total
    assert "regions loaded: 0 created" in output
    assert "(0 created, 0 updated, 5949 unchanged)" in output


@pytest.mark.django_db
def test_a_changed_name_or_parent_is_put_back():
    run("--provinces", "37")
    shanxian = Region.objects.get(code="371722")
    shanxian.name = "改错的名字"
    shanxian.parent = Region.objects.get(code="3704")
    shanxian.save()

    output = run("--provinces", "37")

    shanxian.refresh_from_db()
    assert (shanxian.name, shanxian.parent.code) == ("单县", "3717")
    assert "县/区: 151 (0 created, 1 updated, 150 unchanged)" in output


@pytest.mark.django_db
def test_municipality_districts_are_real_nodes():
    run("--provinces", "11,41")

    beijing_districts = Region.objects.get(code="1101")
    assert (beijing_districts.name, beijing_districts.parent.name, beijing_districts.level) == ("市辖区", "北京市", 2)
    assert Region.objects.get(code="110101").parent_id == beijing_districts.pk
    # Henan's county-level units governed by the province hang under their own city node.
    assert Region.objects.get(code="419001").parent.name == "省直辖县级行政区划"
    # The full name leaves out the placeholder city level.
    assert Region.objects.get(code="110101001").full_name() == "北京市 东城区 东华门街道"


@pytest.mark.django_db
def test_all_loads_every_province():
    run("--all")

    assert level_counts() == {
        1: len(csv_codes("provinces.csv", None)),
        2: len(csv_codes("cities.csv", None)),
        3: len(csv_codes("areas.csv", None)),
        4: len(csv_codes("streets.csv", None)),
    }
    assert Region.objects.count() == 31 + 342 + 2978 + 41352


@pytest.mark.django_db
def test_unknown_province_is_refused_and_nothing_is_loaded():
    with pytest.raises(CommandError, match="99"):
        run("--provinces", "37,99")
    assert Region.objects.count() == 0
