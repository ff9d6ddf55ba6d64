"""The desk's words, zh-CN first with English beside: every enum value the API answers with is shown as
words (never a raw `civil`), every label and heading of the pages. Enum words are keyed by the OpenAPI
schema's name (`CaseType`), or by the property name for an enum written inline (`role`, `kind`, `status`,
`outcome`); a unit test walks docs/openapi/*.json and fails on a value without words here."""

from __future__ import annotations

from services.desk.texts import text
from services.desk.texts_enforcement import ENUMS_ENFORCEMENT

LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"

W = dict[str, tuple[str, str]]

ENUMS: dict[str, W] = {
    "Region": {"jiashan": ("嘉善", "Jiashan"), "qingpu": ("青浦", "Qingpu"), "wujiang": ("吴江", "Wujiang")},
    "CaseType": {
        "civil": ("民事", "Civil"),
        "administrative": ("行政", "Administrative"),
        "criminal_private": ("刑事自诉", "Private prosecution"),
        "enforcement": ("执行", "Enforcement"),
    },
    "FilingStatus": {
        "submitted": ("已提交", "Submitted"),
        "received": ("法院已接收", "Received by the court"),
        "correction_requested": ("待补正", "Correction requested"),
        "resubmitted": ("已补正", "Resubmitted"),
        "accepted": ("已立案", "Accepted"),
        "rejected": ("不予受理", "Rejected"),
        "withdrawn": ("已撤回", "Withdrawn"),
    },
    "AlertStatus": {
        "active": ("生效中", "Active"),
        "resolved": ("已解除", "Resolved"),
        "cancelled": ("已撤销", "Cancelled"),
        "expired": ("已过期", "Expired"),
    },
    "Severity": {
        "I": ("Ⅰ级（特别重大）", "I (critical)"),
        "II": ("Ⅱ级（重大）", "II (major)"),
        "III": ("Ⅲ级（较大）", "III (serious)"),
        "IV": ("Ⅳ级（一般）", "IV (general)"),
    },
    "Category": {
        "fugitive": ("在逃人员", "Fugitive"),
        "missing_person": ("失踪人员", "Missing person"),
        "wanted_vehicle": ("涉案车辆", "Wanted vehicle"),
        "hazmat": ("危险物品", "Hazardous materials"),
        "fraud": ("诈骗", "Fraud"),
        "public_order": ("治安秩序", "Public order"),
        "other": ("其他", "Other"),
    },
    "RequestedAction": {
        "locate": ("查找", "Locate"),
        "detain": ("控制", "Detain"),
        "observe_and_report": ("观察并报告", "Observe and report"),
        "assist": ("协助", "Assist"),
    },
    "CertificateStatus": {
        "valid": ("有效", "Valid"),
        "revoked": ("已撤销", "Revoked"),
        "expired": ("已过期", "Expired"),
        "superseded": ("已被替换", "Superseded"),
    },
    "Matter": {
        "birth": ("出生", "Birth"),
        "kinship": ("亲属关系", "Kinship"),
        "marital_status": ("婚姻状况", "Marital status"),
        "no_criminal_record": ("无犯罪记录", "No criminal record"),
        "education": ("学历", "Education"),
        "power_of_attorney": ("委托书", "Power of attorney"),
        "contract": ("合同", "Contract"),
        "property": ("财产", "Property"),
        "declaration": ("声明书", "Declaration"),
    },
    "ProofType": {
        "household_registration": ("户籍", "Household registration"),
        "kinship": ("亲属关系", "Kinship"),
        "marital_status": ("婚姻状况", "Marital status"),
        "no_criminal_record": ("无犯罪记录", "No criminal record"),
        "education": ("学历", "Education"),
        "property": ("财产", "Property"),
    },
    "ProofStatus": {
        "requested": ("待答复", "Requested"),
        "provided": ("已提供", "Provided"),
        "not_found": ("查无记录", "Not found"),
        "refused": ("拒绝提供", "Refused"),
    },
    "VerificationResult": {
        "valid": ("有效", "Valid"),
        "revoked": ("已撤销", "Revoked"),
        "expired": ("已过期", "Expired"),
        "hash_mismatch": ("文件不一致（hash_mismatch）", "Document does not match (hash_mismatch)"),
        "unknown": ("无此公证书", "Unknown certificate"),
        "superseded": ("已被替换", "Superseded"),
    },
    "CorrectionType": {
        "control": ("管制", "Control"),
        "probation": ("缓刑", "Probation"),
        "parole": ("假释", "Parole"),
        "temporary_outside": ("暂予监外执行", "Temporary outside execution"),
    },
    "RiskLevel": {"low": ("低", "Low"), "medium": ("中", "Medium"), "high": ("高", "High")},
    "SubjectStatus": {
        "enrolled": ("已入矫", "Enrolled"),
        "reported_in": ("已报到", "Reported in"),
        "under_supervision": ("在矫", "Under supervision"),
        "travel_approved": ("外出已批准", "Travel approved"),
        "travelling": ("外出中", "Travelling"),
        "transfer_pending": ("待交接", "Transfer pending"),
        "released": ("已解矫", "Released"),
    },
    "Offence": {
        "criminal": ("刑事", "Criminal"),
        "duty_crime": ("职务犯罪", "Duty crime"),
        "public_interest": ("公益诉讼", "Public interest"),
        "administrative": ("行政检察", "Administrative"),
    },
    "AssistanceKind": {
        "statement": ("询问取证", "Take a statement"),
        "records": ("调取记录", "Retrieve records"),
        "verification": ("核实情况", "Verify a fact"),
        "service": ("送达文书", "Serve a document"),
    },
    "Classification": {
        "internal": ("内部", "Internal"),
        "confidential": ("秘密", "Confidential"),
        "secret": ("机密", "Secret"),
    },
    "Step": {
        "pre_litigation_notice": ("诉前程序", "Pre-litigation notice"),
        "suit_filed": ("提起诉讼", "Suit filed"),
        "settlement": ("和解", "Settlement"),
        "closed": ("结案", "Closed"),
    },
    "ReceiptKind": {
        "submitted": ("已提交", "Submitted"),
        "relayed": ("已送达对方系统", "Relayed"),
        "delivered": ("已送达对方院", "Delivered"),
        "retrieved": ("已查阅", "Retrieved"),
    },
    "role": {"plaintiff": ("原告", "Plaintiff"), "defendant": ("被告", "Defendant")},
    "gender": {"male": ("男", "Male"), "female": ("女", "Female")},
    "kind": {
        "person": ("人员", "Person"),
        "organisation": ("单位", "Organisation"),
        "vehicle": ("车辆", "Vehicle"),
        "object": ("物品", "Object"),
        "missed_report": ("未按时报到", "Missed report"),
        "left_area": ("擅自离开", "Left the area"),
        "prohibited_place": ("进入禁止场所", "Prohibited place"),
        "new_offence": ("重新犯罪", "New offence"),
        "contact_violation": ("违规接触", "Contact violation"),
        "other": ("其他", "Other"),
    },
    "status": {
        "open": ("待答复", "Open"),
        "dispatched": ("已派出", "Dispatched"),
        "declined": ("已拒绝", "Declined"),
        "pending": ("待接收", "Pending"),
        "accepted": ("已接收", "Accepted"),
        "rejected": ("已拒收", "Rejected"),
        "withdrawn": ("已撤回", "Withdrawn"),
        "approved": ("已批准", "Approved"),
        "checked_in": ("已报到", "Checked in"),
        "final": ("已生效", "Final"),
        "pending_review": ("待法制审核", "Pending legal sign-off"),
        "proposed": ("待表决", "Proposed"),
        "objected": ("有异议", "Objected to"),
        "adopted": ("已通过", "Adopted"),
        "returned": ("已返回", "Returned"),
        "cancelled": ("已取消", "Cancelled"),
        "ready": ("就绪", "Ready"),
        "not-ready": ("未就绪", "Not ready"),
    },
    "outcome": {
        "resolved": ("已解除", "Resolved"),
        "cancelled": ("已撤销", "Cancelled"),
        "expired": ("已过期", "Expired"),
        "dispatched": ("派出增援", "Dispatch"),
        "declined": ("拒绝增援", "Decline"),
        "provided": ("提供证明", "Provided"),
        "not_found": ("查无记录", "Not found"),
        "refused": ("拒绝提供", "Refused"),
        "accepted": ("接受移送", "Accepted"),
        "approved": ("审核通过", "Approved"),
        "rejected": ("审核不通过", "Rejected"),
    },
    "UserRole": {
        "window_clerk": ("窗口办事员", "Window clerk"),
        "court_officer": ("法院立案员", "Court officer"),
        "police_officer": ("公安值班员", "Police duty officer"),
        "corrections_officer": ("社区矫正工作人员", "Corrections officer"),
        "notary": ("公证员", "Notary"),
        "enforcement_officer": ("执法人员", "Enforcement officer"),
        "enforcement_legal": ("法制审核人员", "Legal reviewer"),
        "prosecutor": ("检察官", "Prosecutor"),
        "prosecution_chief": ("检察长", "Chief prosecutor"),
        "agency_system": ("机构系统", "Agency system"),
        "supervisor": ("监督员", "Supervisor"),
        "operator": ("运维人员", "Operator"),
    },
    "Purpose": {
        "case-filing": ("立案办理", "Case filing"),
        "case-review": ("案件审查", "Case review"),
        "supervision": ("矫正监管", "Supervision"),
        "transfer-handover": ("交接", "Transfer handover"),
        "law-enforcement": ("执法", "Law enforcement"),
        "notarization": ("公证", "Notarization"),
        "prosecution": ("检察办案", "Prosecution"),
        "audit-review": ("审计检查", "Audit review"),
        "data-subject-request": ("当事人查询请求", "Data subject request"),
    },
    "Domain": {
        "filing": ("立案", "Filings"),
        "alerts": ("协查", "Alerts"),
        "corrections": ("社区矫正", "Corrections"),
        "notary": ("公证", "Notary"),
        "procuratorate": ("检察", "Procuratorate"),
        "enforcement": ("行政执法", "Enforcement"),
    },
    "Event": {  # a record's timeline: the event type's name
        "benchmark-proposed": ("提出裁量基准", "Benchmark proposed"),
        "benchmark-approved": ("同意裁量基准", "Benchmark approved"),
        "benchmark-objected": ("对裁量基准提出异议", "Benchmark objected to"),
        "benchmark-adopted": ("裁量基准通过", "Benchmark adopted"),
        "decision-recorded": ("作出处罚决定", "Decision recorded"),
        "decision-signed-off": ("法制审核", "Legal sign-off"),
        "submitted": ("已提交", "Submitted"),
        "received": ("法院已接收", "Received"),
        "correction-requested": ("一次性告知补正", "Correction requested"),
        "resubmission-requested": ("申请补正提交", "Resubmission sent"),
        "resubmitted": ("已补正", "Resubmitted"),
        "accepted": ("已立案", "Accepted"),
        "rejected": ("不予受理", "Rejected"),
        "withdrawal-requested": ("申请撤回", "Withdrawal requested"),
        "withdrawn": ("已撤回", "Withdrawn"),
        "withdrawal-refused": ("撤回未获准", "Withdrawal refused"),
        "decision-overdue": ("决定逾期", "Decision overdue"),
        "correction-lapsed": ("补正逾期", "Correction lapsed"),
        "raised": ("发布", "Raised"),
        "acknowledged": ("签收", "Acknowledged"),
        "escalated": ("逾期升级", "Escalated"),
        "updated": ("更新", "Updated"),
        "closed": ("关闭", "Closed"),
        "sighting-reported": ("报告发现", "Sighting"),
        "reinforcement-requested": ("请求增援", "Reinforcement requested"),
        "reinforcement-answered": ("答复增援", "Reinforcement answered"),
        "enrolled": ("入矫", "Enrolled"),
        "reported-in": ("报到", "Reported in"),
        "report-in-overdue": ("报到逾期", "Report-in overdue"),
        "subject-updated": ("档案更新", "Record updated"),
        "travel-approved": ("外出批准", "Trip approved"),
        "travel-started": ("外出开始", "Trip started"),
        "travel-checked-in": ("外出地报到", "Checked in"),
        "travel-returned": ("外出返回", "Returned"),
        "travel-cancelled": ("外出取消", "Trip cancelled"),
        "travel-overdue": ("外出逾期", "Trip overdue"),
        "transfer-requested": ("申请交接", "Transfer requested"),
        "transfer-accepted": ("交接接收", "Transfer accepted"),
        "transfer-rejected": ("交接拒收", "Transfer rejected"),
        "transfer-withdrawn": ("交接撤回", "Transfer withdrawn"),
        "ownership-transferred": ("管辖移交", "Ownership transferred"),
        "violation-reported": ("违规记录", "Violation"),
        "released": ("解矫", "Released"),
        "record-purged": ("档案清除", "Record purged"),
        "certificate-issued": ("出证", "Issued"),
        "certificate-revoked": ("撤销", "Revoked"),
        "certificate-superseded": ("被替换", "Superseded"),
        "certificate-verified": ("核验", "Verified"),
        "proof-requested": ("发起证明协查", "Proof requested"),
        "proof-answered": ("答复证明协查", "Proof answered"),
        "proof-overdue": ("证明协查逾期", "Proof overdue"),
    },
    "bool": {"true": ("是", "Yes"), "false": ("否", "No")},
}


ENUMS.update(ENUMS_ENFORCEMENT)


def word(kind: str, value: object, lang: str) -> str:
    """An enum value in words; the value itself only if the catalogue lacks it (a unit test prevents that)."""
    if value is None:
        return "—"
    key = str(value).lower() if isinstance(value, bool) else str(value)
    if kind == "label":  # a field's name inside a shown value (a decision's factors, its penalty)
        return text(key, lang)
    found = ENUMS.get(kind, {}).get(key)
    return found[0 if lang == "zh-CN" else 1] if found else key


def choices(kind: str, lang: str) -> list[tuple[str, str]]:
    return [(value, word(kind, value, lang)) for value in ENUMS[kind]]
