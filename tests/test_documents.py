"""The official mediation documents: each drawn up from case data as DOCX and PDF, opened
again and read; downloads need the full-record roles; templates are editable data."""

import datetime
import importlib
import io
import subprocess
from pathlib import Path

import docx
import pytest
from django.apps import apps as django_apps
from pypdf import PdfReader

from areas.models import Role
from documents.models import Block, BlockKind, DocumentTemplate
from documents.seed import load_templates
from documents.services import available_documents, draw_up
from mediation import services
from mediation.models import AgreementForm, SessionKind, SessionResult
from tests.factories import PASSWORD, user
from tests.test_mediation_work import DAY, T0, in_handling_at_village, mediator
from tests.visits import visit

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
TITLES = {
    "application": "人民调解申请书",
    "registration": "人民调解受理登记表",
    "investigation": "人民调解调查记录",
    "record": "人民调解记录",
    "agreement": "人民调解协议书",
    "oral": "人民调解口头协议登记表",
    "visit": "人民调解回访记录",
    "dossier": "人民调解卷宗",
    "confirmation": "司法确认申请书",
}


# 民族 and 职业 of the factory's parties (张三 土家族 退休教师, 李四 汉族 个体工商户).
PARTY_DETAILS = ["土家族", "退休教师", "汉族", "个体工商户"]
PARTY_SIGNATURES = ["申请人（签名、盖章或按指印）", "被申请人（签名、盖章或按指印）"]


@pytest.fixture
def templates(db):
    if not DocumentTemplate.objects.exists():  # a transactional test's flush removes them
        load_templates(DocumentTemplate, Block)


def docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def pdf_text(data: bytes) -> str:
    """The text as poppler (what most Linux viewers use) extracts it."""
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def mediated_case(county):
    """A case with an investigation, a failed session, a written agreement, its judicial
    confirmation and a follow-up visit; and a second case settled orally."""
    m = county.users["mediator"]
    case = in_handling_at_village(county)
    lead = mediator("王调解", [county.villages[0]], unit=county.units["committee"], user=m)
    services.assign_mediators(case, county.users["vclerk"], T0, [lead.pk])

    def held(kind, result, when, **kw):
        s = services.schedule_session(
            case, m, when, starts_at=when, place="镇1村1调解室", kind=kind
        )
        record = services.SessionRecord(
            result=result,
            facts=kw.pop("facts"),
            attendees="村民小组长赵六",
            recorder="记录员钱七",
            interviewee=kw.pop("interviewee", ""),
            positions=[{"party": "张三", "text": "要求赔偿损失五千元"}],
            note=kw.pop("note", ""),
        )
        agreement = (
            services.AgreementInput(facts="楼上卫生间防水层破损导致渗水", **kw) if kw else None
        )
        return services.record_session(s, m, when, record, agreement)

    held(
        SessionKind.INVESTIGATION,
        "",
        T0,
        facts="现场查看楼下天花板渗水痕迹。",
        interviewee="楼下住户张三",
    )
    held(
        SessionKind.MEDIATION,
        SessionResult.FAILED,
        T0 + DAY,
        facts="双方各执一词",
        note="未达成一致",
    )
    held(
        SessionKind.MEDIATION,
        SessionResult.AGREEMENT,
        T0 + 2 * DAY,
        facts="防水层破损",
        form=AgreementForm.WRITTEN,
        content="李四赔偿张三人民币三千元并修复防水层",
        performance_method="银行转账",
        performance_due=datetime.date(2026, 12, 10),
        effective_on=datetime.date(2026, 11, 25),
    )
    agreement = case.agreements.get()
    services.prepare_confirmation(agreement, m, T0 + 2 * DAY)
    # 走一家访三家: the party, then a neighbour; the 回访记录 prints both.
    visit(case, m, T0 + 10 * DAY, findings="协议已履行完毕，双方满意。", satisfaction="satisfied")
    visit(case, m, T0 + 10 * DAY, name="邻居孙八", findings="两家来往正常，未再争吵。")

    oral = in_handling_at_village(county)
    held_oral = services.schedule_session(oral, m, T0, starts_at=T0, place="村委会")
    services.record_session(
        held_oral,
        m,
        T0,
        services.SessionRecord(result=SessionResult.AGREEMENT, facts="装修噪音"),
        services.AgreementInput(
            form=AgreementForm.ORAL,
            facts="装修噪音扰民",
            content="每日十八时后停止施工",
            performance_method="即时履行",
        ),
    )
    return case, oral


