"""What the blocks of a page show, loaded at render time in a fixed number of queries
however many blocks and rows the page has (``blocks.py`` holds only the editors' choices).

``prepare_blocks(page.body, request=request)`` walks the stream once and loads:

* every product of every product grid in ONE query (plus the cards' images and
  renditions): the chosen ids, and for each rule its own top ``count`` as a ``LIMIT``ed
  subquery, all from ``Product.objects.listed()``; each grid is then re-derived in Python
  from the loaded rows (the rule's predicate, its order, its count), which is exact
  because each rule's top rows are among those loaded;
* every shop of every shop list in one query, every live event of every live strip in
  one (two with covers), the chosen regions and categories in one each;
* the figures from the report's summary tables, cached a few minutes per
  (region, start, end), so figure blocks cost no query while the cache holds them.

It returns ``{block key: data}`` (``block_key(child)``) for every child of the streams;
the block templates read their ``data`` (``templatetags/storefront_blocks.py`` passes it).
Pages opt in with ``BlocksPageMixin``: its ``get_context`` puts the dict in the context as
``blocks_data``."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import NoReverseMatch
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import Category, Product, Shop
from core import page_cache
from producers.models import Region
from reports.selectors import headline_figures, public_filters

from . import fragments, selectors
from .blocks import aware, banner_shown

FIGURES_CACHE_SECONDS = 300
FIGURES_CACHE_PREFIX = "cms:figures:"


def block_key(child):
    """The key of a stream child in the prepared data: its block id (a child built in
    code and not yet saved has none; then the child object itself stands for it)."""
    return child.id or id(child)


def top_level_categories_for(request) -> list[Category]:
    """The top-level categories, queried once per request however many times a page
    (navigation, category tiles) asks."""
    cached = getattr(request, "_storefront_categories", None)
    if cached is None:
        cached = catalog_selectors.top_level_categories()
        if request is not None:
            request._storefront_categories = cached
    return cached


def prepare_blocks(*streams, now: dt.datetime | None = None, request=None) -> dict:
    now = now or timezone.now()
    children = [child for stream in streams if stream for child in stream]
    by_type: dict[str, list] = defaultdict(list)
    for child in children:
        by_type[child.block_type].append(child)
    data: dict = {block_key(child): {} for child in children}
    regions = _regions(by_type)
    data.update(_product_grids(by_type.get("product_grid", []), regions))
    data.update(_shop_lists(by_type.get("shop_list", []), regions))
    data.update(_live_strips(by_type.get("live_strip", []), regions, now))
    data.update(_figures(by_type.get("figures", []), regions))
    data.update(_category_tiles(by_type.get("category_tiles", []), request))
    for child in by_type.get("banner", []):
        data[block_key(child)] = {"shown": child.value.get("image") is not None and banner_shown(child.value, now)}
        # A kept page is rendered again when the banner's window opens or shuts.
        for moment in (child.value.get("starts_at"), child.value.get("ends_at")):
            if moment is not None and aware(moment) > now:
                page_cache.expires_at(request, aware(moment))
    if by_type.get("figures"):
        # The figures are kept FIGURES_CACHE_SECONDS themselves: so is a page showing them.
        page_cache.expires_at(request, now + dt.timedelta(seconds=FIGURES_CACHE_SECONDS))
    return data


class BlocksPageMixin:
    """A page whose ``body`` (or the fields named in ``blocks_fields``) is built from
    ``cms.blocks``: its context carries ``blocks_data`` for the block templates."""

    blocks_fields: tuple[str, ...] = ("body",)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["blocks_data"] = prepare_blocks(*(getattr(self, f) for f in self.blocks_fields), request=request)
        return context


# --- regions ----------------------------------------------------------------------------------------------------------


def _region_id(child) -> int | None:
    value = child.value
    if child.block_type in ("product_grid", "shop_list") and value.get("source") != "region":
        return None
    return value.get("region")


def _regions(by_type) -> dict[int, Region]:
    ids = {
        rid
        for kind in ("product_grid", "shop_list", "live_strip", "figures")
        for child in by_type.get(kind, [])
        if (rid := _region_id(child)) is not None
    }
    return Region.objects.in_bulk(ids) if ids else {}


def _region_code(child, regions) -> str | None:
    """The region code a block is limited to: "" for none, None when its region is gone."""
    rid = _region_id(child)
    if rid is None:
        return ""
    region = regions.get(rid)
    return region.code if region else None


# --- products ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    q: Q
    matches: Callable[[Product], bool]
    sort: str
    count: int
    target: Category | Shop | None = None  # what its "more" link lists


def _product_rule(value, regions, tree) -> Rule | None:
    source, sort, count = value.get("source"), value.get("sort"), value.get("count") or 1
    sort = catalog_selectors.clean_sort(sort)
    if source == "newest":
        return Rule(Q(), lambda p: True, sort, count)
    if source == "category":
        category = next((c for group in tree.values() for c in group if c.pk == value.get("category")), None)
        if category is None:
            return None
        ids = set(catalog_selectors.descendant_ids(category, tree))
        return Rule(Q(category_id__in=ids), lambda p: p.category_id in ids, sort, count, category)
    if source == "region":
        region = regions.get(value.get("region"))
        if region is None:
            return None
        code = region.code
        in_region = Q(origin_region__code__startswith=code)
        return Rule(in_region, lambda p: p.origin_region.code.startswith(code), sort, count)
    if source == "shop":
        shop_id = value.get("shop")
        if shop_id is None:
            return None
        return Rule(Q(shop_id=shop_id), lambda p: p.shop_id == shop_id, sort, count)
    return None


def ordered(rows: Iterable, fields: Iterable[str]) -> list:
    """``rows`` sorted as ``order_by(*fields)`` sorts them (fields like "-created_at")."""
    rows = list(rows)
    for name in reversed(list(fields)):
        attr = name.lstrip("-")
        rows.sort(key=lambda row, attr=attr: getattr(row, attr), reverse=name.startswith("-"))
    return rows


def _product_grids(grids, regions) -> dict:
    if not grids:
        return {}
    needs_tree = any(g.value.get("source") == "category" for g in grids)
    tree = catalog_selectors.category_tree() if needs_tree else {}
    chosen: dict = {}
    rules: dict = {}
    grids_by_key = {block_key(grid): grid for grid in grids}
    for grid in grids:
        if grid.value.get("source") == "chosen":
            chosen[block_key(grid)] = [pk for pk in grid.value.get("products") or [] if pk is not None]
        else:
            rules[block_key(grid)] = _product_rule(grid.value, regions, tree)

    chosen_ids = {pk for ids in chosen.values() for pk in ids}
    live_rules = [r for r in rules.values() if r is not None]
    loaded: dict[int, Product] = {}
    if chosen_ids or live_rules:
        q = Q(pk__in=chosen_ids)
        for rule in live_rules:
            top = (
                Product.objects.listed()
                .filter(rule.q)
                .order_by(*catalog_selectors.SORTS[rule.sort])
                .values("pk")[: rule.count]
            )
            q |= Q(pk__in=top)
        loaded = {p.pk: p for p in Product.objects.listed().card_rows().filter(q)}
        fragments.fetch_pictures_together(loaded.values())

    out = {}
    for key, ids in chosen.items():
        seen: set[int] = set()
        products = []
        for pk in ids:
            if pk in loaded and pk not in seen:
                seen.add(pk)
                products.append(loaded[pk])
        out[key] = {"products": products}
    for key, rule in rules.items():
        if rule is None:
            out[key] = {"products": []}
            continue
        matching = (p for p in loaded.values() if rule.matches(p))
        out[key] = {"products": ordered(matching, catalog_selectors.SORTS[rule.sort])[: rule.count]}
        target = rule.target
        if target is None and out[key]["products"] and grids_by_key[key].value.get("source") == "shop":
            target = out[key]["products"][0].shop
        out[key]["more_href"] = _list_url(target)
    return out


def _list_url(target) -> str:
    """The catalogue list a rule's "more" link goes to without one of its own: the
    category's or the shop's page ("" for the others: the template links the newest to
    the catalogue, a region has no list of its own)."""
    if target is None:
        return ""
    try:
        return target.get_absolute_url()
    except NoReverseMatch:
        return ""


# --- shops ------------------------------------------------------------------------------------------------------------


def _shop_lists(lists, regions) -> dict:
    """Chosen shops (active ones, in the chosen order), or a region's open shops with
    products on sale (by name). One query: each region list's membership is computed by
    the database (``in_<n>``), so the order is the database's own."""
    if not lists:
        return {}
    chosen: dict = {}
    rules: dict = {}
    for shop_list in lists:
        key = block_key(shop_list)
        if shop_list.value.get("source") == "chosen":
            chosen[key] = [pk for pk in shop_list.value.get("shops") or [] if pk is not None]
        else:
            code = _region_code(shop_list, regions)
            rules[key] = None if code is None else (code, shop_list.value.get("count") or 1)

    chosen_ids = {pk for ids in chosen.values() for pk in ids}
    annotations = {}
    for n, (key, rule) in enumerate(rules.items()):
        if rule is None:
            continue
        code, count = rule
        top = (
            catalog_selectors.shops_with_listed_products()
            .filter(region__code__startswith=code)
            .order_by("name", "pk")
            .values("pk")[:count]
        )
        annotations[key] = (f"in_{n}", Q(pk__in=top))
    shops: list[Shop] = []
    if chosen_ids or annotations:
        q = Q(pk__in=chosen_ids)
        for _name, member in annotations.values():
            q |= member
        shops = list(
            Shop.objects.active()
            .select_related("region")
            .annotate(**{name: ExpressionWrapper(m, output_field=BooleanField()) for name, m in annotations.values()})
            .filter(q)
            .order_by("name", "pk")
        )

    by_id = {shop.pk: shop for shop in shops}
    out = {key: {"shops": [by_id[pk] for pk in dict.fromkeys(ids) if pk in by_id]} for key, ids in chosen.items()}
    for key in rules:
        name = annotations.get(key, (None,))[0]
        out[key] = {"shops": [shop for shop in shops if name and getattr(shop, name)]}
    return out


