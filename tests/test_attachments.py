"""Photos and PDFs of a case: previews on the case page and a viewer, decided by what the
bytes are; anything else, whatever it claims to be, is only ever a download."""

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.attachments import sniff
from cases.models import Attachment
from tests.factories import NOW, PASSWORD, new_case

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def photo(size=(1200, 900)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buf, "PNG")
    return buf.getvalue()


def upload(client, case, name, content, claimed):
    client.post(
        f"/cases/{case.code}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=claimed)},
    )
    return case.attachments.get(name=name)


def test_a_photo_is_previewed_and_viewed_a_pdf_viewed_a_script_only_downloaded(
    client, county, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = new_case(county)
    client.login(username="vclerk", password=PASSWORD)
    pic = upload(client, case, "现场照片.png", photo(), "application/octet-stream")
    pdf = upload(client, case, "协议.pdf", b"%PDF-1.7\n" + b"0" * 200, "application/pdf")
    # A script that claims to be a photo is refused on upload (tests/test_uploads.py); one
    # stored before that check existed is still only ever a download.
    svg = Attachment(case=case, name="logo.png", content_type=sniff(SVG), uploaded_at=NOW)
    svg.file.save("logo.png", ContentFile(SVG))
    assert (pic.content_type, pdf.content_type) == ("image/png", "application/pdf")

    base = f"/cases/{case.code}/attachments"
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert f"{base}/{pic.pk}/?thumb=1" in page and f"{base}/{pic.pk}/view/" in page
    assert f"{base}/{pdf.pk}/view/" in page and f"{base}/{pdf.pk}/?thumb=1" not in page
    assert f"{base}/{svg.pk}/view/" not in page and f"{base}/{svg.pk}/?thumb=1" not in page

    # The preview is a small JPEG, not the 1200×900 photo.
    thumb = client.get(f"{base}/{pic.pk}/", {"thumb": 1})
    assert thumb["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320
    # Inline: the photo and the PDF as what they are; the SVG stays a download.
    shown = client.get(f"{base}/{pic.pk}/", {"inline": 1})
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert client.get(f"{base}/{pdf.pk}/", {"inline": 1})["X-Frame-Options"] == "SAMEORIGIN"
    forced = client.get(f"{base}/{svg.pk}/", {"inline": 1})
    assert forced["Content-Disposition"].startswith("attachment")
    assert "svg" not in forced["Content-Type"]
    assert client.get(f"{base}/{svg.pk}/", {"thumb": 1}).status_code == 404

    viewer = client.get(f"{base}/{pic.pk}/view/").content.decode()
    assert f'src="{base}/{pic.pk}/?inline=1"' in viewer and "<img" in viewer
    assert "<iframe" in client.get(f"{base}/{pdf.pk}/view/").content.decode()
    assert "下载" in client.get(f"{base}/{svg.pk}/view/").content.decode()

    # Outside the case's scope: nothing, not even a preview.
    client.login(username="vclerk_sibling", password=PASSWORD)
    assert client.get(f"{base}/{pic.pk}/", {"thumb": 1}).status_code == 404
    assert client.get(f"{base}/{pic.pk}/view/").status_code == 404
