"""Deterministic demo data for the marketplace (``manage.py load_demo``) and the scale data
the benchmarks load: ``builder`` (the demo), ``scale_catalogue`` (bulk products),
``scale_sales`` (a year of sales)."""
