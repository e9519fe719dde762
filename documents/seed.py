"""The templates the system ships: 司法部《人民调解文书格式》(2010), fields as in STANDARDS.md §2.1.

Loaded by a data migration; administrators adjust them at /documents/templates/ afterwards.
Blocks are (kind, label, source, text).
"""

H, F, T, TB, S = "heading", "field", "text", "table", "signatures"

AGREEMENT_SIGNATURES = (
    "申请人（签名、盖章或按指印）\n被申请人（签名、盖章或按指印）\n"
    "人民调解员（签名）\n记录人（签名）\n人民调解委员会（印章）"
)

TEMPLATES = [
    {
        "slug": "application",
        "title": "人民调解申请书",
        "subject": "case",
        "blocks": [
            (TB, "申请人", "parties.applicants", ""),
            (TB, "被申请人", "parties.respondents", ""),
            (F, "纠纷简要情况", "case.description", ""),
            (H, "申请事项", "", ""),
            (T, "", "", "1. 请求{committee}依法调解申请人与被申请人之间的{case.title}。"),
            (
                T,
                "",
                "",
                "人民调解委员会已将人民调解的性质、原则、效力以及当事人在调解活动中享有的权利"
                "和承担的义务告知申请人。",
            ),
            (F, "案件编号", "case.code", ""),
            (S, "", "", "申请人（签名、盖章或按指印）"),
        ],
    },
    {
        "slug": "registration",
        "title": "人民调解受理登记表",
        "subject": "case",
        "blocks": [
            (F, "登记日期", "case.accepted_on", ""),
            (T, "", "", "调解 {parties.names} 之间的纠纷。"),
            (F, "纠纷类型", "case.category", ""),
            (F, "案件来源", "case.source", ""),
            (F, "纠纷发生地", "case.area", ""),
            (F, "纠纷简要情况", "case.description", ""),
            (TB, "当事人", "parties.all", ""),
            (F, "案件编号", "case.code", ""),
            (S, "", "", "当事人（签名）\n登记人（签名）\n人民调解委员会（印章）"),
        ],
    },
    {
        "slug": "investigation",
        "title": "人民调解调查记录",
        "subject": "investigation",
        "blocks": [
            (F, "时间", "session.time", ""),
            (F, "地点", "session.place", ""),
            (F, "参加人", "session.attendees", ""),
            (F, "被调查人", "session.interviewee", ""),
            (F, "记录人", "session.recorder", ""),
            (F, "事由", "case.title", ""),
            (F, "调查内容", "session.facts", ""),
            (F, "案件编号", "case.code", ""),
            (S, "", "", "被调查人（签名）\n调查人（签名）\n记录人（签名）"),
        ],
    },
    {
        "slug": "record",
        "title": "人民调解记录",
        "subject": "mediation",
        "blocks": [
            (F, "时间", "session.time", ""),
            (F, "地点", "session.place", ""),
            (F, "事由", "case.title", ""),
            (F, "参加人", "session.attendees", ""),
            (F, "当事人", "parties.names", ""),
            (F, "调解员", "mediators", ""),
            (
                T,
                "",
                "",
                "调解员告知当事人在人民调解活动中享有的权利和承担的义务，告知人民调解遵循的原则，"
                "并表明调解员身份。",
            ),
            (F, "当事人陈述", "session.positions", ""),
            (F, "查明的事实", "session.facts", ""),
            (
                T,
                "",
                "",
                "风险提示：调解员已告知当事人调解不成时可依法通过仲裁、行政、司法等途径维护权利。",
            ),
            (F, "调解意见", "session.proposal", ""),
            (F, "调解结果", "session.result", ""),
            (F, "未达成协议的原因及告知的途径", "session.note", ""),
            (F, "案件编号", "case.code", ""),
            (S, "", "", "当事人（签名）\n调解员（签名）\n记录人（签名）\n人民调解委员会（印章）"),
        ],
    },
    {
        "slug": "agreement",
        "title": "人民调解协议书",
        "subject": "written",
        "show_qr": True,
        "blocks": [
            (F, "编号", "agreement.number", ""),
            (TB, "当事人", "parties.all", ""),
            (F, "纠纷主要事实、争议事项及各方当事人的责任", "agreement.facts", ""),
            (F, "经调解，自愿达成如下协议", "agreement.content", ""),
            (F, "履行方式、时限", "agreement.performance", ""),
            (
                T,
                "",
                "",
                "本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会"
                "印章之日起生效。本协议一式三份，双方当事人、人民调解委员会各持一份。"
                "当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。",
            ),
            (F, "人民调解委员会", "committee", ""),
            (
                S,
                "",
                "",
                # One line per party side (人民调解法 art. 29: each party signs), then the
                # mediator, the recorder and the committee's seal.
                AGREEMENT_SIGNATURES,
            ),
        ],
    },
    {
        "slug": "oral",
        "title": "人民调解口头协议登记表",
        "subject": "oral",
        "show_qr": True,
        "blocks": [
            (F, "编号", "agreement.number", ""),
            (TB, "当事人", "parties.all", ""),
            (F, "纠纷主要事实、争议事项", "agreement.facts", ""),
            (F, "协议内容", "agreement.content", ""),
            (F, "履行方式、时限", "agreement.performance", ""),
            (F, "达成日期", "agreement.effective_on", ""),
            (T, "", "", "口头调解协议自各方当事人达成协议之日起生效。"),
            (F, "案件编号", "case.code", ""),
            (S, "", "", "当事人（签名或按指印）\n人民调解员（签名）\n登记人（签名）"),
        ],
    },
    {
        "slug": "visit",
        "title": "人民调解回访记录",
        "subject": "follow_up",
        "blocks": [
            (F, "当事人", "follow_up.party", ""),
            (F, "调解协议编号", "agreement.number", ""),
            (F, "回访事由", "case.title", ""),
            (F, "回访情况", "follow_up.note", ""),
            (F, "当事人满意度", "follow_up.satisfaction", ""),
            (F, "回访人", "follow_up.visitor", ""),
            (F, "回访时间", "follow_up.at", ""),
            (F, "案件编号", "case.code", ""),
            (S, "", "", "回访人（签名）"),
        ],
    },
    {
        "slug": "dossier",
        "title": "人民调解卷宗",
        "subject": "case",
        "blocks": [
            (F, "人民调解委员会", "committee", ""),
            (F, "卷名", "case.title", ""),
            (F, "卷号", "agreement.number", ""),
            (F, "人民调解员", "mediators", ""),
            (F, "调解日期", "dossier.period", ""),
            (F, "立卷人", "actor", ""),
            (F, "立卷日期", "today", ""),
            (T, "保管期限", "", "长期"),
            (F, "案件编号", "case.code", ""),
            (T, "备注", "", ""),
            (TB, "卷内目录", "dossier.toc", ""),
        ],
    },
    {
        "slug": "confirmation",
        "title": "司法确认申请书",
        "subject": "confirmation",
        "blocks": [
            (TB, "申请人", "parties.all", ""),
            (F, "受理法院", "court", ""),
            (H, "请求事项", "", ""),
            (
                T,
                "",
                "",
                "请求确认申请人于{agreement.effective_on}经{committee}调解达成的"
                "{agreement.number}人民调解协议有效。",
            ),
            (H, "事实和理由", "", ""),
            (F, "纠纷主要事实", "agreement.facts", ""),
            (F, "协议内容", "agreement.content", ""),
            (
                T,
                "",
                "",
                "申请人依照《中华人民共和国人民调解法》第三十三条、《中华人民共和国民事诉讼法》"
                "的规定，自调解协议生效之日起三十日内共同提出申请。申请人保证出于解决纠纷的目的"
                "自愿达成协议，没有恶意串通、规避法律的行为，如因虚假调解给他人造成损失，"
                "愿意承担相应的法律责任。",
            ),
            (
                T,
                "附",
                "",
                "1. 人民调解协议书；2. 申请人身份证明；3. 与协议有关的财产权利证明；"
                "4. 申请人送达地址及联系方式。",
            ),
            (F, "案件编号", "case.code", ""),
            (S, "", "", "申请人（签名、盖章或按指印）"),
        ],
    },
]


