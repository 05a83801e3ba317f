"""Offline points' sales coming in — by the intake API (``api``) or a CSV file uploaded in the
admin (``admin_views``) — and the points' tokens. One set of rules for both.

A batch is a list of rows; each row is one of the point's sales (one product) or the refund
of some of a sale's units:

    {"sale_id": "JN-0001", "time": "2026-12-01T12:30:00+08:00", "product": "LU-2026-0001",
     "quantity": 2, "unit_price": "38.80", "amount": "77.60"}
    {"sale_id": "JN-0001-R1", "refund_of": "JN-0001", "time": "2026-12-01T15:02:00+08:00",
     "quantity": 1, "amount": "38.80"}

* ``sale_id`` is the point's own id for the row (1–64 visible characters), unique per point.
  The same row sent again is recognised and books nothing (a retried request is harmless);
  the same id with other content is refused as a conflict.
* ``time``: ISO 8601; without an offset it is Beijing time. Not in the future, not more than
  ``MAX_AGE`` ago (a quarter).
* ``product``: the product's certificate number (证书编号) or its number on the storefront
  (the digits in ``/products/<number>/``). The product must hold a certificate valid at that
  time (``certification``'s ``valid_at``): decided — an uncertified product's row is
  **refused**, not booked as not certified. A 专柜 is there to sell certified products; a row
  the point cannot prove is a reporting error to correct, and refusing it keeps the
  consumption-support figures clean.
* ``quantity``: 1–9,999. ``unit_price`` and ``amount`` in yuan (at most two decimals, as
  strings or numbers); ``amount`` = unit price × quantity exactly, and the unit price
  between ``PRICE_FLOOR_PERCENT`` % and ``PRICE_CEILING_PERCENT`` % of the product's
  storefront price (a till's typo is caught; points may discount).
* A refund row names its sale (``refund_of``, reported before or earlier in the batch),
  at a time not before it, at most the units not yet refunded; its ``amount`` is the sale's
  unit price × quantity; ``product`` and ``unit_price`` may be left out.

All or nothing: every row is checked and every reason collected (row number, field, reason)
before anything is written; one bad row refuses the batch, which is kept with its reasons
(``IntakeBatch``, status refused) and writes nothing else. An accepted batch's sales become
orders, payments and ledger entries through ``payments.services.record_offline_sale``, like
online sales, in the point's channel; refunds go through the one refund path
(``payments.services.refund_by_hand``) and reverse them."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Product
from certification.models import Certificate
from core import parsing, tokens
from core.errors import DomainError
from core.money import yuan
from orders.services import OfflineSaleDetails
from payments import services as payments_services

from .models import IntakeBatch, OfflinePoint, OfflineSale

MAX_ROWS = 500
MAX_AGE = dt.timedelta(days=92)
FUTURE_SKEW = dt.timedelta(minutes=5)  # the till's clock may run a little fast
PRICE_FLOOR_PERCENT = 50
PRICE_CEILING_PERCENT = 150
TOKEN_PREFIX = "op_"
FIELDS = ("sale_id", "time", "product", "quantity", "unit_price", "amount", "refund_of")
# CSV files may name their columns in Chinese, as tills in China export them.
CSV_HEADERS = {
    "流水号": "sale_id",
    "时间": "time",
    "产品": "product",
    "数量": "quantity",
    "单价": "unit_price",
    "金额": "amount",
    "原流水号": "refund_of",
}
_SALE_ID = re.compile(r"[\x21-\x7e]{1,64}")
MAX_CSV_BYTES = 2_000_000


class BatchRefused(DomainError):
    """The batch is refused whole; ``errors`` says why, row by row. ``status``: 400, or
    409 when a sale id was already reported with other content. ``batch`` is the refused
    batch as kept."""

    def __init__(self, errors: list[dict], *, status: int = 400):
        self.errors = errors
        self.status = status
        self.batch: IntakeBatch | None = None
        super().__init__("; ".join(describe(e) for e in errors[:5]))


def describe(error: dict) -> str:
    """One refusal as a person reads it: 第 3 行 quantity：须为整数."""
    where = gettext("第 %(row)s 行") % {"row": error["row"]} if error.get("row") else gettext("整批")
    field = f" {error['field']}" if error.get("field") else ""
    return f"{where}{field}：{error['reason']}"


def _error(row, field, reason, sale_id="") -> dict:
    return {"row": row, "sale_id": sale_id, "field": field, "reason": str(reason)}


@dataclass(frozen=True)
class Row:
    number: int
    sale_id: str
    at: dt.datetime
    product: Product | None
    product_ref: str
    quantity: int
    unit_price_fen: int | None
    amount_fen: int
    refund_of: str

    @property
    def is_refund(self) -> bool:
        return bool(self.refund_of)


# --- tokens --------------------------------------------------------------------------------------------------------


@transaction.atomic
def issue_token(point_id: int) -> str:
    """A new token for the point, replacing any earlier one (which stops working at once).
    Returns the token: shown once, only its hash is kept."""
    point = OfflinePoint.objects.select_for_update().get(pk=point_id)
    new = tokens.NewToken.make(TOKEN_PREFIX)
    point.token_hash, point.token_prefix, point.token_issued_at = new.hash, new.shown, timezone.now()
    point.save(update_fields=["token_hash", "token_prefix", "token_issued_at"])
    return new.text


def authorise(raw: str, point: OfflinePoint) -> OfflinePoint:
    """``point`` if ``raw`` is its token: 401 for a token of no point, 403 for another
    point's token or a point that is not active."""
    hashed = tokens.hash_token(raw)
    if not OfflinePoint.objects.filter(token_hash=hashed).exclude(token_hash="").exists():
        raise tokens.TokenRefused(gettext("令牌无效"), 401)
    if point.token_hash != hashed:
        raise tokens.TokenRefused(gettext("该令牌不属于这个网点"), 403)
    if not point.is_active:
        raise tokens.TokenRefused(gettext("网点已停用"), 403)
    return point