# --- live events ------------------------------------------------------------------------------------------------------


def _live_strips(strips, regions, now) -> dict:
    """Live and upcoming published events, per strip optionally of a region, live first.
    One query for every strip (two with covers)."""
    if not strips:
        return {}
    rules = {}
    for strip in strips:
        code = _region_code(strip, regions)
        rules[block_key(strip)] = None if code is None else (code, strip.value.get("count") or 1)

    q = Q(pk__in=[])
    for rule in rules.values():
        if rule is not None:
            code, count = rule
            current = selectors.current_events(now).prefetch_related(None)
            if code:
                current = current.filter(region__code__startswith=code)
            q |= Q(pk__in=current.values("pk")[:count])
    events = []
    if any(rules.values()):
        events = list(selectors.current_events(now).select_related("region").filter(q))

    out = {}
    for key, rule in rules.items():
        if rule is None:
            out[key] = {"events": []}
            continue
        code, count = rule
        here = [e for e in events if not code or (e.region is not None and e.region.code.startswith(code))]
        out[key] = {"events": selectors.live_first(here[:count], now)}
    return out


# --- figures ----------------------------------------------------------------------------------------------------------


def _figures(blocks, regions) -> dict:
    """消费帮扶金额 (net of refunds, fen) and 受益户数, by the report's own rules
    (``reports.selectors.headline_figures``), cached per region and range of days."""
    wanted = {}
    for block in blocks:
        rid = block.value.get("region")
        region = regions.get(rid) if rid is not None else None
        if rid is not None and region is None:
            continue  # its region is gone: the block shows nothing rather than everywhere's
        start, end = block.value.get("start_date"), block.value.get("end_date")
        cache_key = f"{FIGURES_CACHE_PREFIX}{region.code if region else ''}:{start or ''}:{end or ''}"
        wanted[block_key(block)] = (cache_key, region, start, end)
    if not wanted:
        return {}
    found = cache.get_many({cache_key for cache_key, *_rest in wanted.values()})
    missing = {}
    for cache_key, region, start, end in wanted.values():
        if cache_key not in found and cache_key not in missing:
            missing[cache_key] = list(headline_figures(public_filters(region, start, end)))
    if missing:
        cache.set_many(missing, FIGURES_CACHE_SECONDS)
        found.update(missing)
    return {
        key: {"amount_fen": found[cache_key][0], "households": found[cache_key][1]}
        for key, (cache_key, *_rest) in wanted.items()
    }


# --- category tiles ---------------------------------------------------------------------------------------------------


def _category_tiles(blocks, request) -> dict:
    if not blocks:
        return {}
    ids = {pk for block in blocks for pk in block.value.get("categories") or [] if pk is not None}
    chosen = Category.objects.in_bulk(ids) if ids else {}
    out = {}
    for block in blocks:
        picked = [pk for pk in block.value.get("categories") or [] if pk is not None]
        if picked:
            categories = [chosen[pk] for pk in dict.fromkeys(picked) if pk in chosen]
        else:
            categories = top_level_categories_for(request)
        out[block_key(block)] = {"categories": categories}
    return out
