"""The BSN 11-check and the keyed pseudonym (HMAC-SHA256). Expected values are computed by hand in the comments."""
import hashlib
import hmac

import pytest
from django.test import override_settings

from placements.bsn import is_valid_bsn, normalise_bsn, pseudonymise, synthetic_bsn


@pytest.mark.parametrize(
    "bsn",
    [
        "111222333",  # 9+8+7+12+10+8+9+6-3 = 66 = 6*11
        "123456782",  # 9+16+21+24+25+24+21+16-2 = 154 = 14*11
        "012345672",  # 0+8+14+18+20+20+18+14-2 = 110 = 10*11
        "900000004",  # 81-4 = 77 = 7*11
    ],
)
def test_it_accepts_numbers_that_pass_the_11_check(bsn):
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize(
    "bsn",
    [
        "123456789",  # 9+16+21+24+25+24+21+16-9 = 147 = 13*11 + 4
        "111222334",  # 66 - 1 = 65 = 5*11 + 10
        "900000005",  # 81-5 = 76 = 6*11 + 10
    ],
)
def test_it_refuses_numbers_that_fail_the_11_check(bsn):
    assert not is_valid_bsn(bsn)


def test_it_refuses_all_zeros_although_the_sum_is_zero():
    assert sum(0 for _ in "000000000") % 11 == 0
    assert not is_valid_bsn("000000000")
    assert not is_valid_bsn("00000000")  # padded to 000000000


@pytest.mark.parametrize("raw", ["", "1234567", "1112223330", "11122233", "1234567820"])
def test_it_refuses_the_wrong_length(raw):
    # "11122233" is 8 digits: padded to 011122233 = 0+8+7+6+10+8+6+6-3 = 48 = 4*11 + 4, so invalid as well.
    assert not is_valid_bsn(raw)


@pytest.mark.parametrize("raw", ["11122233a", "abcdefghi", "1112-2233x", "１１１２２２３３３", "111222333\x00"])
def test_it_refuses_letters_and_other_characters(raw):
    assert not is_valid_bsn(raw)


def test_it_pads_an_8_digit_number_with_a_leading_zero():
    assert normalise_bsn("12345672") == "012345672"
    assert is_valid_bsn("12345672")
    assert not is_valid_bsn("12345678")  # 012345678: 112 - 8 = 104 = 9*11 + 5


def test_it_ignores_spaces_dots_and_dashes():
    assert normalise_bsn(" 111 222 333 ") == "111222333"
    assert is_valid_bsn("111.222.333")
    assert is_valid_bsn("1112-22-333")


@override_settings(BSN_HASH_KEY="test-key-1")
def test_it_pseudonymises_with_hmac_sha256_of_the_normalised_number():
    expected = hmac.new(b"test-key-1", b"111222333", hashlib.sha256).hexdigest()
    assert pseudonymise("111222333") == expected
    assert pseudonymise("111 222 333") == expected
    # Known answer, computed once with Python's hmac module.
    assert expected == "a760831ccd91cb716485793e5b21cecbf4fc7fc23002d74bf4877d65847aa853"


@override_settings(BSN_HASH_KEY="test-key-1")
def test_it_hashes_an_8_digit_number_as_its_padded_form():
    assert pseudonymise("12345672") == hmac.new(b"test-key-1", b"012345672", hashlib.sha256).hexdigest()
    assert pseudonymise("12345672") == pseudonymise("012345672")


def test_it_gives_different_pseudonyms_for_different_keys():
    with override_settings(BSN_HASH_KEY="key-a"):
        a = pseudonymise("111222333")
    with override_settings(BSN_HASH_KEY="key-b"):
        b = pseudonymise("111222333")
    assert a != b
    assert pseudonymise("111222333", key="key-a") == a


def test_it_gives_different_pseudonyms_for_different_numbers():
    assert pseudonymise("111222333", key="k") != pseudonymise("123456782", key="k")


def test_the_pseudonym_does_not_contain_the_number():
    p = pseudonymise("111222333", key="k")
    assert len(p) == 64 and "111222333" not in p


@pytest.mark.parametrize("raw", ["123456789", "000000000", "abc"])
def test_it_refuses_to_pseudonymise_an_invalid_number_without_repeating_it(raw):
    with pytest.raises(ValueError) as excinfo:
        pseudonymise(raw, key="k")
    assert raw not in str(excinfo.value)


def test_synthetic_numbers_are_the_documented_ones():
    # n=0: 9 0000000 -> 9*9 = 81 = 7*11 + 4 -> check digit 4; n=1: 81 + 2*1 = 83 = 7*11 + 6 -> 6.
    assert synthetic_bsn(0) == "900000004"
    assert synthetic_bsn(1) == "900000016"


def test_synthetic_numbers_are_valid_and_distinct():
    ns = list(range(3000)) + list(range(3000, 10**7, 9973))
    numbers = [synthetic_bsn(n) for n in ns]
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid_bsn(b) and len(b) == 9 for b in numbers)


@pytest.mark.parametrize("n", [-1, 10**7])
def test_synthetic_numbers_are_refused_out_of_range(n):
    with pytest.raises(ValueError):
        synthetic_bsn(n)
