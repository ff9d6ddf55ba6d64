"""The one policy table: role × action × whose record. Anything not granted here is denied.

Scope says whose record it is, seen from the acting region:
- OWN: the acting region owns the record (or is creating one of its own);
- INVOLVED: another region owns it, but the record names the acting region in a live relationship
  (the filing's receiving window, an alert's target, an active travel/transfer destination, a proof
  request's holder);
- OTHER: another region owns it and the acting region has no live part in it;
- ELSEWHERE: a write attempted through another region's instance. No grant covers it.
A region can stand in more than one relation to a record at once (the court region of a filing it also
received): the caller's scopes are a set, and a grant of any of them suffices.
Agency systems act for one agency (their token's `agency` claim): they see and act only on records their
agency is party to (submitted, or is addressed by), except the registries published for every relying
agency (AGENCY_OPEN) and what their agency's catalogued kind reaches (AGENCY_KIND_GRANTS). A record's
agencies come from the events that created it.
Sensitive data classes additionally need a declared purpose (X-Purpose) allowed for that class.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from shared.contracts.agencies import AgencyKind
from shared.contracts.agencies import agency as catalogued_agency


class Role(StrEnum):
    WINDOW_CLERK = "window_clerk"
    COURT_OFFICER = "court_officer"
    POLICE_OFFICER = "police_officer"
    CORRECTIONS_OFFICER = "corrections_officer"
    NOTARY = "notary"
    ENFORCEMENT_OFFICER = "enforcement_officer"  # 执法人员
    ENFORCEMENT_LEGAL = "enforcement_legal"  # 法制审核
    PROSECUTOR = "prosecutor"  # 检察官
    PROSECUTION_CHIEF = "prosecution_chief"  # 检察长 / 部门负责人
    AGENCY_SYSTEM = "agency_system"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"


class Scope(StrEnum):
    OWN = "own"
    INVOLVED = "involved"
    OTHER = "other"
    ELSEWHERE = "elsewhere"  # acting through another region's instance: never granted


class Purpose(StrEnum):
    CASE_FILING = "case-filing"
    CASE_REVIEW = "case-review"
    SUPERVISION = "supervision"
    TRANSFER_HANDOVER = "transfer-handover"
    LAW_ENFORCEMENT = "law-enforcement"
    NOTARIZATION = "notarization"
    PROSECUTION = "prosecution"
    AUDIT_REVIEW = "audit-review"
    DATA_SUBJECT_REQUEST = "data-subject-request"


class DataClass(StrEnum):
    FILING_PARTIES = "filing-parties"
    PROOF_SUBJECT = "proof-subject"
    CORRECTIONS_DETAIL = "corrections-detail"
    SUBJECT_LOOKUP = "subject-lookup"
    PARTY_SEARCH = "party-search"  # finding filings by a party's ID number
    CERTIFICATE_APPLICANT = "certificate-applicant"  # a certificate's applicant in full
    PROOF_DOCUMENT = "proof-document"  # a document given with a proof's answer
    ENFORCEMENT_PARTY = "enforcement-party"  # the party of a penalty decision, held by the deciding region
    PROSECUTION_MATERIAL = "prosecution-material"  # a material held by the procuratorate that produced it
    PROSECUTION_TEXT = "prosecution-text"  # a referral's, request's, answer's, finding's or step's text, ditto
    AUDIT_LOG = "audit-log"


PURPOSES: dict[DataClass, frozenset[Purpose]] = {
    DataClass.FILING_PARTIES: frozenset({Purpose.CASE_FILING, Purpose.CASE_REVIEW}),
    DataClass.PROOF_SUBJECT: frozenset({Purpose.NOTARIZATION}),
    DataClass.CORRECTIONS_DETAIL: frozenset({Purpose.SUPERVISION, Purpose.TRANSFER_HANDOVER}),
    DataClass.SUBJECT_LOOKUP: frozenset({Purpose.SUPERVISION, Purpose.LAW_ENFORCEMENT}),
    DataClass.PARTY_SEARCH: frozenset({Purpose.CASE_FILING, Purpose.CASE_REVIEW}),
    DataClass.CERTIFICATE_APPLICANT: frozenset({Purpose.NOTARIZATION}),
    DataClass.PROOF_DOCUMENT: frozenset({Purpose.NOTARIZATION}),
    DataClass.ENFORCEMENT_PARTY: frozenset({Purpose.LAW_ENFORCEMENT}),
    DataClass.PROSECUTION_MATERIAL: frozenset({Purpose.PROSECUTION}),
    DataClass.PROSECUTION_TEXT: frozenset({Purpose.PROSECUTION}),
    DataClass.AUDIT_LOG: frozenset({Purpose.AUDIT_REVIEW, Purpose.DATA_SUBJECT_REQUEST}),
}

R, S = Role, Scope
ALL = frozenset({S.OWN, S.INVOLVED, S.OTHER})
OWN = frozenset({S.OWN})
OWN_INVOLVED = frozenset({S.OWN, S.INVOLVED})
INVOLVED = frozenset({S.INVOLVED})

# action -> role -> scopes granted. Keep it readable: this table is what auditors review.
POLICY: dict[str, dict[Role, frozenset[Scope]]] = {
    # court filing
    "filing.submit": {R.WINDOW_CLERK: OWN, R.AGENCY_SYSTEM: OWN},
    "filing.read": {R.WINDOW_CLERK: ALL, R.COURT_OFFICER: ALL, R.SUPERVISOR: ALL, R.AGENCY_SYSTEM: OWN_INVOLVED},
    "filing.read_parties": {R.COURT_OFFICER: INVOLVED, R.WINDOW_CLERK: OWN},  # scoped to the holder (window)
    "filing.decide": {R.COURT_OFFICER: OWN},
    # finding a party's filings by their ID number (keyed hash), at one's own instance, with a purpose
    "filing.find_by_party": {R.WINDOW_CLERK: OWN, R.COURT_OFFICER: OWN},
    "filing.request": {R.WINDOW_CLERK: OWN_INVOLVED, R.AGENCY_SYSTEM: OWN_INVOLVED},
    # joint police alerts
    "alerts.raise": {R.POLICE_OFFICER: OWN},
    "alerts.read": {R.POLICE_OFFICER: OWN_INVOLVED, R.SUPERVISOR: OWN_INVOLVED, R.AGENCY_SYSTEM: OWN_INVOLVED},
    "alerts.acknowledge": {R.POLICE_OFFICER: INVOLVED},
    "alerts.report_sighting": {R.POLICE_OFFICER: OWN_INVOLVED, R.AGENCY_SYSTEM: OWN_INVOLVED},
    "alerts.manage": {R.POLICE_OFFICER: OWN},
    "alerts.answer_reinforcement": {R.POLICE_OFFICER: INVOLVED},
    # notary linkage: the certificate registry is shared (applicants masked); verification is open to
    # every office and agency that relies on certificates
    "notary.issue": {R.NOTARY: OWN},
    "notary.revoke": {R.NOTARY: OWN},
    "notary.reissue": {R.NOTARY: OWN},  # a corrected certificate under a new number, by its own office
    "notary.read_applicant": {R.NOTARY: OWN},  # the issuing office's own applicant, in full
    "notary.read": {R.NOTARY: ALL, R.SUPERVISOR: ALL, R.WINDOW_CLERK: ALL, R.COURT_OFFICER: ALL, R.AGENCY_SYSTEM: ALL},
    "notary.verify": {R.NOTARY: OWN, R.WINDOW_CLERK: OWN, R.COURT_OFFICER: OWN, R.AGENCY_SYSTEM: OWN},
    "notary.request_proof": {R.NOTARY: OWN},
    "notary.read_proofs": {R.NOTARY: OWN_INVOLVED, R.SUPERVISOR: OWN_INVOLVED, R.AGENCY_SYSTEM: OWN_INVOLVED},
    "notary.answer_proof": {R.NOTARY: OWN, R.AGENCY_SYSTEM: OWN},  # the holder answers: its own record
    "notary.read_proof_subject": {R.NOTARY: OWN_INVOLVED, R.AGENCY_SYSTEM: OWN_INVOLVED},
    # a proof's document: held by the answering office, read by it and by the requesting office
    "notary.read_proof_document": {R.NOTARY: OWN_INVOLVED, R.AGENCY_SYSTEM: OWN_INVOLVED},
    # community corrections: the home region (place of execution) owns the record; others see the
    # minimised profile, and the detail only during an active travel or transfer involving them
    "corrections.enrol": {R.CORRECTIONS_OFFICER: OWN},
    "corrections.manage": {R.CORRECTIONS_OFFICER: OWN},
    "corrections.read": {R.CORRECTIONS_OFFICER: ALL, R.SUPERVISOR: OWN_INVOLVED},
    "corrections.read_detail": {R.CORRECTIONS_OFFICER: OWN_INVOLVED},
    "corrections.lookup": {R.CORRECTIONS_OFFICER: OWN, R.POLICE_OFFICER: OWN},
    "corrections.destination": {R.CORRECTIONS_OFFICER: INVOLVED},
    "corrections.report_violation": {R.CORRECTIONS_OFFICER: ALL, R.POLICE_OFFICER: ALL},
    # enforcement discretion (同案同罚): benchmarks and decision summaries are shared across the zone; a
    # region's legal reviewers propose, approve or object for their region; officers decide their own cases
    "enforcement.read": {
        R.ENFORCEMENT_OFFICER: ALL,
        R.ENFORCEMENT_LEGAL: ALL,
        R.SUPERVISOR: ALL,
        R.AGENCY_SYSTEM: ALL,  # its own decisions; a bureau's system every summary (AGENCY_KIND_GRANTS)
    },
    "enforcement.propose_benchmark": {R.ENFORCEMENT_LEGAL: OWN},
    "enforcement.vote_benchmark": {R.ENFORCEMENT_LEGAL: OWN},  # an approval or objection: its region's own act
    "enforcement.decide": {R.ENFORCEMENT_OFFICER: OWN, R.AGENCY_SYSTEM: OWN},
    "enforcement.sign_off": {R.ENFORCEMENT_LEGAL: OWN},  # an outside-range decision of its own region
    "enforcement.read_party": {R.ENFORCEMENT_OFFICER: OWN, R.ENFORCEMENT_LEGAL: OWN},  # the deciding region only
    # the procuratorates' channel (检察数据通道): the sending office owns a referral or request, the receiving
    # region decides its part; a joint case is its lead's, the participants take part; materials stay with
    # their holder and are read point to point by the offices party to their record
    "procuratorate.refer": {R.PROSECUTOR: OWN, R.PROSECUTION_CHIEF: OWN},
    "procuratorate.read": {R.PROSECUTOR: OWN_INVOLVED, R.PROSECUTION_CHIEF: OWN_INVOLVED},
    "procuratorate.decide_referral": {R.PROSECUTION_CHIEF: OWN},  # the receiver's decision: its own act
    "procuratorate.request_assistance": {R.PROSECUTOR: OWN, R.PROSECUTION_CHIEF: OWN},
    "procuratorate.assign_assistance": {R.PROSECUTION_CHIEF: OWN},  # the asked region's chief
    "procuratorate.answer_assistance": {R.PROSECUTOR: OWN, R.PROSECUTION_CHIEF: OWN},  # the assignee
    "procuratorate.open_joint_case": {R.PROSECUTOR: OWN, R.PROSECUTION_CHIEF: OWN},
    "procuratorate.contribute": {R.PROSECUTOR: OWN_INVOLVED, R.PROSECUTION_CHIEF: OWN_INVOLVED},
    "procuratorate.decide_step": {R.PROSECUTION_CHIEF: OWN},  # the lead region's chief
    "procuratorate.register_material": {R.PROSECUTOR: OWN_INVOLVED, R.PROSECUTION_CHIEF: OWN_INVOLVED},
    "procuratorate.read_material": {R.PROSECUTOR: OWN_INVOLVED, R.PROSECUTION_CHIEF: OWN_INVOLVED},
    "procuratorate.read_text": {R.PROSECUTOR: OWN_INVOLVED, R.PROSECUTION_CHIEF: OWN_INVOLVED},
    "procuratorate.export_evidence": {R.PROSECUTOR: OWN, R.PROSECUTION_CHIEF: OWN},  # the sender's chain
    # operations: an instance's metrics, for its own region's operators
    "ops.metrics": {R.OPERATOR: OWN, R.SUPERVISOR: OWN},
    "ops.console": {R.OPERATOR: ALL, R.SUPERVISOR: ALL},  # the zone-wide page: aggregates only
    # the region's own audit trail
    "audit.read": {R.SUPERVISOR: OWN},
}


# Roles that act for one agency, and the actions on shared registries that are open to every agency.
AGENCY_BOUND = frozenset({Role.AGENCY_SYSTEM})
AGENCY_OPEN = frozenset({"notary.read", "notary.verify"})

# What an agency system may do on records its agency is not party to, by its agency's catalogued kind
# (shared/contracts/agencies.py): what that kind's officers do there, within the agency_system grants above.
# A police system reads the alerts that involve its region and reports sightings on them, as a police
# officer of that region may; a court's system reads its court's filings (the court region owns them).
# A notary office answers the proof requests addressed to it, and a law firm, procuratorate, enforcement
# bureau or corrections office sees what it filed or is addressed by: the party rule, nothing more.
AGENCY_KIND_GRANTS: dict[AgencyKind, dict[str, frozenset[Scope]]] = {
    AgencyKind.POLICE: {"alerts.read": OWN_INVOLVED, "alerts.report_sighting": OWN_INVOLVED},
    AgencyKind.COURT: {"filing.read": OWN},
    AgencyKind.NOTARY_OFFICE: {},
    AgencyKind.CORRECTIONS_OFFICE: {},
    AgencyKind.ENFORCEMENT_BUREAU: {"enforcement.read": ALL},  # benchmarks and the zone's decision summaries
    AgencyKind.PROCURATORATE: {},
    AgencyKind.LAW_FIRM: {},
}

Scopes = Scope | Collection[Scope]


def allowed(roles: frozenset[Role], action: str, scopes: Scopes, agency_party: bool = True) -> bool:
    """Granted if any role holds a grant for any of the caller's scopes; an agency-bound role's grant
    counts only on records its agency is party to."""
    held = {scopes} if isinstance(scopes, Scope) else set(scopes)
    grants = POLICY.get(action, {})
    for role in roles:
        if role in AGENCY_BOUND and not agency_party and action not in AGENCY_OPEN:
            continue
        if held & grants.get(role, frozenset()):
            return True
    return False


def agencies_of(record: dict, *columns: str) -> tuple[str, ...]:
    """The agencies a stored record names in `columns` (its submitter's `agency` by default)."""
    return tuple(record[c] for c in columns or ("agency",) if record.get(c))


def agency_party(
    agency: str | None, agencies: Collection[str] | None, action: str | None = None, scopes: Scopes = ()
) -> bool:
    """Whether a principal of `agency` is party to a record of `agencies` (None: a record it is creating),
    or its agency's kind reaches `action` at one of `scopes` on others' records (AGENCY_KIND_GRANTS)."""
    if agency is None:
        return False
    if agencies is None or agency in agencies:
        return True
    return kind_reaches(agency, action, scopes)


def kind_reaches(agency: str, action: str | None, scopes: Scopes) -> bool:
    catalogued = catalogued_agency(agency)
    if catalogued is None or action is None:
        return False
    held = {scopes} if isinstance(scopes, Scope) else set(scopes)
    return bool(held & AGENCY_KIND_GRANTS[catalogued.kind].get(action, frozenset()))


def purpose_allowed(data_class: DataClass, purpose: str | None) -> bool:
    return purpose is not None and purpose in {p.value for p in PURPOSES[data_class]}


def scope_of(acting_region: str, owner_region: str, involved: bool = False) -> frozenset[Scope]:
    """Every relation the acting region has to a record of `owner_region` (`involved`: the record names it)."""
    found = {Scope.OWN} if acting_region == owner_region else set()
    if involved:
        found.add(Scope.INVOLVED)
    return frozenset(found or {Scope.OTHER})


def write_scope(
    acting_region: str, instance_region: str, owner_region: str, involved: bool = False
) -> frozenset[Scope]:
    """A region acts only through its own instance: a token from elsewhere writes nothing here."""
    if acting_region != instance_region:
        return frozenset({Scope.ELSEWHERE})
    return scope_of(acting_region, owner_region, involved)