MINUTES = {
    "slug": "meeting-minutes",
    "title": "矛盾纠纷研判会议纪要",
    "subject": "meeting",
    "blocks": [
        (F, "综治中心", "meeting.center", ""),
        (F, "会议时间", "meeting.date", ""),
        (F, "会议类型", "meeting.kind", ""),
        (F, "说明", "meeting.note", ""),
        (TB, "研判事项", "meeting.items", ""),
        (F, "走访未到位的重点人员", "meeting.persons", ""),
        (F, "预警预防信息", "meeting.notices", ""),
        (S, "", "", "主持人（签名）\n记录人（签名）"),
    ],
}
TEMPLATES.append(MINUTES)
# 信访事项答复意见书 (the written 信访处理意见书 the 信访工作条例 requires, and the 复查/复核
# opinions in the same form): the layout local petition bureaus publish — the matter and when
# it was received, the facts found, the opinion and its basis, what the petitioner can do next.
TEMPLATES.append(
    {
        "slug": "petition-reply",
        "title": "信访事项答复意见书",
        "subject": "petition",
        "blocks": [
            (F, "意见类别", "opinion.kind", ""),
            (F, "信访人", "parties.names", ""),
            (F, "信访事项", "case.title", ""),
            (F, "收到日期", "petition.received_on", ""),
            (F, "受理日期", "petition.accepted_on", ""),
            (F, "信访诉求", "case.description", ""),
            (H, "调查核实情况", "", ""),
            (T, "", "", "{opinion.facts}"),
            (H, "处理意见", "", ""),
            (T, "", "", "{opinion.text}"),
            (F, "结论", "opinion.result", ""),
            (F, "依据", "opinion.basis", ""),
            (T, "", "", "{opinion.remedy}"),
            (F, "办理机关", "opinion.unit", ""),
            (F, "日期", "opinion.issued_on", ""),
            (F, "案件编号", "case.code", ""),
            (S, "", "", "办理机关（印章）"),
        ],
    }
)


def load_templates(DocumentTemplate, Block) -> None:
    """Create the shipped templates that are missing (an administrator's edits are kept)."""
    for order, spec in enumerate(TEMPLATES, start=1):
        template, created = DocumentTemplate.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "subject": spec["subject"],
                "show_qr": spec.get("show_qr", False),
                "order": order * 10,
            },
        )
        if created:
            Block.objects.bulk_create(
                Block(template=template, order=i * 10, kind=k, label=label, source=src, text=text)
                for i, (k, label, src, text) in enumerate(spec["blocks"], start=1)
            )
