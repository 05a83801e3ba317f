"""Which Content-Security-Policy a response carries.

django-csp's middleware sends ``CONTENT_SECURITY_POLICY`` (the storefront's strict
policy) with every response, and a view that needs more says so itself with django-csp's
decorators (the Stripe payment page, a live event's player). The Wagtail admin is one URL
prefix of views we do not write, so it gets its own policy here, by path:
``ADMIN_CONTENT_SECURITY_POLICY`` for requests under its ``PATH_PREFIXES``. A view's own
decorator still wins over either.

Wagtail renders a page's preview for the editor by running a dummy request for the
page's own URL through the middleware (``request.is_dummy``): it gets the storefront's
policy, except that the admin, on this site, may frame it."""

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        admin = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", None)
        if admin and not report_only and parts.config is None:
            if request.path_info.startswith(tuple(admin["PATH_PREFIXES"])):
                parts.config = default_config(admin["DIRECTIVES"])
        if getattr(request, "is_dummy", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts
