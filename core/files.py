"""Files through Django's storage API (``STORAGES["default"]``): a folder or an S3-compatible bucket.

The portal never opens a path of its own: whatever a web process or a worker writes, any other one reads, on whichever
host it runs (settings.py, "Files"; docs/deployment.md).
"""

from __future__ import annotations

import os
import shutil
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage


def storage_errors() -> tuple[type[BaseException], ...]:
    """What a storage raises when it cannot be reached or refuses: ``OSError`` for a folder (a full disk, a volume
    gone), botocore's errors for a bucket (a timeout, a refused request)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - botocore is locked in requirements.txt
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def save_whole(storage: Storage, name: str, source: IO[bytes], *, temporary: str) -> str:
    """Store ``source`` under ``name`` so that nobody ever sees half of it, and return the name it was stored under.

    In a folder, the bytes go to ``temporary`` (a hidden name in the same folder) and are renamed once on disk: a
    process killed half-way leaves only the temporary file, never a short file under ``name``. A bucket shows an
    object only once its upload is complete, so there the storage's own ``save`` is already whole."""
    try:
        final = storage.path(name)
    except NotImplementedError:  # a bucket: no local path
        return storage.save(name, File(source))
    directory = os.path.dirname(final)
    os.makedirs(directory, exist_ok=True)
    part = os.path.join(directory, temporary)
    with open(part, "wb") as out:
        shutil.copyfileobj(source, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, final)
    return name
