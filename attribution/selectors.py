"""Reads of the attribution ledger: who may read a beneficiary's statement, the
statement itself, and the operators' payout report. Every figure is a database aggregate
over ``LedgerEntry`` (and ``Payout``), never a Python loop over rows."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.days import day_bounds
from core.roles import Role, roles_of
from core.scoping import VIEW, is_platform_admin, jurisdiction_code, operated_shop_ids, scope_queryset
from orders.helped import LineHelped
from orders.models import Order
from producers.masking import show_household
from producers.models import Collective, Household
from producers.selectors import entitled_households_q, household_shown_to, households_in_scope, region_paths

from .models import MODE_CHOICES, BeneficiaryKind, EntryKind, LedgerEntry, Payout, beneficiary_key, kind_of

Beneficiary = Household | Collective


def key_of(beneficiary: Beneficiary) -> str:
    return beneficiary_key(kind_of(beneficiary), beneficiary.pk)


# --- who may read what ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementPermissions:
    may_view: bool
    unmasked: bool  # may see the head's full name and registration number
    shop_ids: tuple[int, ...] | None = None  # None: every entry; else only these shops' entries


DENIED = StatementPermissions(False, False)


def statement_permissions(user, beneficiary: Beneficiary) -> StatementPermissions:
    """What ``user`` may read of ``beneficiary``'s statement.

    * platform administrators: all of it;
    * bureau officers: a beneficiary whose village lies in their jurisdiction, all of it;
    * shop operators: a beneficiary their shops' products benefit (a ledger entry or a
      share of a linkage of their shop's product) — the entries of their own shops only;
    * everyone else: nothing (households read their own through ``lookup_household``).

    A household's full name and registration number are shown only to viewers entitled to
    them (``producers.selectors.households_in_scope``); others see them masked."""
    if not getattr(user, "is_authenticated", False):
        return DENIED
    if is_platform_admin(user):
        return StatementPermissions(True, True)
    roles = roles_of(user)
    if isinstance(beneficiary, Household):
        in_scope = beneficiary.pk in households_in_scope(user, [beneficiary.pk])
    else:
        in_scope = scope_queryset(Collective.objects.filter(pk=beneficiary.pk), user, VIEW).exists()
    if Role.BUREAU_OFFICER in roles:
        code = jurisdiction_code(user)
        if code and beneficiary.village.code.startswith(code):
            return StatementPermissions(True, in_scope)
    if Role.SHOP_OPERATOR in roles:
        shops = tuple(operated_shop_ids(user))
        if shops and _benefits_from(beneficiary, shops):
            return StatementPermissions(True, in_scope, shop_ids=shops)
    return DENIED


def _benefits_from(beneficiary: Beneficiary, shop_ids: tuple[int, ...]) -> bool:
    if LedgerEntry.objects.filter(beneficiary_key=key_of(beneficiary), shop_id__in=shop_ids).exists():
        return True
    share = {"household": beneficiary} if isinstance(beneficiary, Household) else {"collective": beneficiary}
    return beneficiary.shares.model.objects.filter(linkage__product__shop_id__in=shop_ids, **share).exists()


def statement_beneficiaries(user, kind: str, query: str = "") -> QuerySet:
    """The households (or collectives) whose statement ``user`` may open, with their net
    attributed income annotated (``income_fen``), largest first."""
    model = Household if kind == BeneficiaryKind.HOUSEHOLD else Collective
    entries = Q(ledger_entries__isnull=False)
    qs = model.objects.select_related("village")
    if is_platform_admin(user):
        pass
    elif Role.BUREAU_OFFICER in roles_of(user) and jurisdiction_code(user):
        qs = qs.filter(village__code__startswith=jurisdiction_code(user))
    elif Role.SHOP_OPERATOR in roles_of(user):
        shops = operated_shop_ids(user)
        entries &= Q(ledger_entries__shop_id__in=shops)
        qs = qs.filter(Q(ledger_entries__shop_id__in=shops) | Q(shares__linkage__product__shop_id__in=shops))
    else:
        return model.objects.none()
    if query:
        if model is Household:
            # Names and numbers are searched only among the households the viewer may see in
            # full: a search must not confirm who a masked household is.
            match = Q(registration_number__icontains=query) | Q(head_name__icontains=query)
            entitled = entitled_households_q(user)
            qs = qs.filter(match if entitled is None else match & entitled)
        else:
            qs = qs.filter(name__icontains=query)
    ids = qs.values("pk").distinct()
    return (
        model.objects.filter(pk__in=ids)
        .select_related("village")
        .annotate(
            income_fen=Sum("ledger_entries__amount_fen", filter=entries, default=0),
            lines=Count("ledger_entries__order_line", filter=entries, distinct=True),
        )
        .order_by("-income_fen", "pk")
    )


# --- the statement ----------------------------------------------------------------------------------------------------


@dataclass
class Statement:
    beneficiary: Beneficiary
    kind: str
    name: str
    registration_number: str
    village_name: str
    start: dt.date | None
    end: dt.date | None
    restricted_to_shops: bool
    sales_fen: int = 0
    refunds_fen: int = 0  # negative
    net_fen: int = 0
    lines: int = 0
    by_month: list[dict] = field(default_factory=list)
    by_product: list[dict] = field(default_factory=list)
    by_mode: list[dict] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)
    entries_total: int = 0


MODE_LABELS = dict(MODE_CHOICES)
ENTRY_LIMIT = 200


def statement_entries(beneficiary: Beneficiary, permissions: StatementPermissions, start=None, end=None) -> QuerySet:
    qs = LedgerEntry.objects.filter(beneficiary_key=key_of(beneficiary))
    if permissions.shop_ids is not None:
        qs = qs.filter(shop_id__in=permissions.shop_ids)
    lo, hi = day_bounds(start, end)
    if lo:
        qs = qs.filter(booked_at__gte=lo)
    if hi:
        qs = qs.filter(booked_at__lt=hi)
    return qs


def statement_header(
    beneficiary: Beneficiary,
    permissions: StatementPermissions,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Statement:
    """Who and which period, with personal data masked unless ``permissions.unmasked``;
    no figures (one query, for the village's full name)."""
    kind = kind_of(beneficiary)
    if kind == BeneficiaryKind.HOUSEHOLD:
        shown = show_household(beneficiary, entitled=permissions.unmasked)
        name, number = shown.name, shown.registration_number
    else:
        name, number = beneficiary.name, beneficiary.credit_code
    return Statement(
        beneficiary=beneficiary,
        kind=kind,
        name=name,
        registration_number=number,
        village_name=region_paths([beneficiary.village])[beneficiary.village.code],
        start=start,
        end=end,
        restricted_to_shops=permissions.shop_ids is not None,
    )


def build_statement(
    beneficiary: Beneficiary,
    permissions: StatementPermissions,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    entry_limit: int = ENTRY_LIMIT,
) -> Statement:
    """A beneficiary's statement for [start, end] (Asia/Shanghai days, both inclusive,
    either open): totals, by month, by product and by benefit mode, and the latest
    entries. Personal data is masked unless ``permissions.unmasked``. Seven queries."""
    statement = statement_header(beneficiary, permissions, start=start, end=end)
    qs = statement_entries(beneficiary, permissions, start, end)
    totals = qs.aggregate(
        sales=Sum("amount_fen", filter=Q(kind=EntryKind.SALE), default=0),
        refunds=Sum("amount_fen", filter=Q(kind=EntryKind.REFUND), default=0),
        lines=Count("order_line", distinct=True),
    )
    statement.sales_fen, statement.refunds_fen, statement.lines = totals["sales"], totals["refunds"], totals["lines"]
    statement.net_fen = statement.sales_fen + statement.refunds_fen
    tz = timezone.get_default_timezone()
    statement.by_month = [
        {"month": timezone.localtime(row["month"], tz).strftime("%Y-%m"), **_money(row)}
        for row in qs.annotate(month=TruncMonth("booked_at", tzinfo=tz))
        .values("month")
        .annotate(**_SUMS)
        .order_by("month")
    ]
    statement.by_product = [
        {"product": row["product__title"], "product_id": row["product_id"], **_money(row)}
        for row in qs.values("product_id", "product__title").annotate(**_SUMS).order_by("-net", "product_id")
    ]
    statement.by_mode = [
        {"mode": MODE_LABELS.get(row["mode"], row["mode"]), **_money(row)}
        for row in qs.values("mode").annotate(**_SUMS).order_by("-net", "mode")
    ]
    statement.entries = list(qs.select_related("product", "shop", "order").order_by("-booked_at", "-pk")[:entry_limit])
    statement.entries_total = qs.count()
    return statement


_SUMS = {
    "sales": Sum("amount_fen", filter=Q(kind=EntryKind.SALE), default=0),
    "refunds": Sum("amount_fen", filter=Q(kind=EntryKind.REFUND), default=0),
    "net": Sum("amount_fen", default=0),
    "lines": Count("order_line", distinct=True),
}


def _money(row: dict) -> dict:
    return {"sales_fen": row["sales"], "refunds_fen": row["refunds"], "net_fen": row["net"], "lines": row["lines"]}


# --- payouts ----------------------------------------------------------------------------------------------------------


@dataclass
class PayoutRow:
    beneficiary_key: str
    kind: str
    beneficiary: Beneficiary
    label: str
    attributed_fen: int  # net ledger income from the shop booked in the period
    paid_fen: int  # payouts recorded for the period
    balance_fen: int  # all-time attributed minus all-time paid out

    @property
    def owed_fen(self) -> int:
        return self.attributed_fen - self.paid_fen


def payout_report(shop_id: int, start: dt.date, end: dt.date, *, viewer) -> list[PayoutRow]:
    """What shop ``shop_id`` owes each household and collective for [start, end]: the net
    income the ledger attributed to them from its products in the period, the payouts
    recorded for periods inside it, the difference, and the all-time balance. Producers'
    retained remainders are not owed to anybody and are left out. Households are labelled
    as ``viewer`` may see them. Seven queries at most."""
    lo, hi = day_bounds(start, end)
    entries = LedgerEntry.objects.filter(shop_id=shop_id).exclude(beneficiary_kind=BeneficiaryKind.PRODUCER)
    period = dict(
        entries.filter(booked_at__gte=lo, booked_at__lt=hi)
        .values("beneficiary_key")
        .annotate(s=Sum("amount_fen"))
        .values_list("beneficiary_key", "s")
    )
    all_time = dict(entries.values("beneficiary_key").annotate(s=Sum("amount_fen")).values_list("beneficiary_key", "s"))
    payouts = Payout.objects.filter(shop_id=shop_id)
    paid_in_period = dict(
        payouts.filter(period_start__gte=start, period_end__lte=end)
        .values("beneficiary_key")
        .annotate(s=Sum("amount_fen"))
        .values_list("beneficiary_key", "s")
    )
    paid_all = dict(payouts.values("beneficiary_key").annotate(s=Sum("amount_fen")).values_list("beneficiary_key", "s"))
    keys = set(period) | set(paid_in_period) | {k for k in all_time if all_time[k] - paid_all.get(k, 0)}
    households = Household.objects.in_bulk([int(k.split(":")[1]) for k in keys if k.startswith("household:")])
    collectives = Collective.objects.in_bulk([int(k.split(":")[1]) for k in keys if k.startswith("collective:")])
    households_in_scope(viewer, list(households))  # one query for all
    rows = []
    for key in keys:
        kind, pk = key.split(":")
        if kind == BeneficiaryKind.HOUSEHOLD:
            who = households[int(pk)]
            label = str(household_shown_to(viewer, who))
        else:
            who = collectives[int(pk)]
            label = who.name
        rows.append(
            PayoutRow(
                beneficiary_key=key,
                kind=kind,
                beneficiary=who,
                label=label,
                attributed_fen=period.get(key, 0),
                paid_fen=paid_in_period.get(key, 0),
                balance_fen=all_time.get(key, 0) - paid_all.get(key, 0),
            )
        )
    rows.sort(key=lambda r: (-r.owed_fen, r.kind, r.label))
    return rows


# --- 帮扶明细: what a buyer's order did (orders/helped.py) ----------------------------------------------------------


def order_helped(order: Order) -> dict[int, LineHelped]:
    """{order line id: LineHelped} for ``order``, from its ledger entries net of refund
    reversals, in one query whatever the number of lines. A household or collective counts
    while it still holds something of the line; its village is named by the village's and
    the county's names. Households are counted, never named."""
    rows = (
        LedgerEntry.objects.filter(order_id=order.pk)
        .values(
            "order_line_id",
            "beneficiary_kind",
            "beneficiary_key",
            "beneficiary_region__name",
            "beneficiary_region__parent__parent__name",
        )
        .annotate(net=Sum("amount_fen"), first=Min("pk"))
        .order_by("order_line_id", "first")
    )
    figures: dict[int, dict] = {}
    for row in rows:
        line = figures.setdefault(
            row["order_line_id"],
            {"villages": [], BeneficiaryKind.HOUSEHOLD: 0, BeneficiaryKind.COLLECTIVE: 0, "fen": {}},
        )
        kind, net = row["beneficiary_kind"], row["net"]
        line["fen"][kind] = line["fen"].get(kind, 0) + net
        if kind == BeneficiaryKind.PRODUCER or net <= 0:
            continue
        line[kind] += 1
        county = row["beneficiary_region__parent__parent__name"]
        village = f"{row['beneficiary_region__name']}（{county}）" if county else row["beneficiary_region__name"]
        if village not in line["villages"]:
            line["villages"].append(village)
    return {
        line_id: LineHelped(
            villages=tuple(line["villages"]),
            households=line[BeneficiaryKind.HOUSEHOLD],
            collectives=line[BeneficiaryKind.COLLECTIVE],
            household_fen=line["fen"].get(BeneficiaryKind.HOUSEHOLD, 0),
            collective_fen=line["fen"].get(BeneficiaryKind.COLLECTIVE, 0),
            producer_fen=line["fen"].get(BeneficiaryKind.PRODUCER, 0),
        )
        for line_id, line in figures.items()
    }
