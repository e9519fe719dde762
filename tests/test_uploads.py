"""Attachments are limited in size (per file and per case) and in kind, told from the bytes,
not the name or the browser's claim; refusals are clear Chinese messages and store nothing
(issue 11, item 2)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from docx import Document
from openpyxl import Workbook
from PIL import Image

from cases.models import Attachment, Case, TimelineEvent
from tests.factories import PASSWORD, new_case

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


@pytest.fixture
def clerk(client, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.login(username="vclerk", password=PASSWORD)
    return client


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def office(kind: str) -> bytes:
    out = io.BytesIO()
    (Document() if kind == "docx" else Workbook()).save(out)
    return out.getvalue()


def post(client, case, name, content, claimed="application/octet-stream"):
    return client.post(
        f"/cases/{case.code}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=claimed)},
        follow=True,
    )


@pytest.mark.parametrize(
    "name, content, claimed",
    [
        ("照片.jpg", HTML, "image/jpeg"),  # HTML that calls itself a photo
        ("x.html", HTML, "text/html"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "image/svg+xml"),
        ("协议.docx", b"PK\x03\x04" + b"\x00" * 200, "application/msword"),  # a zip, not Word
        ("说明.txt", "纯文本".encode(), "text/plain"),
    ],
)
def test_a_file_whose_bytes_are_not_an_accepted_kind_is_refused(
    clerk, county, name, content, claimed
):
    case = new_case(county)
    r = post(clerk, case, name, content, claimed)
    assert f"“{name}”不是案件可接受的文件类型" in r.content.decode()
    assert not case.attachments.exists()
    assert not TimelineEvent.objects.filter(case=case, kind="attachment_added").exists()


def test_accepted_kinds_are_stored_with_the_type_their_bytes_show(clerk, county):
    case = new_case(county)
    for name, content, expected in [
        ("现场.png", jpeg(), "image/jpeg"),  # a JPEG named .png is stored as a JPEG
        ("协议.pdf", b"%PDF-1.7\n" + b"0" * 100, "application/pdf"),
        (
            "笔录.docx",
            office("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "清单.xlsx",
            office("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]:
        post(clerk, case, name, content, "text/html")
        assert case.attachments.get(name=name).content_type == expected


def test_a_file_over_the_size_limit_is_refused(clerk, county, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    case = new_case(county)
    r = post(clerk, case, "大照片.jpg", jpeg() + b"\x00" * 2048)
    assert "“大照片.jpg”大于单个文件上限 1.0\xa0KB" in r.content.decode()
    assert not case.attachments.exists()


def test_a_case_holds_at_most_its_total(clerk, county, settings):
    photo = jpeg()
    settings.CASE_ATTACHMENTS_MAX_BYTES = 2 * len(photo) + 10
    case = new_case(county)
    post(clerk, case, "1.jpg", photo)
    post(clerk, case, "2.jpg", photo)
    r = post(clerk, case, "3.jpg", photo)
    assert "上传“3.jpg”后本案附件将超过" in r.content.decode()
    assert list(case.attachments.values_list("name", flat=True)) == ["1.jpg", "2.jpg"]


def test_an_intake_with_a_refused_attachment_registers_nothing(client, county, settings, tmp_path):
    from tests.test_case_views import intake_data, login

    settings.MEDIA_ROOT = tmp_path
    login(client, county, "grid")
    data = intake_data(county, attachments=SimpleUploadedFile("x.html", HTML))
    r = client.post("/cases/new/", data)
    assert "“x.html”不是案件可接受的文件类型" in r.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_signed_scan_is_checked_the_same_way(client, county, settings, tmp_path):
    """The mediation panel's signed-scan upload stores an attachment through the same service."""
    settings.MEDIA_ROOT = tmp_path
    from cases.services import add_attachment
    from jiefen.errors import ServiceError

    case = new_case(county)
    with pytest.raises(ServiceError) as e:
        add_attachment(
            case, county.users["vclerk"], SimpleUploadedFile("扫描件.jpg", HTML), case.created_at
        )
    assert e.value.field_errors["file"] == e.value.message