def within_rate(point: OfflinePoint, now: dt.datetime) -> int:
    return tokens.within_rate(f"offline:{point.pk}", settings.OFFLINE_INTAKE_PER_MINUTE, now)


# --- reading rows ----------------------------------------------------------------------------------------------------


def items_of(payload) -> list:
    """The rows of a decoded JSON payload ``{"sales": [...]}``, or BatchRefused."""
    if not isinstance(payload, dict) or set(payload) != {"sales"}:
        raise BatchRefused([_error(None, "sales", gettext('请求体须为 {"sales": [...]}，且只有 sales 一个字段'))])
    items = payload["sales"]
    if not isinstance(items, list) or not items:
        raise BatchRefused([_error(None, "sales", gettext("须为非空数组"))])
    if len(items) > MAX_ROWS:
        raise BatchRefused([_error(None, "sales", gettext("一次最多 %(max)s 行") % {"max": MAX_ROWS})])
    return items


def rows_of_csv(data: bytes) -> tuple[list[dict], list[int]]:
    """The rows of an uploaded CSV file (UTF-8, with or without BOM, or GB18030 as Excel
    saves it in China) and each row's line number in the file, or BatchRefused. The header
    names the columns in English (``FIELDS``) or Chinese (``CSV_HEADERS``); empty cells
    count as absent."""
    if len(data) > MAX_CSV_BYTES:
        raise BatchRefused([_error(None, None, gettext("文件不能超过 2 MB"))])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BatchRefused([_error(None, None, gettext("无法识别文件编码，请另存为 UTF-8 的 CSV"))])
    if "\x00" in text:
        raise BatchRefused([_error(None, None, gettext("不是 CSV 文本文件"))])
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise BatchRefused([_error(None, None, gettext("文件是空的"))]) from None
    columns = [CSV_HEADERS.get(h.strip(), h.strip().lower()) for h in header]
    unknown = [h for h, c in zip(header, columns, strict=True) if c not in FIELDS]
    missing = [f for f in ("sale_id", "time", "quantity", "amount") if f not in columns]
    if unknown or missing:
        reasons = []
        if unknown:
            reasons.append(gettext("未知列：%(names)s") % {"names": "、".join(unknown)})
        if missing:
            reasons.append(gettext("缺少列：%(names)s") % {"names": "、".join(missing)})
        raise BatchRefused([_error(1, None, "；".join(reasons))])
    rows, numbers = [], []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                raise BatchRefused(
                    [
                        _error(
                            reader.line_num,
                            None,
                            gettext("列数为 %(n)s，表头为 %(m)s") % {"n": len(record), "m": len(columns)},
                        )
                    ]
                )
            rows.append({c: v.strip() for c, v in zip(columns, record, strict=True) if v.strip()})
            numbers.append(reader.line_num)
    except csv.Error as exc:
        raise BatchRefused([_error(reader.line_num, None, gettext("CSV 格式错误：%(e)s") % {"e": exc})]) from None
    if not rows:
        raise BatchRefused([_error(None, None, gettext("文件中没有数据行"))])
    if len(rows) > MAX_ROWS:
        raise BatchRefused([_error(None, None, gettext("一次最多 %(max)s 行") % {"max": MAX_ROWS})])
    return rows, numbers


