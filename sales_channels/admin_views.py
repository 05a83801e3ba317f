"""The pairings' admin pages beyond the generic ones: the inspect page leads to the
pairing's own report (served by the reports app, ``report_links``)."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import HeaderButton

from core.admin_policy import ScopedInspectView

from .report_links import report_url


class PairingInspectView(ScopedInspectView):
    @cached_property
    def header_buttons(self):
        url = report_url(self.object.pk)
        return [HeaderButton(_("结对销售报表"), url=url, icon_name="table")] if url else []
