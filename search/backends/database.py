"""Search on the database, over ``ProductSearchEntry``.

Every query starts from ``Product.objects.listed()``, so only what the storefront may
sell is ever found, whatever the state of the index. A term matches a product when the
term or one of its synonyms is among its tokens:

- PostgreSQL: the generated ``search_vector`` (migration 0002) against a tsquery built
  from the terms, each as a prefix (``'山药':* | '淮山':*``), ranked by ``ts_rank`` with
  the title weighted above the rest; the GIN index keeps this fast at 100,000 products.
- Other databases (SQLite): substring match on the ``document`` column; Latin terms
  (pinyin) must start a token; titles matched rank first.

Facets come from one grouped query over the matches; the page of ids from a second."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Substr

from catalog.models import Product

from ..text import QueryTerm, highlight
from . import FACET_NAMES, PRICE_BANDS, FacetValue, SearchParams, SearchResult, Suggestion

ENTRY_TABLE = "product_search_productsearchentry"


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


def matching(terms, *, postgres: bool | None = None):
    """Listed products matching every term, annotated with ``rank`` (higher is better)."""
    if postgres is None:
        postgres = connection.vendor == "postgresql"
    qs = Product.objects.listed()
    if postgres:
        query = tsquery_text(terms)
        # The inner join on the entry table gives the raw SQL a table to name.
        qs = qs.filter(search_entry__isnull=False).extra(
            where=[f"{ENTRY_TABLE}.search_vector @@ %s::tsquery"], params=[query]
        )
        # Ranked on the small title vector: reading every matching row's full vector
        # back would cost more than the match itself.
        return qs.annotate(rank=RawSQL(f"ts_rank({ENTRY_TABLE}.title_vector, %s::tsquery)", [query]))
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
    if params.price_band:
        for key, _label, low, high in PRICE_BANDS:
            if key == params.price_band:
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


SORT_COLUMNS = {
    "relevance": "m_rank DESC, m_units_sold DESC, m_created DESC, m_id DESC",
    "price_asc": "m_price ASC, m_rank DESC, m_id ASC",
    "price_desc": "m_price DESC, m_rank DESC, m_id ASC",
    "newest": "m_created DESC, m_id DESC",
    "best_selling": "m_units_sold DESC, m_rank DESC, m_id DESC",
}


def facets_and_page(qs, params: SearchParams) -> tuple[int, dict[str, list[FacetValue]], list[tuple[int, str]]]:
    """Facet counts, the total and one page of (id, title), in ONE statement: the matches
    are found once (a CTE) and both grouped and ordered from there. Broad queries touch
    thousands of rows; doing it twice would double the cost."""
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
    total, facets = _sum_facets([r[1:7] for r in rows if r[0] == 0])
    page = [(r[7], r[8]) for r in sorted((r for r in rows if r[0] == 1), key=lambda r: r[6])]
    return total, facets, page


class DatabaseBackend:
    name = "database"

    def search(self, params: SearchParams) -> SearchResult:
        if not params.terms:
            return SearchResult(product_ids=[], total=0, backend=self.name)
        qs = apply_filters(matching(params.terms), params)
        total, facets, rows = facets_and_page(qs, params)
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
        rows = matching(terms).order_by("-rank", "-units_sold", "-pk").values_list("pk", "title")
        return [Suggestion(pk, title) for pk, title in rows[: limit * 4]]
