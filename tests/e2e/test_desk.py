"""The desk in Chromium, signing in through Keycloak's own form (the suite's one provider and the instances
that trust it, tests/e2e/conftest.py), a day's work across regions: a Jiashan clerk files for the Qingpu
court, the Qingpu court officer asks for a correction, the clerk resubmits, the officer accepts and the
docket number shows at the Jiashan desk; the clerk's CSV export holds the filing; a Wujiang officer raises a
severity I alert that the Jiashan and Qingpu duty officers acknowledge; a notary verifies a certificate by
uploading its file and is told hash_mismatch for an altered copy. axe-core checks every main page (and,
with YRD_DESK_SHOTS=docs/desk, keeps a screenshot of each for the docs)."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from openpyxl import load_workbook
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from services.console.digest import browser
from shared.adapters.idp.provider import user_password
from shared.contracts.regions import REGIONS, ZONE_TZ, Domain, Region, zone_today
from shared.core.settings import ROOT
from shared.rules.policy import Role
from tests.e2e.filing_data import id_number
from tests.e2e.identity_support import IDENTITY_BASE
from tests.e2e.test_enforcement import adopted_benchmark, decision_body
from tests.helpers import eventually
from tests.instances import token

# The first test may start the suite's Keycloak (up to ~3 minutes on a busy machine) and the instances.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
AXE = ROOT / "deploy" / "desk" / "node_modules" / "axe-core" / "axe.min.js"
# YRD_DESK_SHOTS=docs/desk refreshes the docs' screenshots; an ordinary run leaves the tree as it is.
SHOTS = Path(os.environ["YRD_DESK_SHOTS"]) if os.environ.get("YRD_DESK_SHOTS") else None


@pytest.fixture(scope="module")
def desk_data(tmp_path_factory) -> Path:
    """The desks' data directory (their document stores: desk/{region}/documents)."""
    return tmp_path_factory.mktemp("desk")


@pytest.fixture(scope="module")
def desks(provider, cluster, desk_data):
    """Notary, corrections and enforcement instances beside the shared cluster's filing and alerts; the
    three desks."""
    added = [(r, d) for d in (Domain.NOTARY, Domain.CORRECTIONS, Domain.ENFORCEMENT) for r in Region]
    for region, domain in added:
        cluster.start(region, domain)
    cluster.wait_ready(only=added)
    folder = desk_data
    processes = []
    for region in Region:
        env = {**cluster.env(region), "YRD_DATA_DIR": str(folder)}
        log = open(folder / f"desk-{region.value}.log", "wb")  # noqa: SIM115 (lives with the process)
        command = [sys.executable, "-m", "yrd.cli", "desk", "--region", region.value, "--port-base", str(IDENTITY_BASE)]
        processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=log))
    urls = {r: f"http://127.0.0.1:{IDENTITY_BASE + 100 * REGIONS[r].digit}" for r in Region}
    try:
        for url in urls.values():
            eventually(
                lambda u=url: httpx.get(u + "/healthz").status_code == 200, timeout=30, ignoring=(httpx.HTTPError,)
            )
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def driver():
    chromium = browser(1280, 1000)
    yield chromium
    chromium.quit()


def sign_in(driver, url: str, region: Region, role: str, provider) -> None:
    driver.get(url + "/")
    driver.find_element(By.ID, "signin").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "username"))
    driver.find_element(By.ID, "username").send_keys(role)
    driver.find_element(By.ID, "password").send_keys(user_password(region, role, provider.idp_dir))
    driver.find_element(By.ID, "kc-login").click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("/work"))


def sign_out(driver) -> None:
    driver.find_element(By.ID, "signout").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "signin"))


def axe_clean(driver, name: str) -> None:
    """No serious or critical violation on the page (axe-core injected: WebDriver's scripts pass the CSP);
    and the page's screenshot kept for the docs."""
    driver.execute_script(AXE.read_text())
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))));"
    )
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / f"{name}.png"))


def fill(driver, values: dict[str, str]) -> None:
    for name, value in values.items():
        element = driver.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") in ("date", "datetime-local"):
            driver.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.clear()
            element.send_keys(value)


def shown(driver, element_id: str, timeout: float = 30) -> None:
    """Wait for an element; on a timeout, say what the page showed instead (a refusal beside the form)."""
    try:
        WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.ID, element_id))
    except TimeoutException:
        notices = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".notice, .error")]
        raise AssertionError(f"{element_id} not shown at {driver.current_url}: {notices}") from None


