"""Admin forms of the page types."""

from wagtail.admin.forms import WagtailAdminPageForm


class PavilionPageForm(WagtailAdminPageForm):
    """Which region a pavilion shows decides which bureau edits it (``cms/rights.py``): on an
    existing pavilion only those who may publish it (platform administrators) change the
    region; a bureau's officers see it, unchangeable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if "region" in self.fields and self.instance.pk and user is not None:
            if not self.instance.permissions_for_user(user).can_publish():
                self.fields["region"].disabled = True
