"""Private file storage: generated reports, report logos, exports and import uploads.

Files live under settings.PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, and have no URL: they leave the server only
through permission-checked, access-logged download views (never as media)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.pop("location", None)
        kwargs.pop("base_url", None)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        """Never a public URL (forms and the admin then show no link to the file)."""
        return ""

    def _save(self, name, content):
        root = Path(self.location)
        if not root.exists():
            root.mkdir(parents=True, exist_ok=True)
            (root / ".gitignore").write_text("*\n")  # never committed by accident
        return super()._save(name, content)


private_storage = PrivateStorage()
