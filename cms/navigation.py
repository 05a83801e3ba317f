"""The site's header and footer menus, edited in the admin (设置 › 网站导航).

Each menu item is a label (Chinese, with an optional English one for English pages) and
either a page of the site (it follows the page when the page is moved or renamed, and
disappears while the page is unpublished) or a link (a path of this site such as
``/catalogue/``, or an http(s) address). Rendering reads these menus through
``cms/menus.py``, which resolves them once and caches the result; this module holds the
setting and its validation only (``cms/models.py`` imports it so that Django registers it)."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

# Longest link an editor may type (the http(s) addresses of partner sites included).
MAX_URL_LENGTH = 500


def clean_menu_url(url: str) -> str:
    """The link of a menu item, stripped: a path of this site (``/catalogue/``) or an
    http(s) address. Anything else (``javascript:``, ``data:``, ``//other.host/``, relative
    paths, spaces inside) raises ``ValidationError`` with a message for the editor."""
    url = url.strip()
    if not url:
        return ""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url) or "\\" in url:
        raise ValidationError(_("链接中不能有空格、反斜杠或控制字符。"), code="invalid_url")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(_("链接不能超过 %(max)d 个字符。"), params={"max": MAX_URL_LENGTH}, code="invalid_url")
    if url.startswith("/"):
        if url.startswith("//"):
            raise ValidationError(_("站外链接请写完整地址，以 http:// 或 https:// 开头。"), code="invalid_url")
        return url
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        return url
    raise ValidationError(
        _("链接只能是本站路径（以 / 开头，如 /catalogue/）或以 http:// 或 https:// 开头的网址。"),
        code="invalid_url",
    )


class MenuLinkBlock(blocks.StructBlock):
    """One menu item: a label and a page or a link (exactly one of them)."""

    label = blocks.CharBlock(label=_("名称"), max_length=20, help_text=_("菜单上显示的文字，如：地方馆。"))
    label_en = blocks.CharBlock(
        label=_("英文名称"), max_length=40, required=False, help_text=_("选填：英文页面显示它，留空则显示名称。")
    )
    page = blocks.PageChooserBlock(
        label=_("页面"), required=False, help_text=_("选本站页面：页面移动或改名后链接自动跟随，未发布时不显示。")
    )
    url = blocks.CharBlock(
        label=_("链接"),
        max_length=MAX_URL_LENGTH,
        required=False,
        help_text=_("不选页面时填写：本站路径（如 /catalogue/）或 https:// 开头的网址。"),
    )

    class Meta:
        icon = "link"
        label = _("菜单项")
        form_classname = "struct-block menu-link-block"

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        try:
            value["url"] = clean_menu_url(value.get("url") or "")
        except ValidationError as error:
            errors["url"] = error
        if not errors:
            if value.get("page") and value["url"]:
                errors["url"] = ValidationError(_("页面和链接只能填一个：选了页面就请清空链接。"))
            elif not value.get("page") and not value["url"]:
                errors["page"] = ValidationError(_("请选择一个页面或填写链接。"))
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class MenuGroupBlock(blocks.StructBlock):
    """A column of the footer: a heading over its items."""

    title = blocks.CharBlock(label=_("栏目名称"), max_length=20, help_text=_("如：逛馆、帮扶服务。"))
    title_en = blocks.CharBlock(label=_("英文栏目名称"), max_length=40, required=False)
    links = blocks.ListBlock(MenuLinkBlock(), label=_("菜单项"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("栏目")


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    """The header and footer menus of one site. While a menu is empty, the storefront
    shows its default one (``cms.menus``), which reaches every public area."""

    header = StreamField(
        [("link", MenuLinkBlock())],
        blank=True,
        collapsed=True,
        verbose_name=_("页头菜单"),
        help_text=_("显示在商品分类之后。留空则显示默认菜单。"),
    )
    footer = StreamField(
        [("group", MenuGroupBlock())],
        blank=True,
        collapsed=True,
        verbose_name=_("页脚菜单"),
        help_text=_("按栏目分列。留空则显示默认菜单。"),
    )

    panels = [FieldPanel("header"), FieldPanel("footer")]

    class Meta:
        verbose_name = _("网站导航")
        verbose_name_plural = pgettext_lazy("plural", "网站导航")


__all__ = ["MenuGroupBlock", "MenuLinkBlock", "NavigationSettings", "clean_menu_url"]
