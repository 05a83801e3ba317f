"""Small builders of storefront test data on top of tests.factories."""

from catalog.tasks import generate_product_renditions
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import HouseholdFactory, ProductFactory, ProductImageFactory


def make_product(shop, category, *, with_image=False, **kwargs):
    product = ProductFactory(shop=shop, category=category, **kwargs)
    if with_image:
        ProductImageFactory(product=product)
        generate_product_renditions(product.pk)  # as the warm-up task does after a save
    return product


HEAD_NAMES = ["王秀英", "李桂兰", "张建国", "刘淑珍", "陈玉梅", "杨德胜", "赵春花", "孙立华"]


def link_households(product, count, collective=None):
    """Put a linkage in force that benefits ``count`` households (and a collective)."""
    village = product.origin_region
    shares = [
        ShareSpec(
            share_bp=100,
            mode="employment",
            household=HouseholdFactory(village=village, head_name=HEAD_NAMES[i % len(HEAD_NAMES)]),
        )
        for i in range(count)
    ]
    if collective is not None:
        shares.append(ShareSpec(share_bp=1000, mode="dividend", collective=collective))
    return revise_benefit_linkage(product, shares)


def set_newest_count(home, count):
    """The home page's newest-products grid (its default body) shows ``count`` products."""
    grid = next(child for child in home.body if child.block_type == "product_grid")
    grid.value["count"] = count
    home.save()
