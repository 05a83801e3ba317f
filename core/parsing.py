"""The one layer that reads what a client sends: ids, quantities, page numbers, yuan
amounts, dates, redirect targets, JSON bodies and free text.

Every parser returns a typed value or raises ``BadInput``. ``BadInput`` is Django's
``BadRequest``, so a view that lets it escape answers **400** with the message (the
``handler400`` of ``marketplace/urls.py`` shows it), never 500; a view that has a better
place for the message (a form error, a flash message) catches it. Form fields that need the
same rules use the ``*Field`` classes at the end, so a form and a query parameter refuse the
same inputs with the same words.

The classes of input that used to crash a view, and what refuses them here:

- digits that ``str.isdigit()`` accepts and ``int()`` does not (``²``), other scripts'
  digits (``٣``), signs, spaces: ids and quantities are ASCII digits only;
- numbers beyond a bigint column: ids stop at 2**63 - 1, page numbers at ``MAX_PAGE``;
- ``Infinity``, ``NaN``, ``1e30`` and 30-digit amounts in a yuan field: finite, at most
  ``MAX_YUAN_DIGITS`` digits before the point and two after;
- NUL characters, which PostgreSQL cannot store in text: refused in text here, and in every
  path, query string, form field and cookie by ``core.middleware.RejectNul``;
- a ``next`` / ``back`` that is not a path of this site: ``safe_redirect`` falls back;
- mobile numbers typed with spaces, dashes, ``+86`` or full-width digits: ``mobile``
  keeps the 11 digits, and refuses anything that is not a mainland mobile number;
- JSON bodies too large or nested too deep for ``json.loads`` (``RecursionError``):
  ``json_body`` measures both before parsing, and requires an object at the top."""

from __future__ import annotations

import datetime as dt
import json
import re

from django import forms
from django.core.exceptions import BadRequest
from django.http import RawPostDataException
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .money import format_fen

BIGINT_MAX = 2**63 - 1
MAX_PAGE = 100_000
MAX_QUANTITY = 9_999
MAX_YUAN_DIGITS = 12  # 千亿 (10**11 yuan) is far beyond any order, payout or target
MAX_JSON_BYTES = 1_000_000
MAX_JSON_DEPTH = 32

_DIGITS = re.compile(r"[0-9]{1,19}")
_YUAN = re.compile(rf"(?P<int>[0-9]{{1,{MAX_YUAN_DIGITS}}})(?:\.(?P<dec>[0-9]{{1,2}}))?")
_PERCENT = re.compile(r"(?P<int>[0-9]{1,3})(?:\.(?P<dec>[0-9]{1,2}))?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_NOISE = re.compile(r"[\s\-()（）]")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋", "0123456789+")
MOBILE_REFUSED = _("请输入 11 位中国大陆手机号，如 13812345678。")


class BadInput(BadRequest):
    """What the client sent cannot be read. ``str(exc)`` is for the user, Chinese first."""


# --- numbers ----------------------------------------------------------------------------------------------


def natural(raw, *, label: str = _("编号"), minimum: int = 1, maximum: int = BIGINT_MAX) -> int:
    """An integer written in ASCII digits, between ``minimum`` and ``maximum``."""
    text = "" if raw is None else str(raw).strip()
    if not _DIGITS.fullmatch(text):
        raise BadInput(gettext("%(label)s须为数字。") % {"label": label})
    value = int(text)
    if not minimum <= value <= maximum:
        raise BadInput(
            gettext("%(label)s须在 %(minimum)s 到 %(maximum)s 之间。")
            % {"label": label, "minimum": minimum, "maximum": maximum}
        )
    return value


def object_id(raw, *, label: str = _("编号")) -> int:
    """A primary key as sent in a form or query string (1 … 2**63 - 1)."""
    return natural(raw, label=label)


def optional_id(raw, *, label: str = _("编号")) -> int | None:
    """``object_id``, or None when nothing was sent."""
    if raw is None or str(raw).strip() == "":
        return None
    return object_id(raw, label=label)


