from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .text import normalise


class ProductSearchEntry(models.Model):
    """The database search index: one row per product, holding its text already cut by
    jieba and turned into pinyin, so that a query is matched token for token.

    On PostgreSQL, triggers (migration 0004) turn each row into one of
    ``product_search_match``: tsvectors of the tokens (GIN-indexed) beside copies of the
    product columns search filters on. Django does not know that table; the database
    keeps it in step with this one, the products and their certificates."""

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    title_tokens = models.TextField(_("标题词"), blank=True)
    body_tokens = models.TextField(_("正文词"), blank=True, help_text=_("含拼音"))
    # " token token ... raw text | raw text " lower-cased, for substring matching on SQLite
    # and for suggestions.
    document = models.TextField(_("检索文本"), blank=True)
    title_pinyin = models.CharField(_("标题拼音"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("搜索索引条目")
        verbose_name_plural = pgettext_lazy("plural", "搜索索引条目")

    def __str__(self) -> str:
        return f"search entry #{self.product_id}"


class SynonymGroup(models.Model):
    """Words that mean the same product (同义词组), e.g. "淮山 山药": a query for any of them
    finds products named with any other. Edited by platform admins."""

    terms = models.CharField(
        _("同义词"),
        max_length=300,
        help_text=_("用空格或逗号分隔，如：淮山 山药"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("同义词组")
        verbose_name_plural = pgettext_lazy("plural", "同义词组")
        ordering = ["pk"]

    def __str__(self) -> str:
        return " ↔ ".join(self.term_list())

    def term_list(self) -> list[str]:
        parts = normalise(self.terms).replace("，", ",").replace("、", ",").replace(",", " ").split()
        return list(dict.fromkeys(p for p in parts if p))
