"""Chinese text for search: jieba segmentation, pinyin, query parsing and highlighting.

Documents and queries go through the same functions, so a word is cut the same way on
both sides. Both backends index the output of ``document_tokens`` (the database as
space-separated tokens, Elasticsearch in whitespace-analysed fields)."""

import html
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 100

# Words that only glue a Chinese query together ("单县的山药"); requiring them to match
# would drop good results.
STOP_WORDS = frozenset({"的", "了", "和", "与", "及", "或", "是", "在"})

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"^[0-9a-z]+$")

# Product words of the marketplace that jieba's general dictionary cuts badly ("山药粉"
# as 山 / 药粉). Added on start-up, so documents and queries are cut the same way;
# changing this list needs `manage.py search_reindex`.
DOMAIN_WORDS = (
    "山药", "铁棍山药", "淮山", "芦笋", "白芦笋", "绿芦笋", "石刁柏", "牡丹", "牡丹籽", "籽油", "牡丹籽油",
    "牡丹油", "阿胶", "驴皮胶", "阿胶糕", "核桃", "核桃仁", "胡桃", "小米", "粟米", "石榴", "软籽石榴",
    "花椒", "板栗", "粉皮", "粉条", "挂面", "苗绣", "蜡染", "柳编", "鲁锦", "刺梨", "构皮纸", "火樱桃",
    "咸鸭蛋", "黑蒜", "莲藕", "香油", "煎饼", "山楂片", "冬桃", "驴肉", "银手镯", "马面裙",
)  # fmt: skip

_jieba = None
_jieba_lock = threading.Lock()


def segmenter():
    """jieba, initialised once per process on first use: loading its dictionary takes
    about a second, which no page but search should pay for."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                for word in DOMAIN_WORDS:
                    jieba.add_word(word, freq=200_000)
                _jieba = jieba
    return _jieba


def is_word(token: str) -> bool:
    # Letters and digits of any script count (Chinese characters are letters, category
    # Lo); whitespace, punctuation and symbols do not.
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def normalise(text: str) -> str:
    # Full-width letters and digits (ＡＢＣ１２) become ASCII; case does not matter.
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=50_000)
def segment(text: str) -> tuple[str, ...]:
    """jieba's search-mode words of ``text`` (long words also yield their sub-words),
    without whitespace and punctuation, lower-cased, in order, with repeats. Cached: the
    scale demo data repeats the same few hundred strings."""
    out = []
    for token in segmenter().lcut_for_search(normalise(text)):
        token = token.strip()
        if token and is_word(token):
            out.append(token)
    return tuple(out)


@lru_cache(maxsize=50_000)
def pinyin_of(word: str) -> tuple[str, str] | None:
    """(full pinyin joined, initials) of a word with Chinese characters: 山药 →
    ("shanyao", "sy"); None for a word without any."""
    if not has_cjk(word):
        return None
    from pypinyin import Style, lazy_pinyin

    syllables = [s for s in lazy_pinyin(word, errors="ignore") if s.isascii() and s.isalnum()]
    if not syllables:
        return None
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore")).lower()
    return full, initials


def bigrams(token: str) -> list[str]:
    """The two-character pieces of a Chinese word of three or more characters, so that a
    query cut differently from the document ("老家" in "孙老家镇") still meets a token."""
    if len(token) < 3 or not has_cjk(token):
        return []
    return [token[i : i + 2] for i in range(len(token) - 1)]


def document_tokens(texts, *, with_bigrams: bool = True) -> list[str]:
    """Index tokens of some texts: jieba words (plus bigrams), each once, in first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        for token in segment(text or ""):
            seen.setdefault(token, None)
            if with_bigrams:
                for piece in bigrams(token):
                    seen.setdefault(piece, None)
    return list(seen)


def pinyin_tokens(texts) -> list[str]:
    """Full pinyin and initials of every Chinese word of ``texts``: 铁棍山药 → tiegun tg
    shanyao sy ..."""
    seen: dict[str, None] = {}
    for text in texts:
        for token in segment(text or ""):
            py = pinyin_of(token)
            if py:
                seen.setdefault(py[0], None)
                seen.setdefault(py[1], None)
    return list(seen)


def search_terms(query: str) -> list[str]:
    """The words every result must contain, in query order, without repeats."""
    query = normalise((query or "").strip()[:MAX_QUERY_LENGTH])
    if not query:
        return []
    terms: list[str] = []
    for token in segment(query):
        if token not in terms and token not in STOP_WORDS:
            terms.append(token)
    return terms


@dataclass(frozen=True)
class QueryTerm:
    """One word of the query and what may stand for it in a document: itself and its
    synonyms. ``is_pinyin`` terms are ASCII and match pinyin tokens by prefix."""

    text: str
    alternatives: tuple[str, ...]

    @property
    def is_pinyin(self) -> bool:
        return bool(_ASCII_WORD.match(self.text))


def parse_query(query: str, synonyms: dict[str, tuple[str, ...]]) -> list[QueryTerm]:
    """Cut the query into terms; a synonym listed in the admin ("驴皮胶") stays one term even
    if jieba would cut it, and brings its group along as alternatives."""
    query = normalise((query or "").strip()[:MAX_QUERY_LENGTH])
    if not query:
        return []
    found: list[tuple[int, str]] = []
    rest = query
    for word in sorted(synonyms, key=len, reverse=True):
        start = rest.find(word)
        while start != -1:
            found.append((start, word))
            rest = rest[:start] + " " * len(word) + rest[start + len(word) :]
            start = rest.find(word)
    positions: list[tuple[int, str]] = list(found)
    # Keep the query order: place jieba's words at their first position in the rest.
    cursor = 0
    for token in segment(rest):
        at = rest.find(token, cursor)
        positions.append((at if at >= 0 else len(query), token))
        if at >= 0:
            cursor = at
    terms: list[QueryTerm] = []
    seen: set[str] = set()
    for _, word in sorted(positions, key=lambda p: p[0]):
        if word in seen or word in STOP_WORDS:
            continue
        seen.add(word)
        alternatives = tuple(dict.fromkeys((word, *synonyms.get(word, ()))))
        terms.append(QueryTerm(word, alternatives))
    return terms


def highlight(title: str, terms: list[QueryTerm]) -> SafeString:
    """The title, HTML-escaped, with every Chinese or Latin word of the query (and its
    synonyms) wrapped in <mark>. Pinyin terms have no characters to mark."""
    words = sorted(
        {alt for term in terms for alt in term.alternatives if alt and (has_cjk(alt) or not term.is_pinyin)},
        key=len,
        reverse=True,
    )
    words = [w for w in words if w in normalise(title)]
    if not words:
        return escape(title)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(title):
        out.append(escape(title[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(title[last:]))
    return mark_safe("".join(out))


def safe_highlight(fragment: str, title: str) -> SafeString | None:
    """A highlighted title (HTML-encoded, with <mark> tags, as Elasticsearch or
    ``highlight`` give it) rebuilt from its text: escaped by us, and only if it is exactly
    ``title`` with marks. None otherwise (marks unbalanced, or another title)."""
    out: list[str] = []
    plain: list[str] = []
    inside = False
    for part in re.split(r"(</?mark>)", fragment):
        if part in ("<mark>", "</mark>"):
            if inside == (part == "<mark>"):
                return None
            inside = part == "<mark>"
            continue
        text = html.unescape(part)
        plain.append(text)
        out.append(f"<mark>{escape(text)}</mark>" if inside and text else escape(text))
    if inside or "".join(plain) != title:
        return None
    return mark_safe("".join(out))
