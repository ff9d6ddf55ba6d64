"""National identifier standards every region and every caller validates the same way (pure functions).

- Resident ID numbers, GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence
  (odd = male), one check character over the first 17 digits.
- Unified social credit codes, GB 32100-2015: 18 characters from a 31-symbol alphabet, mod-31 check.
They are part of the contract: a request body's identifier is valid by these, everywhere.
"""

from __future__ import annotations

from datetime import date

from shared.contracts.regions import zone_today

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str) -> str | None:
    """None if `value` is a valid resident ID number, otherwise what is wrong with it."""
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "must be 18 characters: 17 digits and a digit or X"
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth date part is not a date"
    if birth > zone_today() or birth.year < 1900:
        return "birth date part is out of range"
    if id_check_char(value[:17]) != value[17]:
        return "check character does not match"
    return None


def birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender(id_number: str) -> str:
    return "male" if int(id_number[16]) % 2 else "female"


def credit_code_problem(value: str) -> str | None:
    """None if `value` is a valid unified social credit code, otherwise what is wrong with it."""
    if len(value) != 18 or any(c not in _USCC_ALPHABET for c in value):
        return "must be 18 characters of digits and capital letters (no I, O, S, V, Z)"
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    if _USCC_ALPHABET[(31 - total % 31) % 31] != value[17]:
        return "check character does not match"
    return None


def credit_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def identity_problem(id_number: str, declared_birth: date, declared_gender: str) -> str | None:
    """Birth date and gender must agree with the ID number."""
    if birth_date(id_number) != declared_birth:
        return "birth_date does not match the ID number"
    if gender(id_number) != declared_gender:
        return "gender does not match the ID number"
    return None
