"""Bulk ordering (批量下单) from a CSV: one row per product, its code and a quantity. Every
row is checked before anything happens; with one bad row nothing is put in the cart and
each bad row is named with why. A good file replaces the purchaser's cart, and checkout
(for the organisation) takes it from there, with its usual checks of stock and price.

A product's code is its number on the storefront (the digits of /products/<number>/) or
the number of its valid certificate (认定证书编号, as in the 扶贫产品目录). The file may be
UTF-8 (with or without BOM) or GB18030/GBK, as Excel in China saves CSV; a first row whose
quantity is not a number is a header."""

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from catalog.models import Product
from certification.models import Certificate
from core import parsing
from orders.cart import MAX_LINES

MAX_BYTES = 256 * 1024
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class BulkRows:
    lines: list[tuple[Product, int]] = field(default_factory=list)  # in the file's order
    errors: list[str] = field(default_factory=list)  # "第 N 行：why", in the file's order


def decode(data: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise parsing.BadInput(_("无法读取文件：请保存为 CSV（UTF-8 或 GBK 编码）。"))


def read_rows(upload) -> BulkRows:
    """Check every row of the uploaded CSV (``upload``: a Django UploadedFile)."""
    size = upload.size or 0
    if size == 0:
        raise parsing.BadInput(_("上传的文件是空的。"))
    if size > MAX_BYTES:
        raise parsing.BadInput(_("文件过大：批量下单的 CSV 不超过 256 KB。"))
    data = upload.read()
    if b"\x00" in data:
        raise parsing.BadInput(_("无法读取文件：请保存为 CSV（UTF-8 或 GBK 编码）。"))
    text = decode(data)
    try:
        raw_rows = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), 1) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise parsing.BadInput(_("无法读取文件：请保存为 CSV（UTF-8 或 GBK 编码）。")) from exc
    if raw_rows and len(raw_rows[0][1]) >= 2 and not raw_rows[0][1][1].strip().isdigit():
        raw_rows = raw_rows[1:]  # a header
    result = BulkRows()
    if not raw_rows:
        result.errors.append(_("文件中没有商品行。"))
        return result
    if len(raw_rows) > MAX_LINES:
        result.errors.append(
            _("一次最多 %(max)s 种商品，文件有 %(rows)s 行。") % {"max": MAX_LINES, "rows": len(raw_rows)}
        )
        return result

    codes = [(row[0] if row else "").strip() for _n, row in raw_rows]
    numbers = [c for c in codes if c and not c.isdigit()]
    ids = [int(c) for c in codes if c.isdigit() and len(c) <= 18]
    by_certificate = dict(
        Certificate.objects.valid_now().filter(number__in=numbers).values_list("number", "product_id")
    )
    purchasable = Product.objects.purchasable().in_bulk([*ids, *by_certificate.values()])
    seen: dict[int, int] = {}
    for (n, row), code in zip(raw_rows, codes, strict=True):
        problem = None
        product = None
        if len(row) < 2:
            problem = _("须有商品编号和数量两列")
        elif not code:
            problem = _("缺少商品编号")
        else:
            pid = int(code) if code.isdigit() and len(code) <= 18 else by_certificate.get(code)
            product = purchasable.get(pid) if pid is not None else None
            if product is None:
                problem = _("「%(code)s」不是在售的认定产品（商品编号或有效的认定证书编号）") % {"code": code[:40]}
        if problem is None:
            try:
                quantity = parsing.quantity(row[1].strip(), minimum=1)
            except parsing.BadInput as exc:
                problem = str(exc)
            else:
                if product.pk in seen:
                    problem = _("与第 %(row)s 行是同一商品") % {"row": seen[product.pk]}
                elif quantity > product.stock:
                    problem = _("「%(title)s」库存仅剩 %(stock)s 件") % {"title": product.title, "stock": product.stock}
        if problem is not None:
            result.errors.append(_("第 %(row)s 行：%(problem)s") % {"row": n, "problem": problem})
        else:
            seen[product.pk] = n
            result.lines.append((product, quantity))
    return result