def _time(value, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    if not isinstance(value, str):
        return None, gettext("须为时间字符串，如 2026-12-01T12:30:00+08:00")
    try:
        at = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None, gettext("不是有效的时间，如 2026-12-01T12:30:00+08:00")
    if timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.get_default_timezone())  # Beijing time
    if at > now + FUTURE_SKEW:
        return None, gettext("不能是将来的时间")
    if at < now - MAX_AGE:
        return None, gettext("早于 %(days)s 天前，请联系平台补录") % {"days": MAX_AGE.days}
    return at, ""


def _money(value, label) -> tuple[int | None, str]:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None, gettext("须为以元为单位的金额，如 38.80")
    try:
        fen = parsing.yuan_to_fen(value, label=label)
    except parsing.BadInput as exc:
        return None, str(exc)
    if fen <= 0:
        return None, gettext("须大于 0")
    return fen, ""


def _products(refs: set[str]) -> dict[str, Product]:
    """Products by the references rows give: certificate numbers and storefront numbers.
    Two queries."""
    by_ref: dict[str, Product] = {}
    numbers = {r for r in refs if r.isascii() and r.isdigit() and len(r) <= 18}
    certificates = Certificate.objects.filter(number__in=refs - numbers).select_related("product")
    for certificate in certificates:
        by_ref[certificate.number] = certificate.product
    for product in Product.objects.filter(pk__in=[int(n) for n in numbers]):
        by_ref[str(product.pk)] = product
    return by_ref


def _certified(product_ids: set[int]) -> dict[int, list[Certificate]]:
    """Every certificate of these products (one query), to check each row's moment."""
    found: dict[int, list[Certificate]] = {pk: [] for pk in product_ids}
    for certificate in Certificate.objects.filter(product_id__in=product_ids):
        found[certificate.product_id].append(certificate)
    return found


def parse(items: list, numbers: list[int] | None, now: dt.datetime) -> tuple[list[Row], list[dict]]:
    """Each row read and checked on its own (shape, types, product, certificate, price)."""
    numbers = numbers or list(range(1, len(items) + 1))
    refs = {str(i.get("product")).strip() for i in items if isinstance(i, dict) and i.get("product") is not None}
    products = _products(refs)
    certificates = _certified({p.pk for p in products.values()})
    rows, errors = [], []
    for number, item in zip(numbers, items, strict=True):
        if not isinstance(item, dict):
            errors.append(_error(number, None, gettext("须为 JSON 对象")))
            continue
        sale_id = item.get("sale_id")
        sale_id = sale_id.strip() if isinstance(sale_id, str) else ""
        bad = [_error(number, n, gettext("未知字段"), sale_id) for n in sorted(set(item) - set(FIELDS))]
        if not _SALE_ID.fullmatch(sale_id):
            bad.append(_error(number, "sale_id", gettext("必填，1–64 个可见的英文字母、数字或符号"), sale_id))
        at, reason = _time(item.get("time"), now) if "time" in item else (None, gettext("必填"))
        if at is None:
            bad.append(_error(number, "time", reason, sale_id))
        refund_of = item.get("refund_of")
        refund_of = refund_of.strip() if isinstance(refund_of, str) else ("" if refund_of is None else None)
        if refund_of is None or (refund_of and not _SALE_ID.fullmatch(refund_of)):
            bad.append(_error(number, "refund_of", gettext("须为原销售的流水号"), sale_id))
            refund_of = ""
        try:
            quantity = parsing.quantity(item.get("quantity"))
        except parsing.BadInput as exc:
            quantity = None
            bad.append(_error(number, "quantity", str(exc), sale_id))
        amount, reason = _money(item.get("amount"), gettext("金额"))
        if amount is None:
            bad.append(_error(number, "amount", reason, sale_id))
        product, ref = None, str(item.get("product") or "").strip()
        unit_price = None
        if ref:
            product = products.get(ref)
            if product is None:
                bad.append(
                    _error(
                        number,
                        "product",
                        gettext("没有证书编号或商品编号为「%(ref)s」的产品") % {"ref": ref[:64]},
                        sale_id,
                    )
                )
        elif not refund_of:
            bad.append(_error(number, "product", gettext("必填：证书编号或商品编号"), sale_id))
        if "unit_price" in item:
            unit_price, reason = _money(item.get("unit_price"), gettext("单价"))
            if unit_price is None:
                bad.append(_error(number, "unit_price", reason, sale_id))
        elif not refund_of:
            bad.append(_error(number, "unit_price", gettext("必填"), sale_id))
        if not bad and not refund_of:
            if not any(c.is_valid_at(at) for c in certificates.get(product.pk, [])):
                bad.append(
                    _error(
                        number,
                        "product",
                        gettext("「%(title)s」在销售时没有有效的消费帮扶产品认定证书") % {"title": product.title},
                        sale_id,
                    )
                )
            low = product.price_fen * PRICE_FLOOR_PERCENT // 100
            high = product.price_fen * PRICE_CEILING_PERCENT // 100
            if not low <= unit_price <= high:
                bad.append(
                    _error(
                        number,
                        "unit_price",
                        gettext("单价 %(price)s 不在 %(low)s–%(high)s 之间（商城价的 %(floor)s%%–%(ceiling)s%%）")
                        % {
                            "price": yuan(unit_price),
                            "low": yuan(low),
                            "high": yuan(high),
                            "floor": PRICE_FLOOR_PERCENT,
                            "ceiling": PRICE_CEILING_PERCENT,
                        },
                        sale_id,
                    )
                )
            elif unit_price * quantity != amount:
                bad.append(
                    _error(
                        number,
                        "amount",
                        gettext("金额 %(amount)s 不等于单价 × 数量 = %(expected)s")
                        % {"amount": yuan(amount), "expected": yuan(unit_price * quantity)},
                        sale_id,
                    )
                )
        if bad:
            errors += bad
            continue
        rows.append(Row(number, sale_id, at, product, ref, quantity, unit_price, amount, refund_of))
    return rows, errors


