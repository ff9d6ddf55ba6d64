"""Commands agency systems send, declared once: the body each takes (the same body the HTTP API's create
route takes), its type string `cn.yrd.{domain}.{name}.v{version}`, and the result each command gets.

On Kafka an agency system publishes a command to its region's `{region}.{domain}.commands` topic
(CloudEvents, binary mode, its bearer token in the `authorization` header, `ce_id` the idempotency key)
and reads the outcome on `{region}.{domain}.results`, correlated by `ce_causationid` = the command's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, WithJsonSchema, model_validator

from shared.contracts.alerts import AlertSubject, Category, Location, RequestedAction, Severity
from shared.contracts.base import REGISTRY, EventType, Payload
from shared.contracts.base import json_schemas as declared_schemas
from shared.contracts.corrections import CorrectionType, RiskLevel
from shared.contracts.enforcement import Factors as EnforcementFactors
from shared.contracts.enforcement import Penalty
from shared.contracts.fields import CreditCode, Day, IdNumber, Instant, PersonName, Sha256
from shared.contracts.filing import CaseType, Document
from shared.contracts.identifiers import identity_problem
from shared.contracts.notary import Matter, ProofType
from shared.contracts.problems import FieldError
from shared.contracts.procuratorate import AssistanceKind, Offence
from shared.contracts.regions import SERVICES, Domain, Region


class Body(BaseModel):
    """A command's body: strict about unknown fields, like every request body."""

    model_config = ConfigDict(extra="forbid")


def documented_as(shape: Any) -> Any:
    """A body whose `outcome` decides which fields it needs keeps one model, whose validator answers with the
    server's own message for a missing field, and is documented as `shape`, the same rule as a discriminated
    union on `outcome`: a client generated from the schema cannot build what the validator refuses.
    (`__get_pydantic_json_schema__ = documented_as(...)` in the model's class body.)"""
    adapter = TypeAdapter(shape)

    def json_schema(cls: type[BaseModel], core_schema: Any, handler: Any) -> dict[str, Any]:
        return {**handler(adapter.core_schema), "description": (cls.__doc__ or "").strip()}

    return classmethod(json_schema)


def at_least_one_field(schema: dict[str, Any]) -> None:
    """`json_schema_extra` of a PATCH body: each field is optional, but one must be given, and a null changes
    nothing, so none is documented as nullable (the server still reads an explicit null as "unchanged")."""
    for name, field in schema["properties"].items():
        alternatives = [a for a in field.pop("anyOf", []) if a.get("type") != "null"]
        if len(alternatives) == 1:
            field.update(alternatives[0])
        elif alternatives:
            field["anyOf"] = alternatives
        field.pop("default", None)
        schema["properties"][name] = field
    schema["minProperties"] = 1


# ---- filing


class PersonParty(Body):
    kind: Literal["person"]
    role: Literal["plaintiff", "defendant"]
    name: PersonName
    id_number: IdNumber


class OrganisationParty(Body):
    kind: Literal["organisation"]
    role: Literal["plaintiff", "defendant"]
    name: PersonName
    credit_code: CreditCode


Party = Annotated[PersonParty | OrganisationParty, Field(discriminator="kind")]


# Yuan, to the fen: a JSON number or a decimal string (pydantic documents the string form without its rule).
ClaimAmount = Annotated[
    Decimal,
    Field(ge=0, max_digits=18, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "exclusiveMaximum": 1e16},
                {"type": "string", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$"},
            ]
        }
    ),
]


class SubmitFiling(Body):
    """File a case at this region's window for the court of `court_region`."""

    court_region: Region
    case_type: CaseType
    parties: list[Party] = Field(min_length=2, max_length=50)
    claim_summary: str = Field(min_length=1, max_length=4000)
    claim_amount: ClaimAmount | None = None
    documents: list[Document] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def both_sides(self) -> SubmitFiling:
        roles = {p.role for p in self.parties}
        if roles != {"plaintiff", "defendant"}:
            raise FieldError("parties", "parties need at least one plaintiff and one defendant")
        return self


# ---- alerts


class RaiseAlert(Body):
    """Raise a joint alert owned by this region, addressed to the others (or to `targets`)."""

    category: Category
    severity: Severity
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    location: Location
    subjects: list[AlertSubject] = Field(default_factory=list, max_length=50)
    action: RequestedAction
    targets: list[Region] | None = Field(default=None, max_length=2)
    valid_until: Instant


class ReportSighting(Body):
    """Report a sighting of an alert's subject (HTTP: `POST /v1/alerts/{alert_id}/sightings`)."""

    seen_at: Instant
    location: Location
    details: str = Field(min_length=1, max_length=4000)


class ReportSightingOf(ReportSighting):
    """A sighting as a command on Kafka, naming its alert."""

    alert_id: str = Field(min_length=1, max_length=100)


# ---- corrections


class Enrol(Body):
    """Enrol a person under community correction at this region (their home)."""

    id_number: IdNumber
    name: PersonName
    gender: Literal["male", "female"]
    birth_date: Day
    correction_type: CorrectionType
    sentence_summary: str = Field(min_length=1, max_length=4000)
    judgment_effective_date: Day
    start_date: Day
    end_date: Day
    supervising_office: str = Field(min_length=1, max_length=200)
    risk_level: RiskLevel
    prohibitions: list[str] = Field(default_factory=list, max_length=20)
    residence_address: str = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def consistent(self) -> Enrol:
        if problem := identity_problem(self.id_number, self.birth_date, self.gender):
            raise FieldError(problem.split()[0], problem)
        if self.end_date <= self.start_date:
            raise FieldError("end_date", "end_date must be after start_date")
        return self


