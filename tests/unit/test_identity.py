from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from shared.contracts.identifiers import (
    birth_date,
    credit_check_char,
    credit_code_problem,
    gender,
    id_check_char,
    id_number_problem,
)
from shared.rules.identity import keyed_hash, mask_id, mask_name

VALID = "33042119900101123X"


def make_id(address="310118", born="19851231", seq="457"):
    first17 = address + born + seq
    return first17 + id_check_char(first17)


def test_a_valid_number_passes_and_yields_birth_date_and_gender():
    assert id_number_problem(VALID) is None
    assert birth_date(VALID) == date(1990, 1, 1)
    assert gender(VALID) == "male"
    assert gender(make_id(seq="456")) == "female"


def test_check_character_must_match():
    assert id_number_problem(VALID[:-1] + "1") == "check character does not match"


def test_shape_and_date_errors_are_named():
    assert "18 characters" in id_number_problem("12345")
    assert "18 characters" in id_number_problem("33042119900101123Y")
    impossible = "330421" + "19900231" + "123"
    assert id_number_problem(impossible + id_check_char(impossible)) == "birth date part is not a date"
    future = "330421" + "29990101" + "123"
    assert id_number_problem(future + id_check_char(future)) == "birth date part is out of range"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)), st.integers(0, 999))
def test_any_well_formed_number_validates(born, seq):
    number = make_id(born=born.strftime("%Y%m%d"), seq=f"{seq:03d}")
    assert id_number_problem(number) is None
    assert birth_date(number) == born


@given(st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(position, delta):
    digits = list(VALID)
    digits[position] = str((int(digits[position]) + delta) % 10)
    assert id_number_problem("".join(digits)) is not None


def test_masking_keeps_only_what_may_be_shown():
    assert mask_id(VALID) == "330421********123X"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_keyed_hash_depends_on_the_key():
    assert keyed_hash(VALID, b"k1") == keyed_hash(VALID, b"k1")
    assert keyed_hash(VALID, b"k1") != keyed_hash(VALID, b"k2")
    assert VALID not in keyed_hash(VALID, b"k1")


def test_credit_codes():
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100M000100Y44") == "check character does not match"
    assert "18 characters" in credit_code_problem("91350100M00010OY43")
    assert credit_check_char("91310118MA1JL0000") in "0123456789ABCDEFGHJKLMNPQRTUWXY"