def test_every_document_carries_the_case_data_in_docx_and_pdf(county, templates):
    case, oral = mediated_case(county)
    offers = available_documents(case) + [
        o for o in available_documents(oral) if o.template.slug == "oral"
    ]
    assert sorted({o.template.slug for o in offers}) == sorted(TITLES)
    expected = {
        "application": ["张三", "李四", "楼上住户改造卫生间", "申请事项", *PARTY_DETAILS],
        "registration": [
            "调解 张三、李四 之间的纠纷",
            "邻里",
            "人民调解委员会主动调解",
            *PARTY_DETAILS,
        ],
        "investigation": ["现场查看楼下天花板渗水痕迹", "楼下住户张三", "记录员钱七"],
        "record": ["要求赔偿损失五千元", "王调解", "村民小组长赵六"],
        "agreement": [
            "（2026）人调字第1号",
            "李四赔偿张三人民币三千元",
            "2026年12月10日",
            *PARTY_DETAILS,
        ],
        "oral": ["每日十八时后停止施工", "口头调解协议"],
        "visit": ["协议已履行完毕", "满意", "（2026）人调字第1号", "邻居孙八", "未再争吵"],
        "dossier": [
            "镇1村1人民调解委员会",
            "卷内目录",
            "人民调解回访记录",
            "2026年11月23日至2026年11月25日",
        ],
        "confirmation": ["县人民法院", "请求确认申请人于2026年11月25日", "三十日内"],
    }
    seen = []
    for offer in offers:
        slug = offer.template.slug
        target = oral if slug == "oral" else case
        for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
            data = draw_up(offer.template, target, offer.obj_id, fmt, county.users["vclerk"], T0)
            text = read(data)
            compact = text.replace(" ", "").replace("\n", "")
            for needle in [TITLES[slug], target.code, *expected[slug]]:
                assert needle.replace(" ", "") in compact, (slug, fmt, needle)
            seen.append(compact)
    # The failed session's record says why and what the parties were told.
    assert any("双方各执一词" in t and "未达成一致" in t for t in seen)


def test_party_tables_carry_ethnic_group_and_occupation_in_their_columns(county, templates):
    case, _ = mediated_case(county)
    template = DocumentTemplate.objects.get(slug="application")
    data = draw_up(template, case, case.pk, "docx", county.users["vclerk"], T0)
    tables = docx.Document(io.BytesIO(data)).tables
    rows = [[c.text for c in row.cells] for t in tables for row in t.rows]
    columns = rows[0]
    applicant = dict(zip(columns, rows[1], strict=True))
    respondent = dict(zip(columns, rows[3], strict=True))
    assert (applicant["姓名"], applicant["民族"], applicant["职业或职务"]) == (
        "张三",
        "土家族",
        "退休教师",
    )
    assert (respondent["姓名"], respondent["民族"], respondent["职业或职务"]) == (
        "李四",
        "汉族",
        "个体工商户",
    )


def test_agreement_has_a_signature_line_per_party_side(county, templates):
    case, _ = mediated_case(county)
    template = DocumentTemplate.objects.get(slug="agreement")
    agreement = case.agreements.get()
    for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
        data = draw_up(template, case, agreement.pk, fmt, county.users["vclerk"], T0)
        lines = [line.replace(" ", "") for line in read(data).splitlines()]
        signed = [line for line in lines if "（签名、盖章或按指印）" in line]
        assert len(signed) == 2, (fmt, signed)
        for label, line in zip(PARTY_SIGNATURES, signed, strict=True):
            assert line.startswith(label + "：____"), (fmt, line)
        for other in ("人民调解员（签名）：", "记录人（签名）：", "人民调解委员会（印章）："):
            assert sum(other in line for line in lines) == 1, (fmt, other)


