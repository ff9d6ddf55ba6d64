"""The agency-kind table: what an agency system may do on records its agency is not party to, by the kind
its agency is catalogued as (each row tested as the unit of work decides it: party, then the policy)."""

from __future__ import annotations

import pytest

from shared.contracts.agencies import AGENCIES, AgencyKind
from shared.rules.policy import AGENCY_KIND_GRANTS, POLICY, Role, Scope, agency_party, allowed, scope_of

SYSTEM = frozenset({Role.AGENCY_SYSTEM})
OWN, INVOLVED, OTHER = frozenset({Scope.OWN}), frozenset({Scope.INVOLVED}), frozenset({Scope.OTHER})


def decided(
    agency: str, action: str, scopes: frozenset[Scope], record_agencies: tuple[str, ...] = ("someone",)
) -> bool:
    return allowed(SYSTEM, action, scopes, agency_party(agency, record_agencies, action, scopes))


def test_every_kind_has_a_row_and_no_row_grants_beyond_the_agency_system_role():
    assert set(AGENCY_KIND_GRANTS) == set(AgencyKind)
    for grants in AGENCY_KIND_GRANTS.values():
        for action, scopes in grants.items():
            assert scopes <= POLICY[action][Role.AGENCY_SYSTEM], action


def test_a_police_system_reads_and_reports_on_alerts_that_involve_its_region():
    police = "qingpu-police-dispatch"
    targeted = scope_of("qingpu", "jiashan", involved=True)  # a Jiashan alert that targets Qingpu
    assert decided(police, "alerts.read", targeted)
    assert decided(police, "alerts.report_sighting", targeted)
    assert not decided(police, "alerts.read", scope_of("qingpu", "jiashan"))  # not involving Qingpu
    assert not decided(police, "alerts.acknowledge", targeted)  # an officer's act, not a system's
    assert not decided(police, "alerts.raise", OWN, record_agencies=None)


def test_a_court_system_reads_its_courts_filings_only():
    court = "jiashan-court-system"
    assert decided(court, "filing.read", scope_of("jiashan", "jiashan"))  # the court region owns the filing
    assert not decided(court, "filing.read", scope_of("jiashan", "qingpu", involved=True))  # only its window
    assert not decided(court, "filing.decide", OWN)


def test_a_notary_office_answers_the_proof_requests_addressed_to_it_only():
    office = "wujiang-notary-office"
    assert decided(office, "notary.answer_proof", OWN, record_agencies=("wujiang-window", office))
    assert not decided(office, "notary.answer_proof", OWN, record_agencies=("wujiang-window", "another-office"))


@pytest.mark.parametrize(
    "kind",
    [AgencyKind.LAW_FIRM, AgencyKind.PROCURATORATE, AgencyKind.ENFORCEMENT_BUREAU, AgencyKind.CORRECTIONS_OFFICE],
)
def test_other_kinds_see_what_their_agency_filed_or_is_addressed_by(kind):
    agency = next(a.id for a in AGENCIES.values() if a.kind is kind and a.region.value == "qingpu")
    assert decided(agency, "filing.read", OWN, record_agencies=(agency,))
    assert not decided(agency, "filing.read", OWN)
    targeted = scope_of("qingpu", "jiashan", involved=True)
    assert not decided(agency, "alerts.report_sighting", targeted)
    assert decided(agency, "notary.verify", OWN)  # the registries open to every relying agency


def test_an_agency_the_catalogue_does_not_name_keeps_the_party_rule():
    targeted = scope_of("qingpu", "jiashan", involved=True)
    assert not decided("court-system-a", "alerts.report_sighting", targeted)
    assert decided("court-system-a", "alerts.report_sighting", targeted, record_agencies=("court-system-a",))
