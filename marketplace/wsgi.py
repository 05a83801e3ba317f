import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")
application = get_wsgi_application()

# What is loaded by now (Django, Wagtail, the apps), and what the first request loads (the
# templates, the URL resolvers, the translation catalogs), lives as long as the process:
# moved out of the garbage collector's sight, so that its full collections, which a page
# of model instances sets off every few requests, do not walk it every time (on a product
# list: about a third of the time spent in Python; benchmarks/storefront).
gc.freeze()


def _freeze_after_first_request(**kwargs):
    request_finished.disconnect(_freeze_after_first_request)
    gc.collect()
    gc.freeze()


request_finished.connect(_freeze_after_first_request)
