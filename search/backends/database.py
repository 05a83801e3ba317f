"""Search on the database, over ``ProductSearchEntry``.

Only what ``Product.objects.listed()`` returns is ever found, decided at query time, so a
revoked or lapsed certificate, an unlisted product or a closed shop is gone on the next
request whatever the state of the index. A term matches a product when the term or one
of its synonyms is among its tokens.

- PostgreSQL: one statement over ``product_search_match`` (migration 0004): a GIN-indexed
  tsvector of the tokens against a tsquery of the terms, each a prefix (``'山药':* |
  '淮山':*``), ranked by ``ts_rank`` on the title's vector. That narrow table also holds,
  kept by triggers, the product columns search filters, counts and sorts on and the
  certificate periods; "listed" is checked on them exactly as ``listed()`` checks it
  (listed flag, shop active, a certificate period containing today), so facet counts over
  tens of thousands of matches need no join to the catalogue.
- Other databases (SQLite): the catalogue's ``listed()`` joined to a substring match on
  the ``document`` column; Latin terms (pinyin) must start a token; titles matched rank
  first.

Facets, the total and the page of ids come from one statement either way."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from catalog.models import Category, Product, Shop
from producers.models import Producer, Region

from ..text import QueryTerm, highlight
from . import FACET_NAMES, PRICE_BANDS, FacetValue, SearchParams, SearchResult, Suggestion, price_band_bounds

MATCH_TABLE = "product_search_match"


def tsquery_text(terms: tuple[QueryTerm, ...] | list[QueryTerm]) -> str:
    """A tsquery literal: every term must match, any alternative of a term will do, each
    as a prefix. Lexemes are quoted, so nothing in the query is read as an operator."""

    def lexeme(word: str) -> str:
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*"

    return " & ".join("(" + " | ".join(lexeme(a) for a in t.alternatives) + ")" for t in terms)


def _term_q(term: QueryTerm, field: str) -> Q:
    q = Q()
    for alt in term.alternatives:
        if term.is_pinyin or alt.isascii():
            q |= Q(**{f"{field}__contains": f" {alt}"})
        else:
            q |= Q(**{f"{field}__contains": alt})
    return q


def _title_exact_q(term: QueryTerm) -> Q:
    """A whole title word (or its whole pinyin / initials) is the term."""
    q = Q()
    for alt in term.alternatives:
        for field in ("search_entry__title_tokens", "search_entry__title_pinyin"):
            q |= (
                Q(**{field: alt})
                | Q(**{f"{field}__startswith": f"{alt} "})
                | Q(**{f"{field}__endswith": f" {alt}"})
                | Q(**{f"{field}__contains": f" {alt} "})
            )
    return q


def _title_q(term: QueryTerm) -> Q:
    q = Q()
    for alt in term.alternatives:
        q |= Q(search_entry__title_tokens__contains=alt)
        if alt.isascii():
            q |= Q(search_entry__title_pinyin__startswith=alt) | Q(search_entry__title_pinyin__contains=f" {alt}")
    return q


def matching(terms):
    """Listed products matching every term, annotated with ``rank`` (higher is better),
    through ``listed()`` and a substring match on ``document``: the path of databases
    other than PostgreSQL (PostgreSQL leaves ``document`` empty and searches
    ``product_search_match``, see ``facets_and_page_postgres``)."""
    qs = Product.objects.listed()
    for term in terms:
        qs = qs.filter(_term_q(term, "search_entry__document"))
    # Per term: a whole title word 4, part of the title 3, elsewhere 1.
    rank = sum(
        (
            Case(
                When(_title_exact_q(t), then=Value(4)),
                When(_title_q(t), then=Value(3)),
                default=Value(1),
                output_field=IntegerField(),
            )
            for t in terms
        ),
        Value(0),
    )
    return qs.annotate(rank=rank)


def apply_filters(qs, params: SearchParams):
    if params.category_ids:
        qs = qs.filter(category_id__in=params.category_ids)
    if params.region_code:
        qs = qs.filter(origin_region__code__startswith=params.region_code)
    if params.producer_kind:
        qs = qs.filter(producer__kind=params.producer_kind)
    if bounds := price_band_bounds(params.price_band):
        low, high = bounds
        qs = qs.filter(price_fen__gte=low)
        if high is not None:
            qs = qs.filter(price_fen__lt=high)
    if params.in_stock:
        qs = qs.filter(stock__gt=0)
    return qs


def _band_expression():
    whens = []
    for key, _label, low, high in PRICE_BANDS:
        cond = Q(price_fen__gte=low) if high is None else Q(price_fen__gte=low, price_fen__lt=high)
        whens.append(When(cond, then=Value(key)))
    return Case(*whens, default=Value(PRICE_BANDS[-1][0]))


def _sum_facets(rows) -> tuple[int, dict[str, list[FacetValue]]]:
    """(total, facets) from grouped rows (root, code, kind, band, stocked, n)."""
    counts: dict[str, dict[str, int]] = {name: {} for name in FACET_NAMES}
    total = 0
    for root, code, kind, band, stocked, n in rows:
        total += n
        code = code or ""
        for name, length in (("province", 2), ("city", 4), ("county", 6)):
            if len(code) >= length:
                counts[name][code[:length]] = counts[name].get(code[:length], 0) + n
        for name, key in (("category", root), ("kind", kind), ("price", band), ("in_stock", stocked)):
            counts[name][key] = counts[name].get(key, 0) + n
    facets = {
        name: [FacetValue(key=str(k), label="", count=v) for k, v in sorted(values.items(), key=lambda kv: kv[0])]
        for name, values in counts.items()
    }
    return total, facets


def _split_rows(rows) -> tuple[int, dict[str, list[FacetValue]], list[tuple[int, str]]]:
    """(total, facets, page of (id, title)) from the rows of a facets-and-page statement:
    kind 0 rows are facet groups (root, code, kind, band, stocked, n), kind 1 rows the
    page (row number, id, title)."""
    total, facets = _sum_facets([r[1:7] for r in rows if r[0] == 0])
    page = [(r[7], r[8]) for r in sorted((r for r in rows if r[0] == 1), key=lambda r: r[6])]
    return total, facets, page


SORT_COLUMNS = {
    "relevance": "m_rank DESC, m_units_sold DESC, m_created DESC, m_id DESC",
    "price_asc": "m_price ASC, m_rank DESC, m_id ASC",
    "price_desc": "m_price DESC, m_rank DESC, m_id ASC",
    "newest": "m_created DESC, m_id DESC",
    "best_selling": "m_units_sold DESC, m_rank DESC, m_id DESC",
}


def facets_and_page_joined(qs, params: SearchParams) -> tuple[int, dict[str, list[FacetValue]], list[tuple[int, str]]]:
    """Facet counts, the total and one page of (id, title) of the products of ``qs`` (from
    ``matching`` and ``apply_filters``), in ONE statement: the matches are found once (a
    CTE) and both grouped and ordered from there. Broad queries touch thousands of rows;
    doing it twice would double the cost."""
    matches = qs.order_by().values(
        m_id=F("pk"),
        m_title=F("title"),
        m_price=F("price_fen"),
        m_units_sold=F("units_sold"),
        m_created=F("created_at"),
        m_rank=F("rank"),
        m_root=Coalesce("category__parent__slug", "category__slug"),
        m_code=Substr("origin_region__code", 1, 6),
        m_kind=F("producer__kind"),
        m_band=_band_expression(),
        m_stocked=Case(When(stock__gt=0, then=Value("1")), default=Value("0")),
    )
    inner, inner_params = matches.query.sql_with_params()
    order = SORT_COLUMNS.get(params.sort, SORT_COLUMNS["relevance"])
    sql = (
        f"WITH m AS ({inner}) "
        "SELECT 0, m_root, m_code, m_kind, m_band, m_stocked, COUNT(*), NULL, NULL "
        "FROM m GROUP BY m_root, m_code, m_kind, m_band, m_stocked "
        "UNION ALL "
        "SELECT * FROM (SELECT 1, NULL, NULL, NULL, NULL, NULL, "
        f"ROW_NUMBER() OVER (ORDER BY {order}), m_id, m_title FROM m ORDER BY {order} LIMIT %s OFFSET %s) page"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, params.page_size, params.offset])
        rows = cursor.fetchall()
    return _split_rows(rows)


def _listed_matches_where(query: str, params: SearchParams | None) -> tuple[str, list]:
    """The WHERE clause over ``product_search_match s``: every term (``query``, from
    ``tsquery_text``), listed now (as ``Product.objects.listed()`` decides it, today in
    Asia/Shanghai), and the filters."""
    where = [
        "s.search_vector @@ %s::tsquery",
        "s.is_listed",
        "s.certified @> %s::date",
        f"s.shop_id IN (SELECT id FROM {Shop._meta.db_table} WHERE is_active)",
    ]
    args: list = [query, timezone.localdate()]
    if params is not None:
        if params.category_ids:
            where.append("s.category_id = ANY(%s)")
            args.append(list(params.category_ids))
        if params.region_code:
            where.append(f"s.origin_region_id IN (SELECT id FROM {Region._meta.db_table} WHERE code LIKE %s)")
            args.append(params.region_code + "%")
        if params.producer_kind:
            where.append(f"s.producer_id IN (SELECT id FROM {Producer._meta.db_table} WHERE kind = %s)")
            args.append(params.producer_kind)
        if bounds := price_band_bounds(params.price_band):
            low, high = bounds
            where.append("s.price_fen >= %s")
            args.append(low)
            if high is not None:
                where.append("s.price_fen < %s")
                args.append(high)
        if params.in_stock:
            where.append("s.stock > 0")
    return " AND ".join(where), args


def _band_sql() -> tuple[str, list]:
    whens, args = [], []
    for key, _label, low, high in PRICE_BANDS:
        if high is None:
            whens.append("WHEN s.price_fen >= %s THEN %s")
            args += [low, key]
        else:
            whens.append("WHEN s.price_fen >= %s AND s.price_fen < %s THEN %s")
            args += [low, high, key]
    args.append(PRICE_BANDS[-1][0])
    return f"CASE {' '.join(whens)} ELSE %s END", args


# The planner costs testing a tsvector against the query at next to nothing, so for a
# word that matches more than a few percent of products it prefers reading every row of
# the match table and testing each over the GIN index. Measured at 100,000 products:
# 牡丹 (7,700 matches) 60 ms that way, 10 ms through the index; 菏泽 (31,000) 67 ms and
# 40 ms. So the statement runs with sequential scans off, RESET right after it so that
# the other statements of an enclosing transaction plan as usual (the few small tables
# it joins have primary-key indexes). Except for one-character words (s, 山, as typed
# for suggestions): their prefix covers hundreds of index entries and most products,
# and testing every row is the faster way (s: about 200 ms against 260), which the
# planner finds by itself.
PLANNER_BEFORE = "SET LOCAL enable_seqscan = off; "
PLANNER_AFTER = "; RESET enable_seqscan"


def _index_pays(terms) -> bool:
    return all(len(alt) > 1 for term in terms for alt in term.alternatives)


def _execute_search_sql(sql: str, args: list, terms) -> list[tuple]:
    with connection.cursor() as cursor:
        if not _index_pays(terms) or connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            # (Prepared statements take one command: no planner setting with them.)
            cursor.execute(sql, args)
        else:
            # One round trip: the setting, the search (the second result), the reset.
            cursor.execute(PLANNER_BEFORE + sql + PLANNER_AFTER, args)
            cursor.nextset()
        return cursor.fetchall()


def facets_and_page_postgres(params: SearchParams) -> tuple[int, dict[str, list[FacetValue]], list[tuple[int, str]]]:
    """What ``facets_and_page_joined`` answers, from ``product_search_match`` alone: the
    matches are grouped by category, origin and producer ids (a few hundred groups at
    most), and only those groups and the page's 24 rows are joined to the catalogue."""
    query = tsquery_text(params.terms)
    where, where_args = _listed_matches_where(query, params)
    band, band_args = _band_sql()
    # The newest-first order does not use the rank: do not compute it for every match.
    rank, rank_args = ("0", []) if params.sort == "newest" else ("ts_rank(s.title_vector, %s::tsquery)", [query])
    order = SORT_COLUMNS.get(params.sort, SORT_COLUMNS["relevance"])
    category, region, producer = Category._meta.db_table, Region._meta.db_table, Producer._meta.db_table
    sql = f"""
WITH m AS MATERIALIZED (
    SELECT s.product_id AS m_id, s.price_fen AS m_price, s.units_sold AS m_units_sold, s.created_at AS m_created,
        {rank} AS m_rank, s.category_id AS m_category, s.origin_region_id AS m_region, s.producer_id AS m_producer,
        {band} AS m_band, CASE WHEN s.stock > 0 THEN '1' ELSE '0' END AS m_stocked
    FROM {MATCH_TABLE} s WHERE {where}
), g AS (
    SELECT m_category, m_region, m_producer, m_band, m_stocked, COUNT(*) AS n
    FROM m GROUP BY m_category, m_region, m_producer, m_band, m_stocked
)
SELECT 0, COALESCE(cp.slug, c.slug), SUBSTRING(r.code, 1, 6), pr.kind, g.m_band, g.m_stocked, g.n, NULL, NULL
FROM g JOIN {category} c ON c.id = g.m_category LEFT JOIN {category} cp ON cp.id = c.parent_id
    JOIN {region} r ON r.id = g.m_region JOIN {producer} pr ON pr.id = g.m_producer
UNION ALL
SELECT 1, NULL, NULL, NULL, NULL, NULL, ROW_NUMBER() OVER (ORDER BY {order}), page.m_id, p.title
FROM (SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) page JOIN {Product._meta.db_table} p ON p.id = page.m_id
"""
    rows = _execute_search_sql(
        sql, [*rank_args, *band_args, *where_args, params.page_size, params.offset], params.terms
    )
    return _split_rows(rows)


