"""One check that a page fits a phone's width, shared by the browser tests.

It first waits for the page's ``load`` event: called straight after a click that
navigates, the new document may exist before its ``<html>`` element does, and reading
``document.documentElement`` then fails (seen once in CI).
"""

from __future__ import annotations

PHONE_WIDTH = 390


def page_width(page) -> int:
    page.wait_for_load_state()
    return page.evaluate("document.documentElement.scrollWidth")


def fits(page, width: int = PHONE_WIDTH) -> None:
    found = page_width(page)
    assert found <= width, f"{page.url} is {found} px wide"
