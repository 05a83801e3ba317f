"""The site's URLs plus media files, for the live test server only.

runserver serves media under DEBUG (marketplace/urls.py) and a web server does in
production; the live server runs the test settings (DEBUG off), so the real-browser test
adds the same media route here rather than turning DEBUG on."""

import re

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from marketplace.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    re_path(
        rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
    ),
    *site_urlpatterns,
]
