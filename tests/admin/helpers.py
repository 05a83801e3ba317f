"""POST bodies for the admin forms, built field by field as the browser sends them."""

from django.urls import reverse


def product_data(*, shop, producer, category, origin_region, price_yuan="59.90", images=(), **overrides) -> dict:
    data = {
        "shop": shop.pk,
        "producer": producer.pk,
        "category": category.pk,
        "origin_region": origin_region.pk,
        "title": "单县铁棍山药（礼盒）",
        "summary": "沙土地种植",
        "description": "",
        "unit": "2.5千克/箱",
        "price_yuan": price_yuan,
        "stock": "40",
        "is_listed": "on",
        "images-TOTAL_FORMS": str(len(images)),
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    for i, image in enumerate(images):
        data.update({f"images-{i}-image": image.pk, f"images-{i}-caption": "", f"images-{i}-ORDER": str(i + 1)})
    data.update(overrides)
    return data


def product_data_from(product, **overrides) -> dict:
    fields = {
        "shop": product.shop,
        "producer": product.producer,
        "category": product.category,
        "origin_region": product.origin_region,
        "price_yuan": product.price_yuan,
        "title": product.title,
    }
    fields.update(overrides)
    return product_data(**fields)


def shares_data(rows, *, initial=0, prefix="shares") -> dict:
    """rows: dicts with household / collective (objects), share_bp, mode, delete."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "200",
    }
    for i, row in enumerate(rows):
        data[f"{prefix}-{i}-household"] = row["household"].pk if row.get("household") else ""
        data[f"{prefix}-{i}-collective"] = row["collective"].pk if row.get("collective") else ""
        data[f"{prefix}-{i}-share_bp"] = str(row["share_bp"])
        data[f"{prefix}-{i}-mode"] = row.get("mode", "purchase")
        if row.get("delete"):
            data[f"{prefix}-{i}-DELETE"] = "on"
    return data


def url(name, *args) -> str:
    return reverse(name, args=args)