def reached(driver, fragment: str, timeout: float = 30) -> None:
    """Wait for the page a done command leads to; on a timeout, say what the form showed instead."""
    try:
        WebDriverWait(driver, timeout).until(lambda d: fragment in d.current_url)
    except TimeoutException:
        notices = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".notice, .error")]
        raise AssertionError(f"not at {fragment} but {driver.current_url}: {notices}") from None


def submit(driver) -> None:
    driver.find_element(By.ID, "submit").click()


def wait_text(driver, url: str, element_id: str, expected: str, timeout: float = 30) -> None:
    def shows() -> bool:
        driver.get(url)
        found = driver.find_elements(By.ID, element_id)
        return bool(found) and expected in found[0].text

    eventually(shows, timeout=timeout)


def wait_link(driver, href: str, timeout: float = 30) -> None:
    """My work lists the record (htmx refreshes it in place: no reload)."""
    WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, f'#work a[href="{href}"]'))


def test_a_days_work_across_the_regions_desks(provider, desks, desk_data, driver, tmp_path):
    document = tmp_path / "起诉状.txt"
    document.write_text("起诉状：张三诉某公司合同纠纷")
    # A Jiashan window clerk files for the Qingpu court.
    sign_in(driver, desks[J], J, "window_clerk", provider)
    _safe_session(driver, desks[J])
    axe_clean(driver, "my-work-clerk")
    driver.get(desks[J] + "/new/filing.submit")
    valid = id_number()
    fill(driver, {
        "court_region": "qingpu", "case_type": "civil",
        "parties.0.kind": "person", "parties.0.name": "张三", "parties.0.identifier": valid[:-1] + "0",
        "parties.1.kind": "organisation", "parties.1.name": "某某科技有限公司",
        "parties.1.identifier": "91350100M000100Y43", "claim_summary": "支付货款 12 万元", "claim_amount": "120000",
    })  # fmt: skip
    driver.find_element(By.NAME, "documents").send_keys(str(document))
    axe_clean(driver, "form-submit-filing")
    submit(driver)
    # The API's 422 names the party's ID number: the desk shows it beside that field, the rest kept.
    shown(driver, "f-parties-0-identifier-error")
    assert driver.find_element(By.NAME, "parties.1.name").get_attribute("value") == "某某科技有限公司"
    axe_clean(driver, "form-error")
    store = desk_data / "desk" / J.value / "documents"
    assert not store.exists() or not list(store.iterdir())  # refused: its document is not kept
    fill(driver, {"parties.0.identifier": valid})
    driver.find_element(By.NAME, "documents").send_keys(str(document))
    submit(driver)
    reached(driver, "/filings/")
    filing = driver.current_url.split("/filings/")[1].split("?")[0]
    assert "已提交" in driver.find_element(By.ID, "v-status").text  # the status in words, zh-CN first
    kept = store / hashlib.sha256(document.read_bytes()).hexdigest()  # accepted: kept, for the desk's user alone
    assert kept.read_bytes() == document.read_bytes() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    axe_clean(driver, "record-filing")
    sign_out(driver)

    # The Qingpu court officer finds it in My work and asks for a correction.
    sign_in(driver, desks[Q], Q, "court_officer", provider)
    wait_link(driver, f"/filings/{filing}")
    axe_clean(driver, "my-work-court")
    driver.get(desks[Q] + f"/act/filing.request_correction/{filing}")
    deadline = (datetime.now(ZONE_TZ) + timedelta(days=5)).date().isoformat()
    fill(driver, {"missing_items": "身份证复印件\n证据清单", "deadline": deadline})
    submit(driver)
    wait_text(driver, desks[Q] + f"/filings/{filing}", "v-status", "待补正")
    sign_out(driver)

    # The Jiashan clerk sees the notice in My work and resubmits.
    sign_in(driver, desks[J], J, "window_clerk", provider)
    wait_link(driver, f"/filings/{filing}")
    driver.get(desks[J] + f"/act/filing.resubmit/{filing}")
    driver.find_element(By.NAME, "documents").send_keys(str(document))
    submit(driver)
    reached(driver, f"/filings/{filing}")
    sign_out(driver)

    # The officer accepts; the docket number shows at the Jiashan desk.
    sign_in(driver, desks[Q], Q, "court_officer", provider)
    wait_text(driver, desks[Q] + f"/filings/{filing}", "v-status", "已补正")
    # The page shows the parties masked; the full detail is read only for a purpose the officer chooses.
    assert valid not in driver.find_element(By.ID, "t-parties").text
    Select(driver.find_element(By.ID, "f-reveal-purpose")).select_by_value("case-review")
    driver.find_element(By.ID, "reveal").click()
    shown(driver, "revealed-parties")
    assert valid in driver.find_element(By.ID, "revealed-parties").text
    driver.get(desks[Q] + f"/act/filing.accept/{filing}")
    submit(driver)
    wait_text(driver, desks[Q] + f"/filings/{filing}", "v-status", "已立案")
    # Rejecting it now is a 409, told with the status in words.
    driver.get(desks[Q] + f"/act/filing.reject/{filing}")
    fill(driver, {"reason": "不符合起诉条件"})
    submit(driver)
    shown(driver, "form-error")
    assert "已立案" in driver.find_element(By.ID, "form-error").text
    sign_out(driver)
    sign_in(driver, desks[J], J, "window_clerk", provider)
    wait_text(driver, desks[J] + f"/filings/{filing}", "v-docket_number", "沪0118")
    docket = driver.find_element(By.ID, "v-docket_number").text

    # The clerk's CSV export of the filings list holds it (UTF-8 with a BOM, words not codes).
    driver.get(desks[J] + "/list/filings?status=accepted&q=1")
    axe_clean(driver, "list-filings")
    href = driver.find_element(By.ID, "export-csv").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    exported = httpx.get(href, cookies=cookies, timeout=30)
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = exported.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("编号,案号")
    mine = [r for r in rows[1:] if r.startswith(filing)]
    assert len(mine) == 1 and docket in mine[0] and "已立案" in mine[0] and "青浦" in mine[0]
    book = load_workbook(io.BytesIO(httpx.get(href.replace("export=csv", "export=xlsx"), cookies=cookies).content))
    sheet_rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert sheet_rows[0][:2] == ["编号", "案号"] and next(r for r in sheet_rows if r[0] == filing)[1] == docket
    driver.get(desks[J] + "/lang/en?next=/work")
    assert "My work" in driver.find_element(By.TAG_NAME, "h1").text
    driver.get(desks[J] + "/lang/zh-CN?next=/work")
    sign_out(driver)

    # Jiashan's supervisor finds the filing's audit trail (purpose chosen): who read and decided what.
    sign_in(driver, desks[J], J, "supervisor", provider)
    driver.get(desks[J] + f"/list/audit?service=filing&record={filing}&purpose=audit-review&q=1")
    shown(driver, "results")
    assert filing in driver.find_element(By.ID, "results").text
    axe_clean(driver, "list-audit")
    for service in ("x", "audit"):  # a hand-made URL: the message beside the field, not a 500
        driver.get(desks[J] + f"/list/audit?service={service}&purpose=audit-review&q=1")
        shown(driver, "f-service-error")
        assert not driver.find_elements(By.ID, "results")
    sign_out(driver)


