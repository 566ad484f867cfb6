"""An upload handler that keeps an oversized request body out of memory and off the disk.

Django spools a file larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file, whatever its
size. This handler runs first: when the request declares more than MAX_UPLOAD_REQUEST_BYTES, each
file's bytes are read and thrown away chunk by chunk, and the form receives an empty stand-in
that reports the declared size, so it refuses the upload by its size with a clear message. The
other fields (the CSRF token) are parsed as usual. A proxy body limit in front of the app (see
README, Production) refuses such a request before it reaches a worker at all.
"""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class OversizedUpload(InMemoryUploadedFile):
    """What a form gets instead of a file that was too large to keep: no content, its size."""

    def __init__(self, *, field_name: str, name: str, declared_size: int):
        super().__init__(BytesIO(), field_name, name, "application/octet-stream", 0, None)
        self.size = declared_size


class DiscardOversizedUploads(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.discard = content_length > settings.MAX_UPLOAD_REQUEST_BYTES
        self.declared = content_length

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if self.discard:
            raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        return None if self.discard else raw_data

    def file_complete(self, file_size):
        if not self.discard:
            return None
        return OversizedUpload(
            field_name=self.field_name, name=self.file_name, declared_size=self.declared
        )
