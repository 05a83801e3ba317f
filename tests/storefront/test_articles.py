"""Editorial pages: the story list and a story with its StreamField body."""

import datetime

import pytest
from wagtail.rich_text import RichText

from cms.models import ArticleIndexPage, ArticlePage
from tests.factories import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(storefront):
    home, _ = storefront
    index = home.add_child(instance=ArticleIndexPage(title="助农故事", slug="stories", intro="<p>村庄和人。</p>"))
    older = index.add_child(
        instance=ArticlePage(
            title="菏泽：一条网线、一台电脑、一个网店",
            slug="heze",
            date=datetime.date(2020, 10, 10),
            summary="563个贫困村发展电商。",
            cover=make_image("封面"),
        )
    )
    newer = index.add_child(
        instance=ArticlePage(
            title="29.7万人在线：一场带货直播",
            slug="live",
            kind=ArticlePage.Kind.CAMPAIGN,
            date=datetime.date(2020, 10, 17),
            body=[
                ("heading", "直播之外"),
                ("paragraph", RichText("<p>两个小时里成交207单。</p>")),
                ("image", make_image("直播现场")),
                ("quote", "一根网线连起了村里和城里。"),
            ],
        )
    )
    draft = index.add_child(
        instance=ArticlePage(title="未发布的草稿", slug="draft", date=datetime.date(2021, 1, 1), live=False)
    )
    return index, older, newer, draft


def test_story_list_shows_live_stories_newest_first(client, stories):
    response = client.get("/stories/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("29.7万人在线：一场带货直播") < html.index("菏泽：一条网线、一台电脑、一个网店")
    assert "2020年10月17日" in html and "563个贫困村发展电商。" in html
    assert "未发布的草稿" not in html
    assert ".fill-480x270." in html  # the cover's card rendition


def test_story_page_renders_its_body(client, stories):
    response = client.get("/stories/live/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 class="block-heading">直播之外</h2>' in html
    assert "两个小时里成交207单。" in html
    assert "一根网线连起了村里和城里。" in html
    assert ".max-960x960." in html
    assert "帮扶活动" in html
    assert client.get("/stories/draft/").status_code == 404