def _same(row: Row, sale: OfflineSale) -> bool:
    """Whether a stored row is the same report as ``row`` (a retry)."""
    if row.is_refund != (sale.kind == OfflineSale.Kind.REFUND) or row.at != sale.sold_at:
        return False
    if (row.quantity, row.amount_fen) != (sale.quantity, sale.amount_fen):
        return False
    if row.is_refund:
        return sale.refund_of is not None and sale.refund_of.sale_id == row.refund_of
    return row.product.pk == sale.product_id and row.unit_price_fen == sale.unit_price_fen


def _check_against_stored(point: OfflinePoint, rows: list[Row]) -> tuple[list[Row], int, list[dict], bool]:
    """The rows not yet stored, how many were (and are the same), and the refusals:
    a sale id repeated in the batch or stored with other content (a conflict), and refund
    rows that do not fit their sale."""
    ids = {r.sale_id for r in rows} | {r.refund_of for r in rows if r.refund_of}
    stored = {
        s.sale_id: s
        for s in OfflineSale.objects.filter(point=point, sale_id__in=ids).select_related("refund_of", "order")
    }
    refunded: dict[str, int] = {}
    for sale_id, qty in OfflineSale.objects.filter(
        point=point, kind=OfflineSale.Kind.REFUND, refund_of__sale_id__in=ids
    ).values_list("refund_of__sale_id", "quantity"):
        refunded[sale_id] = refunded.get(sale_id, 0) + qty
    errors, new, repeated, conflict = [], [], 0, False
    in_batch: dict[str, Row] = {}
    for row in rows:
        if row.sale_id in in_batch:
            errors.append(
                _error(
                    row.number,
                    "sale_id",
                    gettext("与第 %(row)s 行的流水号重复") % {"row": in_batch[row.sale_id].number},
                    row.sale_id,
                )
            )
            continue
        in_batch[row.sale_id] = row
        if row.sale_id in stored:
            if _same(row, stored[row.sale_id]):
                repeated += 1
            else:
                conflict = True
                errors.append(_error(row.number, "sale_id", gettext("该流水号已上报过不同的数据"), row.sale_id))
            continue
        if row.is_refund:
            reason = _refund_problem(row, stored.get(row.refund_of), in_batch.get(row.refund_of), refunded)
            if reason:
                errors.append(_error(row.number, "refund_of", reason, row.sale_id))
                continue
        new.append(row)
    return new, repeated, errors, conflict


