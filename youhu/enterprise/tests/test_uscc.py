import pytest

from youhu.enterprise.uscc import is_valid_uscc, validate_uscc, with_check_character
from youhu.tickets.errors import InvalidInput


@pytest.mark.parametrize("code", [
    "91350100M000100Y43",  # the worked example of GB 32100-2015
    "91110000600037341L",
    "9135 0100-M000 100Y43",  # spaces and dashes as people type them
    "91350100m000100y43",  # lower case
])
def test_valid_codes_are_accepted_and_normalized(code):
    assert validate_uscc(code) == "91350100M000100Y43" or validate_uscc(code) == "91110000600037341L"


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(InvalidInput) as err:
        validate_uscc("91350100M000100Y44")
    assert err.value.field == "uscc"
    assert "应为“3”" in err.value.message and "校验位" in err.value.message


@pytest.mark.parametrize("code, words", [
    ("91350100M000100Y4", "18 位"),
    ("91350100M000100Y433", "18 位"),
    ("", "请填写"),
    ("91350100M00010OY43", "不允许的字符：O"),
    ("91350100M000I00Y43", "不允许的字符：I"),
    ("9135010AM000100Y43", "应为数字"),
])
def test_malformed_codes_are_refused_with_the_reason(code, words):
    with pytest.raises(InvalidInput) as err:
        validate_uscc(code)
    assert words in err.value.message


def test_letters_allowed_in_the_first_two_positions():
    code = with_check_character("Y1440105MA5TE0001")
    assert is_valid_uscc(code)
    assert not is_valid_uscc(code[:17] + ("0" if code[17] != "0" else "1"))
