"""What an attachment is, read from its bytes (puremagic), not from the name or the type the
uploader's browser claimed; and the small previews the case page shows of photos.

Only the kinds a browser shows safely are ever served inline (photos and PDFs); anything
else — an SVG or HTML file that could carry a script, an unknown file — is a download.
"""

import io

import puremagic
from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
INLINE_TYPES = IMAGE_TYPES | {"application/pdf"}
SNIFF_BYTES = 8192
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
