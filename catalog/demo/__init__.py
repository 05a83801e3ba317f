"""Deterministic demo data for the marketplace (``manage.py load_demo``)."""

from .builder import DemoLogin, DemoResult, build_demo, demo_present, reset_demo
from .scale import ScaleCounts, add_scale_products

__all__ = [
    "DemoLogin",
    "DemoResult",
    "ScaleCounts",
    "add_scale_products",
    "build_demo",
    "demo_present",
    "reset_demo",
]