# ---- notary


class Applicant(Body):
    name: PersonName
    id_number: IdNumber


class IssueCertificate(Body):
    """Issue a notarial certificate at this region's notary office."""

    matter: Matter
    applicant: Applicant
    document_sha256: Sha256
    valid_until: Instant | None = None


class RequestProof(Body):
    """Ask the holding region for proof material instead of paper."""

    holding_region: Region
    proof_type: ProofType
    subject_name: PersonName
    subject_id_number: IdNumber
    purpose: str = Field(min_length=1, max_length=500)
    application_ref: str = Field(min_length=1, max_length=100)
    holding_agency: str | None = Field(default=None, min_length=1, max_length=100)


# ---- enforcement


class PersonPenalised(Body):
    kind: Literal["person"]
    name: PersonName
    id_number: IdNumber


class OrganisationPenalised(Body):
    kind: Literal["organisation"]
    name: PersonName
    credit_code: CreditCode


class RecordDecision(Body):
    """Record a penalty decision (处罚决定) of this region: the tier and range come from the benchmark in
    force on the violation date; a penalty outside the range states why and waits for the legal sign-off.
    The party stays with this region."""

    code: str = Field(min_length=1, max_length=40)
    violation_date: Day
    factors: EnforcementFactors
    party: Annotated[PersonPenalised | OrganisationPenalised, Field(discriminator="kind")]
    penalty: Penalty
    outside_reason: str | None = Field(default=None, min_length=1, max_length=4000)
    case_ref: str | None = Field(default=None, min_length=1, max_length=100)  # the bureau's own case number


# ---- procuratorate


class ReferClue(Body):
    """Refer a case clue (线索移送) to the region with jurisdiction: what may be shared of it; the detail
    travels as materials held by this office."""

    to_region: Region
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=4000)
    offence: Offence


class RequestAssistance(Body):
    """Ask another region's procuratorate to take a statement, retrieve records, verify a fact or serve a
    document (协助调查), by a deadline."""

    asked_region: Region
    kind: AssistanceKind
    subject: str = Field(min_length=1, max_length=4000)
    due_at: Instant


class OpenJointCase(Body):
    """A public-interest case across the boundary (跨区域公益诉讼), led by this region."""

    title: str = Field(min_length=1, max_length=200)
    matter: str = Field(min_length=1, max_length=4000)
    participants: list[Region] = Field(min_length=1, max_length=2)


# ---- the registry

M = TypeVar("M", bound=Body)


@dataclass(frozen=True)
class CommandType(Generic[M]):
    domain: Domain
    name: str
    version: int
    model: type[M]

    @property
    def type(self) -> str:
        return f"cn.yrd.{self.domain.value}.{self.name}.v{self.version}"


COMMANDS: dict[str, CommandType[Any]] = {}


def declare_command(domain: Domain, name: str, model: type[M], version: int = 1) -> CommandType[M]:
    command = CommandType(domain, name, version, model)
    if command.type in COMMANDS:
        raise ValueError(f"command type declared twice: {command.type}")
    COMMANDS[command.type] = command
    return command


SUBMIT_FILING = declare_command(Domain.FILING, "submit", SubmitFiling)
RAISE_ALERT = declare_command(Domain.ALERTS, "raise", RaiseAlert)
REPORT_SIGHTING = declare_command(Domain.ALERTS, "report-sighting", ReportSightingOf)
ENROL = declare_command(Domain.CORRECTIONS, "enrol", Enrol)
ISSUE_CERTIFICATE = declare_command(Domain.NOTARY, "issue", IssueCertificate)
REQUEST_PROOF = declare_command(Domain.NOTARY, "request-proof", RequestProof)
RECORD_DECISION = declare_command(Domain.ENFORCEMENT, "record-decision", RecordDecision)
REFER_CLUE = declare_command(Domain.PROCURATORATE, "refer-clue", ReferClue)
REQUEST_ASSISTANCE = declare_command(Domain.PROCURATORATE, "request-assistance", RequestAssistance)
OPEN_JOINT_CASE = declare_command(Domain.PROCURATORATE, "open-joint-case", OpenJointCase)


class CommandResult(Payload):
    """What became of a command: the created record (`id`, its `status`) or the problem, with the status
    code the same request over HTTP would have had."""

    command_id: str
    command_type: str
    status: int
    id: str | None = None
    record_status: str | None = None
    problem: dict[str, Any] | None = None


# One result type per service, on its `{region}.{domain}.results` topic. Not in the event registry: results
# are for the agency systems that sent the commands, not events the regions apply.
RESULTS: dict[Domain, EventType[CommandResult]] = {
    domain: EventType(domain, "command-result", 1, CommandResult) for domain in SERVICES
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every event, command and command result, keyed by type string (`yrd schemas`)."""
    return declared_schemas([*REGISTRY.values(), *COMMANDS.values(), *RESULTS.values()])
