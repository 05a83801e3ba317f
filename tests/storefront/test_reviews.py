"""Reviews on the product page: the average to one decimal, the count, the newest first,
ten a page (``?page=`` read through core.parsing), buyers' names masked, hidden reviews
left out of all of it. (Writing, replying and hiding: tests/orders/test_reviews.py.)"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from orders.models import Review
from tests.factories import review_for

from .builders import make_product

pytestmark = pytest.mark.django_db


def shown(html: str) -> list[str]:
    """The review texts on the page, in order."""
    return re.findall(r'<p class="review-text">([^<]*)</p>', html)


def aged(review, days):
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


@pytest.fixture
def yam(storefront, shop, categories):
    return make_product(shop, categories["tubers"], title="铁棍山药")


def test_average_and_count_are_exact_and_hidden_reviews_do_not_count(client, yam):
    review_for(yam, 5, text="a")
    review_for(yam, 4, text="b")
    review_for(yam, 4, text="c")
    review_for(yam, 1, text="藏起来的", hidden=True, hidden_reason="广告")
    html = client.get(yam.get_absolute_url()).content.decode()
    # 13 / 3 = 4.333… → 4.3; the hidden 1-star review is neither counted nor shown.
    assert '<span class="review-average"><strong>4.3</strong> 分</span>' in html
    assert '<span class="muted review-count">共 3 条</span>' in html
    assert "藏起来的" not in html

    review_for(yam, 4, text="d")  # 17 / 4 = 4.25 → 4.3 (half up)
    html = client.get(yam.get_absolute_url()).content.decode()
    assert "<strong>4.3</strong> 分" in html and "共 4 条" in html
    review_for(yam, 2, text="e")  # 19 / 5 = 3.8
    html = client.get(yam.get_absolute_url()).content.decode()
    assert "<strong>3.8</strong> 分" in html and "共 5 条" in html


def test_no_reviews_yet(client, yam):
    html = client.get(yam.get_absolute_url()).content.decode()
    assert "暂无评价" in html and "review-average" not in html


def test_buyer_names_are_masked(client, yam):
    review_for(yam, 5, name="陈静")
    review_for(yam, 5, name="欧阳娜娜")
    html = client.get(yam.get_absolute_url()).content.decode()
    assert re.findall(r'<span class="review-author">([^<]*)</span>', html) == ["欧*", "陈*"]
    assert "陈静" not in html and "欧阳娜娜" not in html


def test_newest_first_ten_a_page(client, yam):
    for n in range(12):
        aged(review_for(yam, 5, text=f"第{n}条"), days=n)  # 第0条 is the newest
    url = yam.get_absolute_url()
    assert shown(client.get(url).content.decode()) == [f"第{n}条" for n in range(10)]
    assert shown(client.get(url + "?page=2").content.decode()) == ["第10条", "第11条"]
    for page in ("abc", "-1", "0", "1.5", "９", "99999999999999999999"):
        response = client.get(url + f"?page={page}")
        assert response.status_code == 200, page
    assert shown(client.get(url + "?page=abc").content.decode())[0] == "第0条"
    assert shown(client.get(url + "?page=99999999").content.decode()) == ["第10条", "第11条"]  # the last page


def test_the_shops_reply_is_shown_under_the_review(client, yam):
    review_for(yam, 3, text="一般", reply="感谢反馈，我们会改进包装。", replied_at=timezone.now())
    html = client.get(yam.get_absolute_url()).content.decode()
    assert '<p class="review-reply"><strong>店家回复：</strong>感谢反馈，我们会改进包装。</p>' in html