def quantity(raw, *, minimum: int = 1, maximum: int = MAX_QUANTITY, default: int | None = None) -> int:
    """A number of units; ``default`` when nothing was sent (and a default is given)."""
    if default is not None and (raw is None or str(raw).strip() == ""):
        return default
    return natural(raw, label=gettext("数量"), minimum=minimum, maximum=maximum)


def page_number(raw) -> int:
    """A page of a list: anything unreadable is the first page, anything huge the last
    readable one (``Paginator.get_page`` then clamps to the real last page)."""
    text = "" if raw is None else str(raw).strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return MAX_PAGE if len(text) > 6 else max(1, min(int(text), MAX_PAGE))


# --- money and dates --------------------------------------------------------------------------------------


def yuan_to_fen(raw, *, label: str = _("金额"), allow_negative: bool = False) -> int:
    """'1,234.5' -> 123450 fen. Only plain decimal notation: at most MAX_YUAN_DIGITS digits
    before the point and two after; a leading '-' only when ``allow_negative``; thousands
    separators and the ¥ sign are allowed. Never a float, never Infinity."""
    text = "" if raw is None else str(raw).strip().replace(",", "").replace("，", "")
    text = text.removeprefix("¥").removeprefix("￥").strip()
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    match = _YUAN.fullmatch(text)
    if match is None or (negative and not allow_negative):
        raise BadInput(gettext("%(label)s须为以元为单位的金额，最多两位小数，如 59.90。") % {"label": label})
    fen = int(match["int"]) * 100 + int((match["dec"] or "0").ljust(2, "0"))
    return -fen if negative else fen


def percent_to_bp(raw, *, label: str = _("比例")) -> int:
    """'30' or '12.5%' -> basis points (3000, 1250): 0 to 100, at most two decimals."""
    text = "" if raw is None else str(raw).strip().removesuffix("%").removesuffix("％").strip()
    match = _PERCENT.fullmatch(text)
    bp = int(match["int"]) * 100 + int((match["dec"] or "0").ljust(2, "0")) if match else -1
    if not 0 <= bp <= 10_000:
        raise BadInput(gettext("%(label)s须为 0 到 100 之间的百分数，最多两位小数，如 30 或 12.5。") % {"label": label})
    return bp


def date(raw, *, label: str = _("日期")) -> dt.date:
    """'2026-12-06' -> date. Only ISO dates a calendar has."""
    text = "" if raw is None else str(raw).strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(gettext("%(label)s须为 年-月-日，如 2026-12-06。") % {"label": label}) from exc


def optional_date(raw, *, label: str = _("日期")) -> dt.date | None:
    if raw is None or str(raw).strip() == "":
        return None
    return date(raw, label=label)


# --- text and redirects -----------------------------------------------------------------------------------


def text(raw, *, max_length: int, label: str = _("内容")) -> str:
    """Stripped text of at most ``max_length`` characters, without NUL."""
    value = "" if raw is None else str(raw)
    if "\x00" in value:
        raise BadInput(gettext("%(label)s含有不允许的字符。") % {"label": label})
    value = value.strip()
    if len(value) > max_length:
        raise BadInput(gettext("%(label)s最多 %(max_length)s 个字。") % {"label": label, "max_length": max_length})
    return value


