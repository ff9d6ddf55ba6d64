"""Every operation of the four services' APIs (under /v1), by service. A test checks this table against
each service's OpenAPI document: every operation there is here, with the model it answers."""

from __future__ import annotations

from yrd_client import models as m
from yrd_client.operations import Bulk, Call, Pages, Resource, S

GET, POST, PATCH = "GET", "POST", "PATCH"


class Audit(Resource[S]):
    """The instance's audit log (auditors): `list(record=..., actor=..., since=..., until=...)`."""

    page = Call(GET, "/audit", m.PageAuditEntry)
    list = Pages(page, m.AuditEntry)


class Operations(Resource[S]):
    """Aggregates for operators and supervisors: `daily(date=...)`, the events each region wrote that day."""

    daily = Call(GET, "/daily", m.DailyCounts)


class Filing(Resource[S]):
    submit = Call(POST, "/filings", m.SubmittedFiling)  # with the filing_code for the party, shown once
    submit_batch = Bulk("/filings/batch")
    get = Call(GET, "/filings/{filing_id}", m.FilingView)
    parties = Call(GET, "/filings/{filing_id}/parties", m.Parties)
    page = Call(GET, "/filings", m.PageFiling)
    list = Pages(page, m.Filing)
    accept = Call(POST, "/filings/{filing_id}/accept", m.Filing)
    reject = Call(POST, "/filings/{filing_id}/reject", m.Filing)
    request_correction = Call(POST, "/filings/{filing_id}/request-correction", m.Filing)
    resubmit = Call(POST, "/filings/{filing_id}/resubmit", m.Filing)
    withdraw = Call(POST, "/filings/{filing_id}/withdraw", m.Filing)


class Alerts(Resource[S]):
    raise_alert = Call(POST, "/alerts", m.AlertView)
    raise_batch = Bulk("/alerts/batch")
    get = Call(GET, "/alerts/{alert_id}", m.AlertView)
    page = Call(GET, "/alerts", m.PageListedAlert)
    list = Pages(page, m.ListedAlert)  # awaiting_ack=True: the inbox, soonest due first
    update = Call(PATCH, "/alerts/{alert_id}", m.AlertView)
    acknowledge = Call(POST, "/alerts/{alert_id}/ack", m.AlertView)
    report_sighting = Call(POST, "/alerts/{alert_id}/sightings", m.AlertView)
    report_sightings_batch = Bulk("/alerts/{alert_id}/sightings/batch")
    request_reinforcement = Call(POST, "/alerts/{alert_id}/reinforcement-requests", m.Reinforcement)
    answer_reinforcement = Call(POST, "/reinforcement-requests/{request_id}/respond", m.Reinforcement)
    reinforcement_requests_page = Call(GET, "/reinforcement-requests", m.PageReinforcement)
    reinforcement_requests = Pages(reinforcement_requests_page, m.Reinforcement)  # pending first
    close = Call(POST, "/alerts/{alert_id}/close", m.AlertView)


class Corrections(Resource[S]):
    enrol = Call(POST, "/subjects", m.SubjectView)
    enrol_batch = Bulk("/subjects/batch")
    lookup = Call(POST, "/subjects/lookup", m.LookupResult)
    get = Call(GET, "/subjects/{subject_id}", m.SubjectView)
    detail = Call(GET, "/subjects/{subject_id}/detail", m.FullRecord)
    page = Call(GET, "/subjects", m.PageSubject)
    list = Pages(page, m.Subject)
    update = Call(PATCH, "/subjects/{subject_id}", m.SubjectView)  # the home: address, office, risk, prohibitions
    report_in = Call(POST, "/subjects/{subject_id}/report-in", m.SubjectView)
    release = Call(POST, "/subjects/{subject_id}/release", m.SubjectView)
    approve_travel = Call(POST, "/subjects/{subject_id}/travels", m.Travel)
    check_in = Call(POST, "/travels/{travel_id}/check-in", m.Travel)
    record_return = Call(POST, "/travels/{travel_id}/return", m.Travel)
    cancel_travel = Call(POST, "/travels/{travel_id}/cancel", m.Travel)  # before the trip begins
    travels_page = Call(GET, "/travels", m.PageListedTravel)
    travels = Pages(travels_page, m.ListedTravel)  # by first day: destination=R&status=approved arrives in R
    transfers_page = Call(GET, "/transfers", m.PageListedTransfer)
    transfers = Pages(transfers_page, m.ListedTransfer)  # oldest first: destination=R&status=pending awaits R
    request_transfer = Call(POST, "/subjects/{subject_id}/transfers", m.Transfer)
    accept_transfer = Call(POST, "/transfers/{transfer_id}/accept", m.Transfer)
    reject_transfer = Call(POST, "/transfers/{transfer_id}/reject", m.Transfer)
    withdraw_transfer = Call(POST, "/transfers/{transfer_id}/withdraw", m.Transfer)  # the home, while pending
    report_violation = Call(POST, "/subjects/{subject_id}/violations", m.SubjectView)


