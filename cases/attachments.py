"""What an attachment is, read from its bytes (puremagic), not from the name or the type the
uploader's browser claimed; which kinds are accepted (settings.ATTACHMENT_TYPES); and the
small previews the case page shows of photos.

Only the kinds a browser shows safely are ever served inline (photos and PDFs); anything
else — an SVG or HTML file that could carry a script, an unknown file — is a download.
"""

import io
import zipfile

import puremagic
from django.conf import settings
from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
INLINE_TYPES = IMAGE_TYPES | {"application/pdf"}
SNIFF_BYTES = 8192
# Word, Excel and PowerPoint files are zip archives; puremagic's signature cannot tell them
# apart (nor from any zip), so the archive's main part decides (ECMA-376 part names).
OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
OOXML_TYPES = set(OOXML_PARTS.values())
THUMB_SIZE = (320, 320)


def sniff(head: bytes) -> str:
    """The MIME type the bytes show, or application/octet-stream when they show none."""
    try:
        return puremagic.from_string(head, mime=True) or "application/octet-stream"
    except (puremagic.PureError, ValueError):
        return "application/octet-stream"


def sniff_file(file) -> str:
    """Sniff an open (uploaded or stored) file, leaving it where it was."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(position)
    return sniff(head)


def _ooxml_kind(file) -> str:
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "application/octet-stream"
    finally:
        file.seek(position)
    if "[Content_Types].xml" not in names:
        return "application/octet-stream"
    return next((kind for part, kind in OOXML_PARTS.items() if part in names), "application/zip")


def upload_kind(file) -> str:
    """What an uploaded file is, from its bytes: the type stored with the attachment."""
    kind = sniff_file(file)
    return _ooxml_kind(file) if kind in OOXML_TYPES else kind


def accepted(kind: str) -> bool:
    return kind in settings.ATTACHMENT_TYPES


def inline_type(file) -> str | None:
    """The type to show the file inline as, or None: serve it as a download."""
    kind = sniff_file(file)
    return kind if kind in INLINE_TYPES else None


def thumbnail(file) -> bytes | None:
    """A JPEG preview of a photo, at most THUMB_SIZE, or None for anything else."""
    if sniff_file(file) not in IMAGE_TYPES:
        return None
    try:
        with Image.open(file) as image:
            image.thumbnail(THUMB_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
