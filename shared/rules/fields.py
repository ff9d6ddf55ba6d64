"""Pydantic field types for national identifiers, validated the same way by every service."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from shared.rules.identity import credit_code_problem, id_number_problem


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


IdNumber = Annotated[str, AfterValidator(_valid_id_number)]
CreditCode = Annotated[str, AfterValidator(_valid_credit_code)]
PersonName = Annotated[str, Field(min_length=1, max_length=100)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$"), AfterValidator(str.lower)]