class Notary(Resource[S]):
    issue = Call(POST, "/certificates", m.CertificateView)
    issue_batch = Bulk("/certificates/batch")
    get = Call(GET, "/certificates/{number}", m.CertificateView)
    revoke = Call(POST, "/certificates/{number}/revoke", m.CertificateView)
    reissue = Call(POST, "/certificates/{number}/reissue", m.CertificateView)  # the old one is superseded
    applicant = Call(GET, "/certificates/{number}/applicant", m.CertificateApplicant)  # purpose="notarization"
    page = Call(GET, "/certificates", m.PageCertificate)
    list = Pages(page, m.Certificate)
    verify = Call(POST, "/verifications", m.VerifyResult)
    verifications_page = Call(GET, "/verifications", m.PageVerification)
    verifications = Pages(verifications_page, m.Verification)
    request_proof = Call(POST, "/proof-requests", m.ProofRequest)
    request_proof_batch = Bulk("/proof-requests/batch")
    proof_request = Call(GET, "/proof-requests/{request_id}", m.ProofRequestView)
    proof_subject = Call(GET, "/proof-requests/{request_id}/subject", m.ProofSubject)
    answer_proof = Call(POST, "/proof-requests/{request_id}/respond", m.ProofRequest)
    proof_document = Call(GET, "/proof-requests/{request_id}/document", m.ProofDocument)  # purpose="notarization"
    proof_requests_page = Call(GET, "/proof-requests", m.PageProofRequest)
    proof_requests = Pages(proof_requests_page, m.ProofRequest)


class Enforcement(Resource[S]):
    """同案同罚: discretion benchmarks voted on by the three regions, penalty decisions measured against the
    benchmark in force on the violation date, similar cases and the regions' consistency."""

    propose_benchmark = Call(POST, "/benchmarks", m.BenchmarkView)  # a zone benchmark, or a local variant
    benchmark = Call(GET, "/benchmarks/{benchmark_id}", m.BenchmarkView)  # every version and vote
    in_force = Call(GET, "/benchmarks/in-force", m.BenchmarkVersion)  # code=..., on=..., region=...
    revise_benchmark = Call(POST, "/benchmarks/{benchmark_id}/revisions", m.BenchmarkView)
    vote = Call(POST, "/benchmarks/{benchmark_id}/votes", m.BenchmarkView)  # this region approves or objects
    benchmarks_page = Call(GET, "/benchmarks", m.PageBenchmark)
    benchmarks = Pages(benchmarks_page, m.Benchmark)
    record_decision = Call(POST, "/decisions", m.DecisionView)
    record_decision_batch = Bulk("/decisions/batch")
    decision = Call(GET, "/decisions/{decision_id}", m.DecisionView)
    party = Call(GET, "/decisions/{decision_id}/party", m.DecisionParty)  # purpose="law-enforcement"
    sign_off = Call(POST, "/decisions/{decision_id}/sign-off", m.DecisionView)  # the region's legal review
    decisions_page = Call(GET, "/decisions", m.PageDecision)
    decisions = Pages(decisions_page, m.Decision)
    similar_cases = Call(POST, "/similar-cases", m.SimilarCasesAnswer)
    consistency = Call(GET, "/consistency", m.ConsistencyReport)  # month="2026-11"


class Procuratorate(Resource[S]):
    """The procuratorates' channel (检察数据通道): referrals, assistance requests, joint cases, materials
    held by their holder, and the delivery evidence of each."""

    refer = Call(POST, "/referrals", m.ReferralView)  # 202: the receiving region decides
    refer_batch = Bulk("/referrals/batch")
    referral = Call(GET, "/referrals/{referral_id}", m.ReferralView)  # read by the receiver: delivered, retrieved
    decide_referral = Call(POST, "/referrals/{referral_id}/decision", m.ReferralView)
    referrals_page = Call(GET, "/referrals", m.PageReferral)
    referrals = Pages(referrals_page, m.Referral)
    request_assistance = Call(POST, "/assistance-requests", m.AssistanceView)
    request_assistance_batch = Bulk("/assistance-requests/batch")
    assistance_request = Call(GET, "/assistance-requests/{request_id}", m.AssistanceView)
    assign = Call(POST, "/assistance-requests/{request_id}/assignment", m.AssistanceView)
    answer = Call(POST, "/assistance-requests/{request_id}/answer", m.AssistanceView)  # by the assignee
    assistance_requests_page = Call(GET, "/assistance-requests", m.PageAssistance)
    assistance_requests = Pages(assistance_requests_page, m.Assistance)
    open_joint_case = Call(POST, "/joint-cases", m.JointCaseView)
    open_joint_case_batch = Bulk("/joint-cases/batch")
    joint_case = Call(GET, "/joint-cases/{case_id}", m.JointCaseView)
    contribute = Call(POST, "/joint-cases/{case_id}/findings", m.JointCaseView)
    decide_step = Call(POST, "/joint-cases/{case_id}/steps", m.JointCaseView)  # the lead's chief
    joint_cases_page = Call(GET, "/joint-cases", m.PageJointCase)
    joint_cases = Pages(joint_cases_page, m.JointCase)
    register_material = Call(POST, "/materials", m.MaterialView)
    material = Call(GET, "/materials/{material_id}", m.MaterialView)
    material_content = Call(GET, "/materials/{material_id}/content", m.MaterialContent)  # purpose="prosecution"
    materials_page = Call(GET, "/materials", m.PageMaterial)
    materials = Pages(materials_page, m.Material)
    evidence = Call(GET, "/evidence/{record_id}", m.Evidence)  # the sender's instance: `yrd evidence verify`
