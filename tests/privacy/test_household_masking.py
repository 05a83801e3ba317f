"""Households' personal data on every page that shows a household, as every role.

The world: the ledger world (tests/worlds.py) — households 张小文, 李四, 王大山 in village A of
单县 (shop A's village), 陈芳 in village B of 成武县 (shop B's) — where shop B's peony oil
also benefits 张小文: its linkage names 陈芳 and 张小文, its certification application (reviewed
by 成武县's officer) lists both, its sales and a payout reach 张小文. So operator B and the
成武县 officer meet 张小文 without being entitled to him.

Who is entitled to a household's full name and registration number is written out here by
hand (``ENTITLED``), not asked of the code under test: the household's village in the
viewer's row scope — operators the village of a shop they run, officers their county or
city, platform administrators everywhere; buyers and anonymous visitors nowhere.

Every page is fetched as every role. Wherever the role is not entitled to a household,
neither its full name nor its full number may appear (a refused page included); wherever
the page shows a household, the role sees it in full if entitled and masked if not."""

import io
from dataclasses import dataclass, field

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from attribution import services as attribution
from certification.services import add_evidence, apply_transition, create_application
from cms import routing
from cms.setup import ensure_storefront_pages
from producers.masking import mask_name, mask_registration_number
from producers.models import BenefitMode, Producer
from producers.selectors import linkage_in_force
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import valid_credit_code
from tests.worlds import buy_and_pay

pytestmark = pytest.mark.django_db

ROLES = (
    "operator_shop",  # runs shop A, in 张小文's village
    "operator_other_shop",  # runs shop B, whose oil benefits 张小文 too
    "officer_county",  # 单县
    "officer_other_county",  # 成武县: reviews the oil's application
    "officer_city",  # 菏泽市: both counties
    "platform_admin",
    "buyer",
    "anonymous",
)
USERS = {
    "operator_shop": "operator_a",
    "operator_other_shop": "operator_b",
    "officer_county": "officer_a",
    "officer_other_county": "officer_b",
    "officer_city": "officer_city",
    "platform_admin": "admin",
    "buyer": "buyer",
}
HOUSEHOLDS = ("zhang", "li", "wang", "chen")
VILLAGE_A = frozenset({"zhang", "li", "wang"})
ENTITLED = {
    "operator_shop": VILLAGE_A,
    "operator_other_shop": frozenset({"chen"}),
    "officer_county": VILLAGE_A,
    "officer_other_county": frozenset({"chen"}),
    "officer_city": frozenset(HOUSEHOLDS),
    "platform_admin": frozenset(HOUSEHOLDS),
    "buyer": frozenset(),
    "anonymous": frozenset(),
}
STAFF = frozenset(ROLES) - {"buyer", "anonymous"}
REFUSED = {302, 403, 404}


@dataclass
class Page:
    name: str
    url: str
    opens: frozenset  # the roles that get the page (200); everybody else is refused
    shows: dict = field(default_factory=dict)  # role -> households the page names for that role
    parts: tuple = ("name", "number")  # what of a household the page prints
    masked_printed_as_is: bool = True  # False: masked values are altered (file names), not checked

    def shown_to(self, role) -> frozenset:
        return frozenset(self.shows.get(role, ()))


