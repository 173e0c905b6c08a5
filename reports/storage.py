"""The private storage now lives in core.storage (import uploads use it too); kept for the migrations that name it."""
from core.storage import PrivateStorage, private_storage

__all__ = ["PrivateStorage", "private_storage"]
