"""Reading import files: headers, delimiters, encodings, dates, amounts and codes."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from placements.imports.parsing import (
    DECLARATIONS,
    EPISODES,
    CsvFile,
    DateError,
    EncodingError,
    municipality_key,
    normalise_header,
    parse_amount,
    parse_date,
    parse_end_reason,
    parse_header,
    parse_referrer,
    parse_sex,
    prescan,
    sniff_delimiter,
)

EPISODE_HEADER = "episode_id,bsn,birth_date,sex,municipality,provider,care_form,start_date,end_date,end_reason,referrer"


# -- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("Geboortedatum", "geboortedatum"),
    ("  Reden beëindiging ", "reden_beeindiging"),
    ("\ufeffepisode_id", "episode_id"),
    ("Begin-periode", "begin_periode"),
    ('"BSN"', "bsn"),
])
def test_it_normalises_header_names(raw, expected):
    assert normalise_header(raw) == expected


def test_it_maps_dutch_episode_headers_case_insensitively():
    cells = ["Traject_ID", "BSN", "Geboortedatum", "Geslacht", "Gemeente", "Aanbieder", "Zorgvorm",
             "Begindatum", "Einddatum", "Reden beëindiging", "Verwijzer"]
    header = parse_header(EPISODES, cells, ";")
    assert header.positions == {"episode_id": 0, "bsn": 1, "birth_date": 2, "sex": 3, "municipality": 4, "provider": 5,
                                "care_form": 6, "start_date": 7, "end_date": 8, "end_reason": 9, "referrer": 10}
    assert header.display["birth_date"] == "Geboortedatum"
    assert header.missing == [] and header.duplicates == [] and header.unknown == []


def test_it_maps_dutch_declaration_headers_including_the_period_columns():
    cells = ["declaratie_id", "bsn", "geboortedatum", "gemeente", "aanbieder", "zorgvorm", "begin_periode", "einde_periode", "bedrag"]
    header = parse_header(DECLARATIONS, cells, ";")
    assert header.missing == []
    assert header.positions["period_start"] == 6 and header.positions["period_end"] == 7 and header.positions["amount"] == 8


def test_it_reports_missing_duplicate_and_unknown_columns():
    header = parse_header(EPISODES, ["episode_id", "traject_id", "bsn", "opmerking"], ",")
    assert header.duplicates == ["episode_id"]
    assert header.unknown == ["opmerking"]
    assert header.missing == ["birth_date", "municipality", "provider", "care_form", "start_date"]


def test_optional_episode_columns_may_be_absent():
    header = parse_header(EPISODES, ["episode_id", "bsn", "birth_date", "municipality", "provider", "care_form", "start_date"], ",")
    assert header.missing == []


@pytest.mark.parametrize(("line", "expected"), [
    ("a;b;c\n", ";"), ("a,b,c\n", ","), ("a\tb\tc\n", "\t"), ("a;b,c;d\n", ";"), ("single\n", ","),
])
def test_it_sniffs_the_delimiter_from_the_header(line, expected):
    assert sniff_delimiter(line) == expected


# -- encodings and rows ---------------------------------------------------------------------------


def test_prescan_detects_utf8_and_counts_lines():
    scan = prescan(io.BytesIO("a,b\nc,é\n".encode()))
    assert (scan.encoding, scan.lines) == ("utf-8", 2)
    assert prescan(io.BytesIO(b"a,b\nc,d")).lines == 2  # last line without newline


def test_prescan_recognises_a_bom():
    assert prescan(io.BytesIO("\ufeffa,b\n".encode())).encoding == "utf-8-sig"
    assert prescan(io.BytesIO("a,b\nc,d\n".encode("utf-16"))).encoding == "utf-16"


def test_prescan_falls_back_to_windows_1252():
    scan = prescan(io.BytesIO("aanbieder\nZorg & Co café\n".encode("cp1252")))
    assert scan.encoding == "cp1252"


def test_prescan_refuses_broken_utf16():
    with pytest.raises(EncodingError):
        prescan(io.BytesIO(b"\xff\xfea\x00\x00\xd8"))  # BOM, 'a', then a lone high surrogate


def _rows(text: str, kind: str = EPISODES, encoding: str = "utf-8"):
    source = CsvFile(io.BytesIO(text.encode(encoding)), kind, prescan(io.BytesIO(text.encode(encoding))).encoding)
    header = source.read_header()
    return header, list(source.rows())


def test_it_reads_semicolon_files_with_quotes_and_skips_blank_lines():
    header, rows = _rows(
        "\ufeffdeclaratie_id;bsn;geboortedatum;gemeente;aanbieder;zorgvorm;begin_periode;einde_periode;bedrag\r\n"
        'D1;900000016;2012-05-17;Ede;"Zorg; en meer";RES;2024-01-01;2024-01-31;"€ 1.234,56"\r\n'
        ";;;;;;;;\r\n"
        "\r\n"
        "D2;900000028;2012-05-17;Ede;Zorg;RES;2024-01-01;2024-01-31; 12,50 \r\n",
        DECLARATIONS,
    )
    assert header.delimiter == ";"
    assert [r.line for r in rows] == [2, 5]
    assert rows[0].cells["provider"] == "Zorg; en meer"
    assert rows[0].cells["amount"] == "€ 1.234,56"
    assert rows[1].cells["amount"] == "12,50"  # trimmed
    assert rows[0].width == 9


def test_it_leaves_out_absent_columns_and_reports_the_width():
    header, rows = _rows(
        "episode_id,bsn,birth_date,municipality,provider,care_form,start_date\nE1,900000016,2012-05-17,Ede,P,RES\n"
    )
    assert rows[0].width == 6
    assert "start_date" not in rows[0].cells and "referrer" not in rows[0].cells


def test_it_reads_windows_1252_text():
    header, rows = _rows(EPISODE_HEADER + "\nE1,900000016,2012-05-17,V,Ede,Zorg café,RES,2024-01-01,,,\n", encoding="cp1252")
    assert rows[0].cells["provider"] == "Zorg café"


def test_an_empty_file_has_no_header():
    source = CsvFile(io.BytesIO(b"\n \n"), EPISODES, "utf-8")
    assert source.read_header() is None


# -- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-01", dt.date(2024, 3, 1)),
    ("01-03-2024", dt.date(2024, 3, 1)),
    ("1-3-2024", dt.date(2024, 3, 1)),
    ("01/03/2024", dt.date(2024, 3, 1)),
    ("29-02-2024", dt.date(2024, 2, 29)),
])
def test_it_parses_iso_and_dutch_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024/03/01", "20240301", "1 maart 2024", "03-2024", "2024-03-01T00:00", "01-03-24"])
def test_it_refuses_other_date_formats(text):
    with pytest.raises(DateError) as exc:
        parse_date(text)
    assert exc.value.reason == "format"


@pytest.mark.parametrize("text", ["2023-02-29", "31-04-2024", "2024-13-01", "00-01-2024", "1899-12-31", "2101-01-01"])
def test_it_refuses_impossible_dates(text):
    with pytest.raises(DateError) as exc:
        parse_date(text)
    assert exc.value.reason == "impossible"


@pytest.mark.parametrize(("text", "expected"), [
    ("€ 1.234,56", "1234.56"),
    ("1,234.56", "1234.56"),
    ("-250,00", "-250.00"),
    ("1234.5", "1234.50"),
    ("1234,5", "1234.50"),
    ("2500", "2500.00"),
    ("1.234", "1234.00"),
    ("1,234", "1234.00"),
    ("1.234.567,89", "1234567.89"),
    ("1,234,567.89", "1234567.89"),
    ("€-250,00", "-250.00"),
    ("-€ 250,00", "-250.00"),
    ("(250,00)", "-250.00"),
    ("250,00-", "-250.00"),
    ("EUR 99,95", "99.95"),
    ("1\u00a0234,56", "1234.56"),
    ("0,5", "0.50"),
])
def test_it_parses_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "€", "abc", "12,345,6", "1.2345", "12.", "1,23,456.00", "0,500", "--5", "1.234,567",
                                  "12345678901,00", "1e5"])
def test_it_refuses_malformed_amounts(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("M", "M"), ("m", "M"), ("man", "M"), ("Jongen", "M"), ("V", "V"), ("f", "V"), ("vrouw", "V"), ("meisje", "V"),
    ("O", "O"), ("x", "O"), ("onbekend", "O"),
])
def test_it_parses_sex(text, expected):
    assert parse_sex(text) == expected


def test_it_refuses_other_sex_values():
    with pytest.raises(ValueError):
        parse_sex("q")


@pytest.mark.parametrize(("text", "expected"), [
    ("31", "31"), ("34", "34"), ("39", "39"), ("02", "02"),  # iJw as is; 02 = death
    ("01", "31"), ("1", "31"), ("03", "32"), ("04", "33"), ("05", "35"), ("5", "35"),  # unambiguous CBS codes
    ("CBS02", "34"), ("cbs 02", "34"), ("CBS-01", "31"), ("cbs3", "32"),  # explicit CBS prefix
])
def test_it_maps_end_reasons_per_the_table(text, expected):
    assert parse_end_reason(text) == expected


@pytest.mark.parametrize("text", ["2", "37", "06", "CBS06", "x"])
def test_it_refuses_unknown_or_ambiguous_end_reasons(text):
    with pytest.raises(ValueError):
        parse_end_reason(text)


@pytest.mark.parametrize(("text", "expected"), [("01", "01"), ("1", "01"), ("8", "08")])
def test_it_parses_referrers(text, expected):
    assert parse_referrer(text) == expected


@pytest.mark.parametrize("text", ["09", "0", "A", "001"])
def test_it_refuses_other_referrers(text):
    with pytest.raises(ValueError):
        parse_referrer(text)


@pytest.mark.parametrize(("text", "expected"), [("GM0228", "gm0228"), ("0228", "0228"), ("228", "0228"), ("  Ede ", "ede")])
def test_municipality_keys(text, expected):
    assert municipality_key(text) == expected