def _refund_problem(row: Row, stored: OfflineSale | None, earlier: Row | None, refunded: dict[str, int]) -> str:
    if stored is not None and stored.kind == OfflineSale.Kind.SALE:
        sold_at, product_id, price, quantity = stored.sold_at, stored.product_id, stored.unit_price_fen, stored.quantity
    elif earlier is not None and not earlier.is_refund and earlier.number < row.number:
        sold_at, product_id, price, quantity = earlier.at, earlier.product.pk, earlier.unit_price_fen, earlier.quantity
    else:
        return gettext("没有流水号为「%(id)s」的销售（须先于退款上报）") % {"id": row.refund_of}
    if row.product is not None and row.product.pk != product_id:
        return gettext("退款的产品与原销售不同")
    if row.unit_price_fen is not None and row.unit_price_fen != price:
        return gettext("退款单价须与原销售相同（%(price)s）") % {"price": yuan(price)}
    if row.at < sold_at:
        return gettext("退款时间早于原销售")
    left = quantity - refunded.get(row.refund_of, 0)
    if row.quantity > left:
        return gettext("原销售最多还可退 %(left)s 件") % {"left": left}
    if row.amount_fen != price * row.quantity:
        return gettext("退款金额须为单价 × 数量 = %(expected)s") % {"expected": yuan(price * row.quantity)}
    refunded[row.refund_of] = refunded.get(row.refund_of, 0) + row.quantity
    return ""


# --- booking a batch -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    batch: IntakeBatch
    new: int
    repeated: int


def record_batch(
    point_id: int,
    items: list,
    *,
    source: str,
    numbers: list[int] | None = None,
    by=None,
    filename: str = "",
    now: dt.datetime | None = None,
) -> Booked:
    """Check and book one batch of a point's rows (see the module docstring). Raises
    BatchRefused — with the refused batch kept — when any row is refused. The point's row
    is locked, so two batches of one point are checked one after the other."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _book(point_id, items, source=source, numbers=numbers, by=by, filename=filename, now=now)
    except BatchRefused as exc:
        exc.batch = IntakeBatch.objects.create(
            point_id=point_id,
            source=source,
            status=IntakeBatch.Status.REFUSED,
            received_at=now,
            rows=len(items),
            errors=exc.errors,
            filename=filename[:200],
            uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        raise


def _book(point_id, items, *, source, numbers, by, filename, now) -> Booked:
    point = OfflinePoint.objects.select_for_update().select_related("region").get(pk=point_id)
    if not point.is_active:
        raise BatchRefused([_error(None, None, gettext("网点已停用"))], status=403)
    rows, errors = parse(items, numbers, now)
    if errors:
        raise BatchRefused(errors)
    new, repeated, errors, conflict = _check_against_stored(point, rows)
    if errors:
        raise BatchRefused(errors, status=409 if conflict else 400)
    batch = IntakeBatch.objects.create(
        point=point,
        source=source,
        status=IntakeBatch.Status.ACCEPTED,
        received_at=now,
        rows=len(items),
        new_rows=len(new),
        repeated_rows=repeated,
        filename=filename[:200],
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    sales: dict[str, OfflineSale] = {}
    for row in new:
        reference = f"{point.code}/{row.sale_id}"
        if row.is_refund:
            original = sales.get(row.refund_of) or OfflineSale.objects.select_related("order").get(
                point=point, sale_id=row.refund_of
            )
            line_id = original.order.suborders.get().lines.get().pk
            try:
                refund = payments_services.refund_by_hand(
                    original.order_id,
                    lines={line_id: row.quantity},
                    reference=reference,
                    reason=gettext("线下网点退款"),
                    by=by,
                    at=row.at,
                )
            except DomainError as exc:
                raise BatchRefused([_error(row.number, "refund_of", str(exc), row.sale_id)]) from None
            OfflineSale.objects.create(
                point=point,
                batch=batch,
                sale_id=row.sale_id,
                kind=OfflineSale.Kind.REFUND,
                sold_at=row.at,
                product_id=original.product_id,
                product_ref=row.product_ref or original.product_ref,
                quantity=row.quantity,
                unit_price_fen=original.unit_price_fen,
                amount_fen=row.amount_fen,
                refund_of=original,
                order_id=original.order_id,
                refund=refund,
            )
            continue
        order, _line = payments_services.record_offline_sale(
            OfflineSaleDetails(
                point_name=point.name,
                point_address=point.address,
                region=point.region,
                channel=point.kind,
                reference=reference,
                product_id=row.product.pk,
                quantity=row.quantity,
                unit_price_fen=row.unit_price_fen,
                sold_at=row.at,
            ),
            by=by,
        )
        sales[row.sale_id] = OfflineSale.objects.create(
            point=point,
            batch=batch,
            sale_id=row.sale_id,
            kind=OfflineSale.Kind.SALE,
            sold_at=row.at,
            product=row.product,
            product_ref=row.product_ref,
            quantity=row.quantity,
            unit_price_fen=row.unit_price_fen,
            amount_fen=row.amount_fen,
            order=order,
        )
    return Booked(batch, len(new), repeated)
