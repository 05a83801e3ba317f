from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and scale data: the seeded demo (``load_demo``), bulk catalogues and sales for
    benchmarks (``load_scale_sales``, ``benchmark_reports``, ``benchmark_search``). No models."""

    name = "demo"
    verbose_name = _("演示数据 Demo data")
