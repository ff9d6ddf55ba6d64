"""Pydantic field types for national identifiers and instants, validated the same way by every service.

Each type's JSON Schema says what a client can check before sending: an identifier's format as a `pattern`
(its check character and the birth date's existence are computed, beyond a pattern: docs/api.md lists them),
an instant as `date-time`. The validators stay the server's own, so its answers do not change."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

from shared.contracts.identifiers import credit_code_problem, id_number_problem

# GB 11643-1999: 6-digit address code, birth date YYYYMMDD (1900 on), 3-digit sequence, check digit or X.
ID_NUMBER_PATTERN = r"^[0-9]{6}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$"
# GB 32100-2015: 18 characters of digits and capital letters but I, O, S, V and Z.
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
# ISO 8601 calendar date; and date and time with an offset (RFC 3339's form; seconds may be left out).
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})")


def _valid_id_number(value: str) -> str:
    value = value.strip().upper()
    if problem := id_number_problem(value):
        raise ValueError(f"resident ID number {problem}")
    return value


def _valid_credit_code(value: str) -> str:
    value = value.strip().upper()
    if problem := credit_code_problem(value):
        raise ValueError(f"unified social credit code {problem}")
    return value


def _iso_instant(value: Any) -> Any:
    """Pydantic's lax datetime also reads a number, or a numeric string such as a query's `0.5`, as seconds
    since 1970: a client's mistake answered with 1970's records. Only the documented text form is taken."""
    if isinstance(value, datetime) or (isinstance(value, str) and _INSTANT.fullmatch(value.strip())):
        return value
    raise ValueError("must be an ISO 8601 date-time with an offset, e.g. 2026-12-07T09:30:00+08:00")


def _iso_day(value: Any) -> Any:
    """The same for a calendar date: pydantic reads the number 0 (or the text "0") as 1970-01-01."""
    if isinstance(value, date) or (isinstance(value, str) and _DAY.fullmatch(value.strip())):
        return value
    raise ValueError("must be an ISO 8601 date, e.g. 2026-12-07")


# The pattern is declared for clients (json_schema_extra), not enforced by pydantic ahead of the validator:
# the server keeps trimming and upper-casing what it is sent, and its own message for each fault.
IdNumber = Annotated[
    str,
    AfterValidator(_valid_id_number),
    Field(examples=["33042119900101123X"], json_schema_extra={"pattern": ID_NUMBER_PATTERN}),
]
CreditCode = Annotated[
    str,
    AfterValidator(_valid_credit_code),
    Field(examples=["91330421MA2B3C4D5K"], json_schema_extra={"pattern": CREDIT_CODE_PATTERN}),
]
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_instant)]
Day = Annotated[date, BeforeValidator(_iso_day)]
PersonName = Annotated[str, Field(min_length=1, max_length=100)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$"), AfterValidator(str.lower)]