def _safe_session(driver, url: str) -> None:
    """The session cookie is HttpOnly and SameSite=Strict; pages carry a CSP without inline script; the
    first Tab reaches the skip link."""
    cookie = next(c for c in driver.get_cookies() if c["name"] == "yrd_desk")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    policy = httpx.get(url + "/", timeout=10).headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("class") == "skip"


def test_a_double_submit_creates_one_filing(provider, desks, driver, tmp_path):
    """The same form sent twice (a double click) carries one Idempotency-Key: one filing."""
    document = tmp_path / "证据.txt"
    document.write_text("证据清单")
    sign_in(driver, desks[J], J, "window_clerk", provider)
    driver.get(desks[J] + "/new/filing.submit")
    hidden = {n: driver.find_element(By.NAME, n).get_attribute("value") for n in ("csrf", "idem", "record")}
    form = {
        **hidden, "court_region": "qingpu", "case_type": "enforcement", "parties.0.role": "plaintiff",
        "parties.0.kind": "person", "parties.0.name": "赵六", "parties.0.identifier": id_number(seq="518"),
        "parties.1.role": "defendant", "parties.1.kind": "person", "parties.1.name": "钱七",
        "parties.1.identifier": id_number(seq="529"), "claim_summary": "申请执行", "claim_amount": "",
    }  # fmt: skip
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    answers = [
        httpx.post(
            desks[J] + "/do/filing.submit",
            data=form,
            files={"documents": (document.name, document.read_bytes())},
            cookies=cookies,
            timeout=30,
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    forged = httpx.post(desks[J] + "/do/filing.submit", data={**form, "csrf": "0" * 64}, cookies=cookies, timeout=30)
    assert forged.status_code == 403
    sign_out(driver)


def test_a_severity_one_alert_is_acknowledged_by_both_targets(provider, desks, driver):
    sign_in(driver, desks[W], W, "police_officer", provider)
    driver.get(desks[W] + "/new/alert.raise")
    until = (datetime.now(ZONE_TZ) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%S")
    fill(driver, {
        "category": "fugitive", "severity": "I", "title": "在逃人员 李某", "description": "男，约35岁，黑色外套",
        "location.address": "吴江区汾湖高新区", "location.lat": "31.02", "location.lon": "120.83",
        "subjects.0.kind": "person", "subjects.0.description": "李某", "action": "locate", "valid_until": until,
    })  # fmt: skip
    axe_clean(driver, "form-raise-alert")
    submit(driver)
    reached(driver, "/alerts/")
    alert = driver.current_url.split("/alerts/")[1].split("?")[0]
    sign_out(driver)
    for region in (J, Q):
        sign_in(driver, desks[region], region, "police_officer", provider)
        wait_link(driver, f"/alerts/{alert}")
        if region is J:
            axe_clean(driver, "my-work-police")
        driver.get(desks[region] + f"/act/alert.acknowledge/{alert}")
        submit(driver)
        WebDriverWait(driver, 30).until(lambda d, a=alert: f"/alerts/{a}" in d.current_url)
        if region is Q:
            axe_clean(driver, "record-alert")
        assert _acknowledged(driver, desks[region], alert, region), "acknowledged at the desk"
        sign_out(driver)


def _acknowledged(driver, url: str, alert: str, region: Region) -> bool:
    """The record page's acknowledgement row of `region` has a time (the owner's word reaches the target)."""
    driver.get(f"{url}/alerts/{alert}")
    for row in driver.find_elements(By.CSS_SELECTOR, "#t-acknowledgements tbody tr"):
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        if cells and cells[0] == {J: "嘉善", Q: "青浦", W: "吴江"}[region]:
            return cells[2] != "—"
    return False


def test_a_notary_verifies_a_certificate_by_upload_and_an_altered_copy_mismatches(
    provider, desks, desk_data, driver, tmp_path
):
    original = tmp_path / "公证书.pdf"
    original.write_bytes(b"%PDF-1.4 certificate of kinship " + datetime.now(UTC).isoformat().encode())
    altered = tmp_path / "公证书-改.pdf"
    altered.write_bytes(original.read_bytes() + b" altered")
    sign_in(driver, desks[J], J, "notary", provider)
    driver.get(desks[J] + "/new/certificate.issue")
    fill(driver, {"matter": "kinship", "applicant.name": "王五", "applicant.id_number": id_number(seq="377")})
    driver.find_element(By.NAME, "document").send_keys(str(original))
    submit(driver)
    reached(driver, "/certificates/")
    number = unquote(driver.current_url.split("/certificates/")[1].split("?")[0])
    for upload, expected in ((original, "有效"), (altered, "hash_mismatch")):
        driver.get(desks[J] + "/new/certificate.verify")
        fill(driver, {"certificate_number": number})
        driver.find_element(By.NAME, "document").send_keys(str(upload))
        submit(driver)
        shown(driver, "result-word")
        assert expected in driver.find_element(By.ID, "result-word").text
    store = desk_data / "desk" / J.value / "documents"
    assert (store / hashlib.sha256(original.read_bytes()).hexdigest()).exists()  # issued: kept
    assert not (store / hashlib.sha256(altered.read_bytes()).hexdigest()).exists()  # only checked: never kept
    axe_clean(driver, "verify-result")
    sign_out(driver)
    axe_clean(driver, "sign-in")


def test_a_subject_enrolled_at_jiashan_is_transferred_to_qingpu_and_accepted(provider, desks, driver):
    today = datetime.now(ZONE_TZ).date()
    sign_in(driver, desks[J], J, "corrections_officer", provider)
    driver.get(desks[J] + "/new/subject.enrol")
    fill(driver, {
        "id_number": id_number(born="19850315", seq="641"), "name": "孙八", "gender": "male",
        "birth_date": "1985-03-15", "correction_type": "probation", "sentence_summary": "危险驾驶罪，缓刑六个月",
        "judgment_effective_date": today.isoformat(), "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=180)).isoformat(), "supervising_office": "罗星司法所",
        "risk_level": "medium", "residence_address": "嘉善县罗星街道某路8号",
    })  # fmt: skip
    axe_clean(driver, "form-enrol")
    submit(driver)
    reached(driver, "/subjects/")
    subject = driver.current_url.split("/subjects/")[1].split("?")[0]
    driver.get(desks[J] + f"/act/subject.report_in/{subject}")
    submit(driver)
    wait_text(driver, desks[J] + f"/subjects/{subject}", "v-status", "已报到")
    driver.get(desks[J] + "/lookup")
    fill(driver, {"id_number": id_number(born="19850315", seq="641"), "purpose": "supervision"})
    submit(driver)
    shown(driver, "lookup-result")
    assert "在册" in driver.find_element(By.ID, "lookup-result").text and subject in driver.page_source
    driver.get(desks[J] + f"/act/subject.transfer/{subject}")
    fill(driver, {"destination": "qingpu", "reason": "迁居青浦"})
    submit(driver)
    shown(driver, "result")
    sign_out(driver)

    # Qingpu's officer finds the transfer in My work and accepts it, naming the office that takes over.
    sign_in(driver, desks[Q], Q, "corrections_officer", provider)
    wait_link(driver, f"/subjects/{subject}")
    axe_clean(driver, "my-work-corrections")
    driver.get(desks[Q] + f"/subjects/{subject}")
    driver.find_element(By.CSS_SELECTOR, "#t-transfers a[href^='/act/transfer.accept/']").click()
    fill(driver, {"supervising_office": "夏阳司法所", "purpose": "transfer-handover"})
    submit(driver)
    shown(driver, "result")
    wait_text(driver, desks[Q] + f"/subjects/{subject}", "v-home_region", "青浦", timeout=45)
    sign_out(driver)


def test_an_officer_decides_beside_the_similar_cases_and_the_legal_reviewer_signs_off(provider, cluster, desks, driver):
    """A Qingpu zone benchmark adopted by the three regions, one final Jiashan decision within its range
    (over the API); at the Jiashan desk the officer sees the tier, the range and the regions' figures beside
    the form, and records a fine below the range with its reason; it waits in the legal reviewer's My work
    until signed off."""
    code = f"DESK-{uuid.uuid4().hex[:6].upper()}"
    adopted_benchmark(cluster, code)
    officer_api = cluster.client(J, Domain.ENFORCEMENT, token(J, Role.ENFORCEMENT_OFFICER))
    within = officer_api.post("/decisions", json=decision_body(200_000, code))
    assert within.status_code == 201 and within.json()["status"] == "final", within.text

    sign_in(driver, desks[J], J, "enforcement_officer", provider)
    driver.get(desks[J] + "/new/decision.record")
    fill(driver, {"code": code, "violation_date": zone_today().isoformat(), "factors.harm": "minor",
                  "factors.exceedance_ratio": "0.2"})  # fmt: skip
    driver.find_element(By.NAME, "factors.first_offence").click()  # a change: the figures are asked again

    def figures() -> tuple[str, ...]:  # read at once: htmx may swap the panel between two reads
        return tuple(driver.execute_script(
            "const q = s => document.querySelector(s);"
            "return [q('#similar-tier'), q('#similar-range'), ...document.querySelectorAll('#similar-jiashan td'),"
            " q('#similar-qingpu td')].map(e => e ? e.textContent.trim() : '')"
        ))  # fmt: skip

    expected = ("一般", "100,000 – 400,000 元", "1", "200,000", "200,000", "200,000", "200,000", "200,000", "0")
    try:
        WebDriverWait(driver, 45).until(lambda d: figures() == expected)
    except TimeoutException:
        raise AssertionError(f"similar cases shown: {figures()}") from None
    fill(driver, {"party.kind": "organisation", "party.name": "嘉善某某化工有限公司",
                  "party.identifier": "91330421MA2B3C4D5K", "penalty.fine_yuan": "50000",
                  "outside_reason": "主动消除污染，危害后果轻微"})  # fmt: skip
    driver.execute_script("window.scrollTo(0, 0)")  # the screenshot: the form's top, the figures beside it
    axe_clean(driver, "form-decision")
    submit(driver)
    reached(driver, "/decisions/")
    decision = driver.current_url.split("/decisions/")[1].split("?")[0]
    assert "待法制审核" in driver.find_element(By.ID, "v-status").text
    assert "罚款（元）: 50000" in driver.find_element(By.ID, "v-penalty").text  # a field's parts named in words
    sign_out(driver)

    sign_in(driver, desks[J], J, "enforcement_legal", provider)
    wait_link(driver, f"/decisions/{decision}")
    axe_clean(driver, "my-work-enforcement-legal")
    driver.get(desks[J] + f"/act/decision.sign_off/{decision}")
    fill(driver, {"outcome": "approved", "note": "理由充分，同意减轻处罚"})
    submit(driver)
    wait_text(driver, desks[J] + f"/decisions/{decision}", "v-status", "已生效")
    sign_out(driver)