class DatabaseBackend:
    name = "database"

    def search(self, params: SearchParams) -> SearchResult:
        if not params.terms:
            return SearchResult(product_ids=[], total=0, backend=self.name)
        if connection.vendor == "postgresql":
            total, facets, rows = facets_and_page_postgres(params)
        else:
            total, facets, rows = facets_and_page_joined(apply_filters(matching(params.terms), params), params)
        return SearchResult(
            product_ids=[pk for pk, _ in rows],
            total=total,
            facets=facets,
            highlights={pk: highlight(title, list(params.terms)) for pk, title in rows},
            backend=self.name,
        )

    def suggest(self, terms: list[QueryTerm], limit: int = 8) -> list[Suggestion]:
        """Listed products matching what was typed so far, best first, as (id, title);
        more than ``limit``, since several products may share a title."""
        if not terms:
            return []
        if connection.vendor == "postgresql":
            query = tsquery_text(terms)
            where, args = _listed_matches_where(query, None)
            sql = (
                f"SELECT s.product_id, p.title FROM {MATCH_TABLE} s JOIN {Product._meta.db_table} p"
                f" ON p.id = s.product_id WHERE {where}"
                " ORDER BY ts_rank(s.title_vector, %s::tsquery) DESC, s.units_sold DESC, s.product_id DESC LIMIT %s"
            )
            rows = _execute_search_sql(sql, [*args, query, limit * 4], terms)
            return [Suggestion(pk, title) for pk, title in rows]
        rows = matching(terms).order_by("-rank", "-units_sold", "-pk").values_list("pk", "title")
        return [Suggestion(pk, title) for pk, title in rows[: limit * 4]]
