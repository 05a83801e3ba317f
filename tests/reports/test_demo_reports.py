"""A fresh demo gives the county officer a dashboard with figures on it, and the whole
demo ledger agrees with the audit and the summaries."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from attribution.audit import audit_ledger
from core.models import User
from reports.services import summary_differences

from . import ledger_math as lm

pytestmark = pytest.mark.django_db


def test_officer_shanxian_opens_a_dashboard_with_figures(client):
    call_command("load_demo", "--no-images", stdout=io.StringIO(), stderr=io.StringIO())
    assert audit_ledger().ok
    assert summary_differences() == []

    client.force_login(User.objects.get(username="officer-shanxian"))
    today = timezone.localdate()
    page = client.get("/admin/reports/")
    assert page.status_code == 200 and f"单县消费帮扶报表 · {today.year}年{today.month}月" in page.content.decode()
    data = client.get("/api/reports/", {"period": "month"}).json()
    summary = {row["item"]: row for row in data["tables"]["summary"]["rows"]}
    assert summary["消费帮扶净额"]["amount_fen"] > 0
    assert summary["退款冲减"]["amount_fen"] < 0
    assert summary["受益帮扶户（期间净收入大于零）"]["count"] > 0
    assert {row["buyer_type"] for row in data["tables"]["buyer_types"]["rows"] if row["net_fen"]} == {
        "个人",
        "预算单位",
        "工会",
        "企业",
    }
    # The demo's budget unit with its quota (¥9,000.00) and what was bought for it; the demo
    # sales that typed its tax ID in at checkout are not its orders.
    [unit] = data["tables"]["reserved_shares"]["rows"]
    spent = lm.unit_spent_from_lines(unit["credit_code"], today.year)
    assert (unit["unit"], unit["reserved_fen"], unit["spent_fen"]) == ("单县机关事务服务中心", 900_000, spent)
    assert 0 < spent < 900_000
    # Drilling down to a township, then to a village of 单县, keeps figures.
    township = next(row["code"] for row in data["tables"]["regions"]["rows"] if row["net_fen"])
    township = client.get("/api/reports/", {"period": "month", "region": township}).json()
    village = next(row["code"] for row in township["tables"]["regions"]["rows"] if row["net_fen"])
    village = client.get("/api/reports/", {"period": "month", "region": village}).json()
    assert len(village["filters"]["region"]) == 12
    assert [row["net_fen"] > 0 for row in village["tables"]["regions"]["rows"]] == [True]
