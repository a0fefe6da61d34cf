"""Uploads larger than ``settings.UPLOAD_MAX_BYTES`` are never stored, not even in a temporary file."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: counts the bytes of each file and skips a file past the limit.

    The skipped file is simply missing from ``request.FILES``; ``request.upload_too_large`` names it, so that the
    form can say why instead of "choose a file".
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.request.upload_too_large = self.file_name
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        # The next handler (in memory or a temporary file) builds the file.
        return None