def test_the_shipped_agreement_gets_its_side_lines_unless_edited(county, templates):
    migration = importlib.import_module("documents.migrations.0003_agreement_signature_per_side")
    block = Block.objects.get(template__slug="agreement", kind=BlockKind.SIGNATURES)
    assert block.text == migration.NEW
    block.text = migration.OLD
    block.save()
    migration.per_side(django_apps, None)
    block.refresh_from_db()
    assert block.text == migration.NEW
    block.text = "当事人（签名）\n人民调解委员会（印章）"  # an administrator's own wording stays
    block.save()
    migration.per_side(django_apps, None)
    block.refresh_from_db()
    assert block.text == "当事人（签名）\n人民调解委员会（印章）"


def test_pdf_embeds_a_cjk_font_and_renders(county, templates, tmp_path):
    case, _ = mediated_case(county)
    template = DocumentTemplate.objects.get(slug="agreement")
    agreement = case.agreements.get()
    data = draw_up(template, case, agreement.pk, "pdf", county.users["vclerk"], T0, "http://x/c/1")
    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSerifCJKSC" in fonts or "NotoSansCJKSC" in fonts
    assert " yes yes yes " in fonts  # embedded, subset, with a Unicode map
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / "agreement-page1"),
        ],
        check=True,
    )
    png = ARTIFACTS / "agreement-page1.png"
    assert png.exists() and png.stat().st_size > 10_000
    # The agreement carries its case's QR code (an image on the page).
    assert PdfReader(io.BytesIO(data)).pages[0].images


def test_downloads_need_a_full_record_role(county, templates, client):
    case, _ = mediated_case(county)
    agreement = case.agreements.get()
    url = f"/documents/{case.code}/agreement.pdf?id={agreement.pk}"
    client.login(username="grid", password=PASSWORD)  # sees the case, but masked
    assert client.get(url).status_code == 403
    client.login(username="vclerk_sibling", password=PASSWORD)  # does not see the case
    assert client.get(url).status_code == 404
    client.login(username="vclerk", password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "人民调解协议书" in pdf_text(response.content)
    assert case.access_log.filter(user=county.users["vclerk"]).exists()
    assert client.get(f"/documents/{case.code}/agreement.pdf?id=999999").status_code == 404
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert f"/documents/{case.code}/agreement.pdf?id={agreement.pk}" in page
    assert f"/documents/{case.code}/dossier.docx" in page


def test_administrator_adjusts_a_template(county, templates, client):
    case, _ = mediated_case(county)
    admin = user("docadmin", county.centers[county.county.code], Role.ADMIN)
    template = DocumentTemplate.objects.get(slug="registration")
    client.force_login(county.users["vclerk"])
    assert client.get(f"/documents/templates/{template.pk}/").status_code == 404
    client.force_login(admin)
    assert "人民调解受理登记表" in client.get("/documents/templates/").content.decode()
    blocks = list(template.blocks.all())
    data = {
        "title": "纠纷受理登记表",
        "order": 20,
        "is_active": "on",
        "blocks-TOTAL_FORMS": len(blocks) + 1,
        "blocks-INITIAL_FORMS": len(blocks),
        "blocks-MIN_NUM_FORMS": 0,
        "blocks-MAX_NUM_FORMS": 1000,
    }
    for i, b in enumerate(blocks):
        data.update(
            {
                f"blocks-{i}-id": b.pk,
                f"blocks-{i}-template": template.pk,
                f"blocks-{i}-order": b.order,
                f"blocks-{i}-kind": b.kind,
                f"blocks-{i}-label": "纠纷类别" if b.source == "case.category" else b.label,
                f"blocks-{i}-source": b.source,
                f"blocks-{i}-text": b.text,
            }
        )
    n = len(blocks)
    data.update(
        {
            f"blocks-{n}-order": 1,
            f"blocks-{n}-kind": BlockKind.TEXT,
            f"blocks-{n}-text": "本表由{committee}填写。",
            f"blocks-{n}-source": "",
            f"blocks-{n}-label": "",
        }
    )
    response = client.post(f"/documents/templates/{template.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    text = docx_text(
        draw_up(DocumentTemplate.objects.get(pk=template.pk), case, None, "docx", admin, T0)
    )
    assert "纠纷受理登记表" in text and "纠纷类别：用水排水通行通风采光（邻里）" in text
    assert text.index("本表由镇1村1人民调解委员会填写。") < text.index("登记日期")
