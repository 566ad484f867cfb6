"""A pending import keeps the bytes that were uploaded, no longer the text read from them, so
the household can have them read in another encoding without uploading the file again. The
uploads waiting now are written back into the encoding they were read in: the same bytes for
every single-byte code page and UTF-8, bytes that read as the same text for UTF-16."""

import zlib

from django.db import migrations


def text_to_bytes(apps, schema_editor):
    PendingImport = apps.get_model("expenses", "PendingImport")
    for pending in PendingImport.objects.iterator():
        text = zlib.decompress(bytes(pending.content)).decode("utf-8")
        pending.content = zlib.compress(text.encode(pending.encoding), 6)
        pending.save(update_fields=["content"])


def bytes_to_text(apps, schema_editor):
    PendingImport = apps.get_model("expenses", "PendingImport")
    for pending in PendingImport.objects.iterator():
        text = zlib.decompress(bytes(pending.content)).decode(pending.encoding)
        pending.content = zlib.compress(text.encode("utf-8"), 6)
        pending.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [("expenses", "0013_pending_imports")]

    operations = [migrations.RunPython(text_to_bytes, bytes_to_text)]
