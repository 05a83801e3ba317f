"""Statements: who may read which beneficiary's statement (the permission matrix), what
is masked for whom, totals that match the ledger, CSV/PDF exports, the household's own
lookup with its access code, and bounded query counts."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from attribution.lookup import number_digest
from attribution.models import LedgerEntry, StatementAccess, StatementLookupCounter
from attribution.tasks import purge_statement_lookups_task
from producers.models import BenefitMode
from producers.services import ShareSpec, revise_benefit_linkage

from .conftest import buy_and_pay

pytestmark = pytest.mark.django_db


def url(kind, beneficiary, name="statement"):
    return reverse(f"attribution_admin:{name}", args=[kind, beneficiary.pk])


def ledger_net(key, **filters) -> int:
    return LedgerEntry.objects.filter(beneficiary_key=key, **filters).aggregate(s=Sum("amount_fen"))["s"] or 0


# --- the permission matrix ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, household, status",
    [
        ("admin", "zhang", 200),
        ("officer_city", "zhang", 200),
        ("officer_city", "chen", 200),
        ("officer_a", "zhang", 200),
        ("officer_a", "chen", 404),  # 成武县's household: another county
        ("officer_b", "zhang", 404),
        ("operator_a", "zhang", 200),
        ("operator_a", "chen", 404),  # benefits from shop B only
        ("operator_b", "chen", 200),
        ("operator_b", "zhang", 404),
        ("buyer", "zhang", 302),  # no admin access at all: Wagtail sends them to sign in
    ],
)
def test_who_may_open_a_household_statement(client, sales, who, household, status):
    client.force_login(getattr(sales, who))
    for name in ("statement", "statement_csv", "statement_pdf"):
        response = client.get(url("household", getattr(sales, household), name))
        assert response.status_code == status
        if status == 302:
            assert "/admin/login/" in response["Location"]


def test_signed_out_visitors_are_sent_to_sign_in(client, sales):
    response = client.get(url("household", sales.zhang))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_unknown_kind_or_id_is_404(client, sales):
    client.force_login(sales.admin)
    assert client.get(reverse("attribution_admin:statement", args=["producer", sales.coop.pk])).status_code == 404
    assert client.get(reverse("attribution_admin:statement", args=["household", 999999])).status_code == 404


def test_collective_statements_follow_the_same_rules(client, sales):
    client.force_login(sales.officer_a)
    assert client.get(url("collective", sales.collective)).status_code == 200
    client.force_login(sales.officer_b)
    assert client.get(url("collective", sales.collective)).status_code == 404


# --- contents and masking -------------------------------------------------------------------------------------------


def test_the_statement_matches_the_ledger_to_the_fen(client, sales):
    w = sales
    client.force_login(w.officer_a)
    page = client.get(url("household", w.zhang)).content.decode()
    key = f"household:{w.zhang.pk}"
    # Zhang holds 30 % of 5 yam boxes at 38.80, less 30 % of the refunded box.
    assert ledger_net(key) == 3492 + 2328 - 1164 == 4656
    assert 'data-net-fen="4656"' in page
    assert "¥58.20" in page and "¥-11.64" in page and "¥46.56" in page  # sales, reversal, net
    assert "张小文" in page and "371722100200000011" in page  # in the officer's jurisdiction: unmasked
    assert "保底收购" in page and "单县铁棍山药" in page


def test_an_operator_sees_only_their_shops_entries_and_masked_outsiders(client, sales):
    w = sales
    # Shop B's oil now also benefits Zhang, who lives outside shop B's region.
    revise_benefit_linkage(w.oil, [ShareSpec(2000, BenefitMode.EMPLOYMENT, household=w.zhang)])
    buy_and_pay(w, [(w.oil, 1)])

    client.force_login(w.operator_b)
    page = client.get(url("household", w.zhang)).content.decode()
    assert "张*文" in page and "3717**********0011" in page
    assert "张小文" not in page and "371722100200000011" not in page
    assert 'data-net-fen="2560"' in page  # 20 % of 128.00: shop B's entries only
    assert "单县铁棍山药" not in page
    assert "只列出您运营的网店" in page
    assert "发放/重置查询码" not in page

    client.force_login(w.operator_a)
    page = client.get(url("household", w.zhang)).content.decode()
    assert 'data-net-fen="4656"' in page and "张小文" in page


def test_the_index_lists_only_reachable_beneficiaries(client, sales):
    client.force_login(sales.operator_a)
    page = client.get(reverse("attribution_admin:statements")).content.decode()
    assert "张小文" in page and "李四" in page and "王大山" in page
    assert "陈芳" not in page
    client.force_login(sales.officer_b)
    page = client.get(reverse("attribution_admin:statements")).content.decode()
    assert "陈芳" in page and "张小文" not in page
    page = client.get(reverse("attribution_admin:statements") + "?kind=collective").content.decode()
    assert "朱楼村股份经济合作社" not in page


def test_a_period_filter_keeps_only_its_days_and_bad_periods_say_why(client, sales):
    client.force_login(sales.admin)
    page = client.get(url("household", sales.zhang) + "?start=2020-01-01&end=2020-12-31").content.decode()
    assert 'data-net-fen="0"' in page and "本期没有收益记录" in page
    page = client.get(url("household", sales.zhang) + "?start=2026-12-31&end=2020-01-01").content.decode()
    assert "结束日期不能早于开始日期" in page
    response = client.get(url("household", sales.zhang) + "?start=not-a-date")
    assert response.status_code == 200 and "有效的日期" in response.content.decode()


def test_csv_has_every_entry_and_the_same_total(client, sales):
    client.force_login(sales.officer_city)
    response = client.get(url("household", sales.zhang, "statement_csv"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [line.split(",") for line in body.strip().splitlines()]
    assert rows[0][-1] == "金额(分)"
    assert sorted(int(r[-1]) for r in rows[1:]) == [-1164, 2328, 3492]
    assert sum(int(r[-1]) for r in rows[1:]) == 4656


def test_pdf_downloads(client, sales):
    client.force_login(sales.operator_a)
    response = client.get(url("collective", sales.collective, "statement_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000


# --- the household's own lookup -------------------------------------------------------------------------------------


def issue_code(client, operator, household) -> str:
    client.force_login(operator)
    response = client.post(reverse("attribution_admin:issue_access_code", args=[household.pk]), follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    client.logout()
    return re.search(r"新的查询码：([A-Z0-9]{8})", message).group(1)


def test_a_household_reads_its_own_statement_with_its_code(client, sales):
    code = issue_code(client, sales.operator_a, sales.zhang)
    assert StatementAccess.objects.get(household=sales.zhang).code_hash != code  # only a hash is kept

    response = client.post(
        reverse("attribution:lookup"), {"registration_number": "371722100200000011", "access_code": code.lower()}
    )
    assert response.status_code == 302 and response["Location"] == reverse("attribution:mine")
    page = client.get(reverse("attribution:mine")).content.decode()
    assert "张小文" in page and 'data-net-fen="4656"' in page
    csv = b"".join(client.get(reverse("attribution:mine_csv")).streaming_content).decode("utf-8-sig")
    assert sum(int(line.rsplit(",", 1)[1]) for line in csv.strip().splitlines()[1:]) == 4656

    client.post(reverse("attribution:leave"))
    assert client.get(reverse("attribution:mine"))["Location"] == reverse("attribution:lookup")


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(client, sales):
    cache.clear()
    issue_code(client, sales.operator_a, sales.zhang)
    wrong = client.post(
        reverse("attribution:lookup"), {"registration_number": "371722100200000011", "access_code": "AAAAAAAA"}
    )
    unknown = client.post(
        reverse("attribution:lookup"), {"registration_number": "371722100299999999", "access_code": "AAAAAAAA"}
    )
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "不正确" in str(wrong.context["form"].non_field_errors())
    assert client.get(reverse("attribution:mine")).status_code == 302


def test_lookups_are_rate_limited_even_for_the_right_code(client, sales, settings):
    cache.clear()
    settings.STATEMENT_LOOKUP_MAX_FAILURES = 3
    code = issue_code(client, sales.operator_a, sales.zhang)
    for _ in range(3):
        client.post(reverse("attribution:lookup"), {"registration_number": "371722100200000011", "access_code": "X"})
    response = client.post(
        reverse("attribution:lookup"), {"registration_number": "371722100200000011", "access_code": code}
    )
    assert response.status_code == 429 and "尝试次数过多" in response.content.decode()
    # Another address trying the same number is refused too (counted per number).
    response = client.post(
        reverse("attribution:lookup"),
        {"registration_number": "371722100200000011", "access_code": code},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    cache.clear()


def test_a_new_code_replaces_the_old_one(client, sales):
    cache.clear()
    old = issue_code(client, sales.operator_a, sales.zhang)
    new = issue_code(client, sales.operator_a, sales.zhang)
    assert old != new
    data = {"registration_number": "371722100200000011"}
    assert client.post(reverse("attribution:lookup"), {**data, "access_code": old}).status_code == 200
    assert client.post(reverse("attribution:lookup"), {**data, "access_code": new}).status_code == 302


def lookup(client, number, code, address="198.51.100.7"):
    return client.post(
        reverse("attribution:lookup"), {"registration_number": number, "access_code": code}, REMOTE_ADDR=address
    )


def test_a_fresh_right_code_passes_from_an_address_that_failed_thirty_times_for_other_households(client, sales):
    # One village's shared connection: thirty wrong codes for other households and for
    # numbers nobody has (six each, so each of them ends locked)...
    numbers = [sales.li.registration_number, sales.wang.registration_number, sales.chen.registration_number]
    numbers += ["371722100299999998", "371722100299999999"]
    statuses = [lookup(client, number, f"WRONG{n:03d}").status_code for number in numbers for n in range(6)]
    assert statuses == ([200] * 5 + [429]) * 5
    # ...and the household next door, not itself locked, reads its statement with its new code.
    code = issue_code(client, sales.operator_a, sales.zhang)
    response = lookup(client, sales.zhang.registration_number, code)
    assert response.status_code == 302 and response["Location"] == reverse("attribution:mine")
    assert lookup(client, sales.li.registration_number, "WRONG999").status_code == 429  # li's lock holds


class CountedChecks:
    """``check_password`` as the lookup calls it, counting the calls (the real check runs)."""

    def __init__(self, monkeypatch):
        import attribution.lookup

        self.count, self._real = 0, attribution.lookup.check_password
        monkeypatch.setattr(attribution.lookup, "check_password", self)

    def __call__(self, *args, **kwargs):
        self.count += 1
        return self._real(*args, **kwargs)


def test_an_unknown_number_is_counted_and_checked_exactly_like_a_known_one(client, sales, monkeypatch):
    issue_code(client, sales.operator_a, sales.zhang)
    checks = CountedChecks(monkeypatch)
    answers = {}
    for number in (sales.zhang.registration_number, "371722100299999999"):
        before = checks.count
        responses = [lookup(client, number, "WRONG234") for _ in range(7)]
        answers[number] = [(r.status_code, str(r.context["form"].non_field_errors())) for r in responses]
        assert checks.count - before == 5  # one hash check per counted attempt, none once locked
    known, unknown = answers.values()
    assert known == unknown
    assert [status for status, _ in known] == [200] * 5 + [429] * 2


def test_a_household_lock_lifts_after_the_window_or_when_a_new_code_is_issued(client, sales):
    code = issue_code(client, sales.operator_a, sales.zhang)
    number = sales.zhang.registration_number
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            lookup(client, number, "WRONG234")
    with time_machine.travel(start + dt.timedelta(minutes=14, seconds=59), tick=False):
        assert lookup(client, number, code).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=15), tick=False):
        assert lookup(client, number, code).status_code == 302
        # A new window: five more wrong codes lock it again; a new code lifts that lock at once.
        for _ in range(5):
            lookup(client, number, "WRONG234")
        assert lookup(client, number, code).status_code == 429
        new_code = issue_code(client, sales.operator_a, sales.zhang)
        assert lookup(client, number, new_code).status_code == 302


def test_the_nightly_purge_deletes_only_counters_whose_window_has_passed(client, sales):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lookup(client, sales.li.registration_number, "WRONG234")
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        lookup(client, sales.wang.registration_number, "WRONG234")
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert purge_statement_lookups_task.delay().get() == 1
    assert list(StatementLookupCounter.objects.values_list("number_digest", flat=True)) == [
        number_digest(sales.wang.registration_number)
    ]


def test_only_viewers_with_full_access_issue_codes(client, sales):
    revise_benefit_linkage(sales.oil, [ShareSpec(2000, BenefitMode.EMPLOYMENT, household=sales.zhang)])
    client.force_login(sales.operator_b)  # may view Zhang's statement, masked: may not issue
    response = client.post(reverse("attribution_admin:issue_access_code", args=[sales.zhang.pk]), follow=True)
    assert "无权为该帮扶户发放查询码" in [str(m) for m in response.context["messages"]][0]
    client.force_login(sales.officer_b)
    assert client.post(reverse("attribution_admin:issue_access_code", args=[sales.zhang.pk])).status_code == 404
    assert not StatementAccess.objects.exists()


# --- query counts ---------------------------------------------------------------------------------------------------


def query_counts(client, w) -> tuple[int, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for target in (reverse("attribution_admin:statements"), url("household", w.zhang)):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target).status_code == 200
        counts.append(len(ctx))
    with CaptureQueriesContext(connection) as ctx:
        b"".join(client.get(url("household", w.zhang, "statement_csv")).streaming_content)
    counts.append(len(ctx))
    return tuple(counts)


def test_statement_pages_run_a_fixed_number_of_queries_however_many_entries(
    client, sales, django_assert_max_num_queries
):
    w = sales
    client.force_login(w.officer_city)
    few = query_counts(client, w)
    for _ in range(8):
        buy_and_pay(w, [(w.yam, 1), (w.oil, 1)])
    many = query_counts(client, w)
    assert many == few
    # Index: 8 of Wagtail's own (session, user, permissions, profile, groups, locale,
    # page and collection permissions) + scope and one page of beneficiaries; index and statement + 1 since the
    # transfer payee is a Wagtail site setting (the 设置 menu asks whether the user may edit it).
    assert many[0] <= 15 and many[1] <= 21 and many[2] <= 12, many