def png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile("带贫户名册.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def world(ledger_world):
    w = ledger_world
    routing.clear_storefront_url_cache()
    ensure_storefront_pages()
    # Shop B's oil benefits 张小文 (village A) besides its own 陈芳.
    revise_benefit_linkage(
        w.oil,
        [
            ShareSpec(4000, BenefitMode.GUARANTEED_PURCHASE, household=w.chen),
            ShareSpec(2000, BenefitMode.EMPLOYMENT, household=w.zhang),
        ],
    )
    buy_and_pay(w, [(w.yam, 2), (w.oil, 1)])
    today = timezone.localdate()
    attribution.record_payout(
        shop_id=w.shop_b.pk,
        beneficiary=w.zhang,
        amount_fen=1000,
        period_start=today.replace(day=1),
        period_end=today,
        paid_on=today,
        reference="PAY-1",
        by=w.operator_b,
    )
    # The oil's certification application, submitted: 成武县's officer reviews it.
    Producer.objects.filter(pk=w.oil.producer_id).update(credit_code=valid_credit_code("91371723MA3C4D5E6"))
    w.oil.refresh_from_db()
    application = create_application(
        product=w.oil,
        producer=w.oil.producer,
        benefit_modes=[BenefitMode.GUARANTEED_PURCHASE, BenefitMode.EMPLOYMENT],
        households_count=2,
        by=w.operator_b,
    )
    add_evidence(application, png(), "roster", by=w.operator_b)
    apply_transition(application.pk, "submit", by=w.operator_b)
    w.application = application
    return w


def pages(w) -> list[Page]:
    month = timezone.localdate().replace(day=1)
    period = f"start={month:%Y-%m-%d}&end={timezone.localdate():%Y-%m-%d}"
    yam_linkage, oil_linkage = linkage_in_force(w.yam), linkage_in_force(w.oil)
    everyone_in_scope = {role: ENTITLED[role] for role in STAFF}
    zhang_statement_openers = frozenset(
        {"operator_shop", "operator_other_shop", "officer_county", "officer_city", "platform_admin"}
    )
    oil_viewers = frozenset({"operator_other_shop", "officer_other_county", "officer_city", "platform_admin"})
    yam_viewers = frozenset({"operator_shop", "officer_county", "officer_city", "platform_admin"})

    def statement(name, kind, household):
        return reverse(f"attribution_admin:{name}", args=[kind, household.pk])

    admin = [
        Page("households", reverse("households:index"), STAFF, everyone_in_scope),
        Page(
            "household", reverse("households:inspect", args=[w.zhang.pk]), yam_viewers, dict.fromkeys(STAFF, {"zhang"})
        ),
        Page(
            "household edit",
            reverse("households:edit", args=[w.zhang.pk]),
            frozenset({"operator_shop", "platform_admin"}),
            dict.fromkeys(STAFF, {"zhang"}),
        ),
        Page("linkages", reverse("linkages:index"), STAFF),
        Page(
            "yam linkage",
            reverse("linkages:inspect", args=[yam_linkage.pk]),
            yam_viewers,
            dict.fromkeys(STAFF, VILLAGE_A),
        ),
        Page(
            "oil linkage",
            reverse("linkages:inspect", args=[oil_linkage.pk]),
            oil_viewers,
            dict.fromkeys(STAFF, {"chen", "zhang"}),
        ),
        Page(
            "oil linkage edit",  # the household choices: the viewer's own scope
            reverse("linkages:edit", args=[oil_linkage.pk]),
            frozenset({"operator_other_shop", "platform_admin"}),
            {"operator_other_shop": {"chen"}, "platform_admin": set(HOUSEHOLDS)},
        ),
        Page("applications", reverse("certification_admin:index"), STAFF),
        Page(
            "oil application",
            reverse("certification_admin:detail", args=[w.application.pk]),
            oil_viewers,
            dict.fromkeys(STAFF, {"chen", "zhang"}),
        ),
        Page(
            "statements",
            reverse("attribution_admin:statements"),
            STAFF,
            {**everyone_in_scope, "operator_other_shop": {"chen", "zhang"}},
        ),
        Page(
            "zhang's statement",
            statement("statement", "household", w.zhang),
            zhang_statement_openers,
            dict.fromkeys(STAFF, {"zhang"}),
        ),
        Page(
            "zhang's statement PDF",
            statement("statement_pdf", "household", w.zhang),
            zhang_statement_openers,
            dict.fromkeys(STAFF, {"zhang"}),
        ),
        Page(
            "zhang's statement CSV",  # entries only; the number is in the file name
            statement("statement_csv", "household", w.zhang),
            zhang_statement_openers,
            dict.fromkeys(STAFF, {"zhang"}),
            parts=("number",),
            masked_printed_as_is=False,
        ),
        Page(
            "chen's statement",
            statement("statement", "household", w.chen),
            oil_viewers,
            dict.fromkeys(STAFF, {"chen"}),
        ),
        Page(
            "shop B's payouts",  # operator A asking for shop B gets the form back, refused
            f"{reverse('attribution_admin:payouts')}?shop={w.shop_b.pk}&{period}",
            frozenset({"operator_shop", "operator_other_shop", "platform_admin"}),
            {"operator_other_shop": {"chen", "zhang"}, "platform_admin": {"chen", "zhang"}},
        ),
        Page(
            "shop B's payouts CSV",
            f"{reverse('attribution_admin:payouts')}?shop={w.shop_b.pk}&{period}&format=csv",
            frozenset({"operator_shop", "operator_other_shop", "platform_admin"}),
            {"operator_other_shop": {"chen", "zhang"}, "platform_admin": {"chen", "zhang"}},
        ),
        Page(
            "shop A's payouts",
            f"{reverse('attribution_admin:payouts')}?shop={w.shop_a.pk}&{period}",
            frozenset({"operator_shop", "operator_other_shop", "platform_admin"}),
            {"operator_shop": VILLAGE_A, "platform_admin": VILLAGE_A},
        ),
    ]
    everyone = frozenset(ROLES)
    public = [
        Page("home", "/", everyone),
        Page("yam", w.yam.get_absolute_url(), everyone),
        Page("oil", w.oil.get_absolute_url(), everyone),
        Page("catalogue of certified products", reverse("certified_catalogue"), everyone),
        Page("statement lookup", reverse("attribution:lookup"), everyone),
    ]
    return admin + public


def text_of(response) -> str:
    """What the viewer receives: the page, the CSV or the PDF's text, and the file name."""
    if response.get("Content-Type", "").startswith("application/pdf"):
        body = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    elif getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    else:
        body = response.content.decode()
    return body + "\n" + response.get("Content-Disposition", "")


def full_and_masked(household) -> dict:
    return {
        "name": (household.head_name, mask_name(household.head_name)),
        "number": (household.registration_number, mask_registration_number(household.registration_number)),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_page_shows_households_in_full_only_to_viewers_entitled_to_them(client, world, role):
    w = world
    if role != "anonymous":
        client.force_login(getattr(w, USERS[role]))
    checked = 0
    for page in pages(w):
        response = client.get(page.url)
        where = f"{page.name} as {role}"
        if role in page.opens:
            assert response.status_code == 200, where
        else:
            assert response.status_code in REFUSED, (where, response.status_code)
        text = text_of(response)
        for key in HOUSEHOLDS:
            values = full_and_masked(getattr(w, key))
            if key not in ENTITLED[role]:
                for part in ("name", "number"):
                    assert values[part][0] not in text, f"{where}: {key}'s full {part} shown"
        if response.status_code != 200:
            continue
        for key in page.shown_to(role):
            values = full_and_masked(getattr(w, key))
            entitled = key in ENTITLED[role]
            for part in page.parts:
                full, masked = values[part]
                if entitled:
                    assert full in text, f"{where}: {key}'s {part} missing"
                elif page.masked_printed_as_is:
                    assert masked in text, f"{where}: {key}'s masked {part} missing"
                checked += 1
    # Every role that reaches households met some of them (a role seeing none proves little).
    assert checked > 0 or role in {"buyer", "anonymous"}


def test_the_reviewing_officer_sees_an_outside_household_masked_on_the_application(client, world):
    """The finding: 成武县's officer, reviewing the oil, was shown 张小文 in full."""
    client.force_login(world.officer_b)
    page = client.get(reverse("certification_admin:detail", args=[world.application.pk])).content.decode()
    assert "张*文（3717**********0011）" in page and "陈芳（371723100200000044）" in page
    assert "张小文" not in page and "371722100200000011" not in page


def test_searching_statements_by_name_or_number_does_not_confirm_a_masked_household(client, world):
    client.force_login(world.operator_b)  # reaches 张小文's statement, masked
    index = reverse("attribution_admin:statements")
    assert "张*文" in client.get(index).content.decode()
    for query in ("张小文", "371722100200000011", "0011"):
        page = client.get(index, {"q": query}).content.decode()
        assert "张*文" not in page, query
    # Their own household is found by name and number.
    for query in ("陈芳", "371723100200000044"):
        assert "陈芳（371723100200000044）" in client.get(index, {"q": query}).content.decode()


def test_a_household_sees_its_own_data_in_full_and_nobody_elses(client, world):
    w = world
    code = attribution.issue_access_code(w.zhang, by=w.operator_a)
    response = client.post(
        reverse("attribution:lookup"), {"registration_number": w.zhang.registration_number, "access_code": code}
    )
    assert response.status_code == 302
    for name in ("mine", "mine_pdf", "mine_csv"):
        text = text_of(client.get(reverse(f"attribution:{name}")))
        assert "371722100200000011" in text, name
        if name != "mine_csv":
            assert "张小文" in text, name
        for other in (w.li, w.wang, w.chen):
            assert other.head_name not in text and other.registration_number not in text, name
