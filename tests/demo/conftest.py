import pytest


@pytest.fixture(autouse=True)
def demo_media(settings, tmp_path):
    """The demo writes a hundred picture files per build: keep them in this test's own
    folder, not in the media folder other tests share."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