def safe_redirect(request, raw, fallback: str) -> str:
    """``raw`` when it is a path of this site (``/…``, not ``//host``), else ``fallback``.
    Used for every ``next`` and ``back`` a client sends. A bare word is refused too:
    ``redirect()`` would take it for a URL name and fail to reverse it."""
    target = "" if raw is None else str(raw)
    if (
        target.startswith("/")
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def mobile(raw) -> str:
    """A mainland mobile number (1[3-9] and 9 more digits), normalised to its 11 digits:
    spaces, dashes and brackets dropped, full-width digits read as digits, a ``+86`` /
    ``0086`` / ``86`` country code removed. The one form numbers are stored and compared in."""
    value = "" if raw is None else str(raw)
    if "\x00" in value or len(value) > 40:
        raise BadInput(MOBILE_REFUSED)
    value = _MOBILE_NOISE.sub("", value.translate(_FULL_WIDTH_DIGITS))
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
            break
    if not _MOBILE.fullmatch(value):
        raise BadInput(MOBILE_REFUSED)
    return value


# --- JSON -------------------------------------------------------------------------------------------------


def _nesting_depth(body: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text, outside strings; counted
    without recursion so a hostile body cannot exhaust the stack."""
    depth = deepest = 0
    in_string = escaped = False
    for char in body:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def json_body(request, *, max_bytes=MAX_JSON_BYTES, max_depth=MAX_JSON_DEPTH, require_object=True):
    """The request body as decoded JSON: at most ``max_bytes`` bytes, ``max_depth`` levels,
    UTF-8, no NUL in any string, and an object at the top unless ``require_object`` is
    False (for an API that explains a wrong shape in its own error format)."""
    try:
        raw = request.body or b""
    except RawPostDataException as exc:  # sent as a form and already read as one
        raise BadInput(gettext("请求体须为 JSON。")) from exc
    if len(raw) > max_bytes:
        raise BadInput(gettext("请求体过大（上限 %(max_bytes)s 字节）。") % {"max_bytes": max_bytes})
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(gettext("请求体须为 UTF-8 编码。")) from exc
    if _nesting_depth(body) > max_depth:
        raise BadInput(gettext("JSON 嵌套过深（上限 %(max_depth)s 层）。") % {"max_depth": max_depth})
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise BadInput(gettext("请求体不是有效的 JSON。")) from exc
    if require_object and not isinstance(payload, dict):
        raise BadInput(gettext("请求体须为 JSON 对象。"))
    if "\\u0000" in body and _has_nul(payload):  # a raw NUL is already invalid JSON
        raise BadInput(gettext("JSON 字符串含有不允许的字符。"))
    return payload


def _has_nul(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# --- form fields with the same rules ----------------------------------------------------------------------


class YuanField(forms.CharField):
    """An amount typed in yuan, cleaned to integer fen by ``yuan_to_fen`` (None when blank and
    not required). ``min_fen`` / ``max_fen`` bound it; ``allow_negative`` for reversals."""

    def __init__(self, *, min_fen: int | None = None, max_fen: int | None = None, allow_negative=False, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.min_fen, self.max_fen, self.allow_negative = min_fen, max_fen, allow_negative
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            fen = yuan_to_fen(value, label=str(self.label or gettext("金额")), allow_negative=self.allow_negative)
        except BadInput as exc:
            raise forms.ValidationError(str(exc)) from exc
        if self.min_fen is not None and fen < self.min_fen:
            raise forms.ValidationError(gettext("金额不能小于 %(yuan)s 元。") % {"yuan": format_fen(self.min_fen)})
        if self.max_fen is not None and fen > self.max_fen:
            raise forms.ValidationError(gettext("金额不能大于 %(yuan)s 元。") % {"yuan": format_fen(self.max_fen)})
        return fen


class PercentField(forms.CharField):
    """A percentage typed as people write it ("30", "12.5%"), cleaned by ``percent_to_bp`` to
    basis points (None when blank and not required)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            return percent_to_bp(value, label=str(self.label or gettext("比例")))
        except BadInput as exc:
            raise forms.ValidationError(str(exc)) from exc


class MobileField(forms.CharField):
    """A mainland mobile number, cleaned by ``mobile`` to its 11 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("label", _("手机号"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel", "placeholder": _("11 位手机号")})

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return ""
        try:
            return mobile(value)
        except BadInput as exc:
            raise forms.ValidationError(str(exc)) from exc


def lazy_format(message, **values):
    """``message % values`` in the language of the moment it is shown (class-level help
    texts and error messages of forms)."""
    return lazy(lambda: str(message) % values, str)()
