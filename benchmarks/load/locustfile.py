"""Buyers of the load test (benchmarks/load/run.py starts this with locust).

Each simulated buyer browses — home page, product list, a category, product pages,
search — and now and then puts one or two products in the cart and checks out by bank
transfer, as a person would with the storefront's forms (session and CSRF cookies,
redirects read, not followed blindly). What to visit comes from the JSON file named by
LOAD_TARGETS, which run.py writes from the database it set up.

A request counts as failed when the server answers 5xx or not at all, or anything but
what that step answers to a buyer (a 302 for a cart addition and a placed order, 200 for
pages). A refused checkout (sold out, price changed) is an answer, not a failure:
200 with the message, counted as "checkout refused"."""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, events, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"], encoding="utf-8").read())
COUNTS = {"checkouts placed": 0, "checkouts refused": 0}


@events.quitting.add_listener
def _write_counts(environment, **_kwargs):
    path = os.environ.get("LOAD_COUNTS")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(COUNTS, out)


class Buyer(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.page("/", "home")

    # -- helpers ---------------------------------------------------------------------------------------------------
    def page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{name}: HTTP {response.status_code}")
            return response

    def post(self, url: str, data: dict, name: str):
        token = self.client.cookies.get("csrftoken", "")
        return self.client.post(
            url, data=data, name=name, headers={"X-CSRFToken": token}, catch_response=True, allow_redirects=False
        )

    # -- browsing --------------------------------------------------------------------------------------------------
    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def product_list(self) -> None:
        sort = random.choice(["", "?sort=price_asc", "?sort=newest", "?page=2"])
        self.page("/products/" + sort, "list")

    @task(2)
    def category(self) -> None:
        self.page(random.choice(TARGETS["categories"]), "category")

    @task(4)
    def product(self) -> None:
        self.page(random.choice(TARGETS["products"])["url"], "product")

    @task(2)
    def search(self) -> None:
        self.page("/search/?q=" + random.choice(TARGETS["words"]), "search")

    # -- buying ----------------------------------------------------------------------------------------------------
    @task(1)
    def buy(self) -> None:
        for product in random.sample(TARGETS["products"], k=random.choice([1, 1, 2])):
            self.page(product["url"], "product")  # the buyer sees it (and gets the CSRF cookie)
            with self.post("/cart/add/", {"product_id": product["id"], "quantity": 1}, "cart add") as response:
                if response.status_code != 302:
                    response.failure(f"cart add: HTTP {response.status_code}")
                    return
        self.page("/cart/", "cart")
        self.page("/checkout/", "checkout form")
        region = random.choice(TARGETS["regions"])
        form = {
            "contact_name": "压测买家",
            "email": f"buyer{random.randrange(10**6)}@example.cn",
            "mobile": f"138{random.randrange(10**8):08d}",
            "buyer_type": "individual",
            "province": region["province"],
            "city": region["city"],
            "county": region["county"],
            "ship_detail": "幸福路 8 号",
            "recipient_name": "压测收货人",
            "recipient_mobile": f"139{random.randrange(10**8):08d}",
            "payment_method": "transfer",
        }
        with self.post("/checkout/", form, "checkout submit") as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and "/orders/o/" in location:
                COUNTS["checkouts placed"] += 1
                placed = True
            elif response.status_code == 200:
                COUNTS["checkouts refused"] += 1  # sold out or price changed: said on the page
                placed = False
            else:
                response.failure(f"checkout: HTTP {response.status_code} {location}")
                return
        if placed:
            self.page(location, "order page")
        else:
            self.client.cookies.clear()  # a new session: leave the refused cart behind
