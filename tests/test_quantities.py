"""Typed numbers (issue 17, defect 7): the decimal mark follows the PC's locale (the settings file may
override it), three decimals are accepted where they are unambiguous, a refusal never suggests the text
just typed, and `12 34` is not 1234."""

from __future__ import annotations

import json
import locale
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from desktop import paths, quantities
from desktop.errors import UserError
from desktop.quantities import decimal_mark, parse_decimal, set_decimal_mark
from tests.test_cli import run


@pytest.fixture
def mark() -> Iterator[None]:
    yield
    set_decimal_mark(None)
    quantities._locale_mark.cache_clear()


@pytest.mark.parametrize(
    ("point", "typed", "value"),
    [
        (".", "2.125", Decimal("2.125")),
        (",", "2,125", Decimal("2.125")),
        (".", "1,5", Decimal("1.5")),  # the other mark where it cannot group thousands
        (",", "1.5", Decimal("1.5")),
        (".", "0,125", Decimal("0.125")),
        (".", "1234,567", Decimal("1234.567")),
        (",", "1,500", Decimal("1.5")),
        (".", "1,234,567", Decimal(1234567)),
        (",", "1.234,5", Decimal("1234.5")),
        (".", "1,234.5", Decimal("1234.5")),
        (",", "1 234", Decimal(1234)),
        (",", "1\u202f234,5", Decimal("1234.5")),  # French grouping with a narrow no-break space
        (".", "12", Decimal(12)),
    ],
)
def test_accepted(mark: None, point: str, typed: str, value: Decimal) -> None:
    set_decimal_mark(point)
    assert parse_decimal(typed) == value


@pytest.mark.parametrize(
    ("point", "typed", "message"),
    [
        (".", "2,125", "'2,125' is ambiguous: type 2125 or 2.125."),
        (",", "2.125", "'2.125' is ambiguous: type 2125 or 2,125."),
        (".", "1,500", "'1,500' is ambiguous: type 1500 or 1.5."),
        (",", "1.500", "'1.500' is ambiguous: type 1500 or 1,5."),
        (".", "12 34", "'12 34' is not a number: type the quantity with digits, e.g. 12 or 1.5."),
        (",", "12 34", "'12 34' is not a number: type the quantity with digits, e.g. 12 or 1,5."),
        (".", "1,2,3", "is not a number"),
        (".", "1.23456", "at most 4 decimal places"),
    ],
)
def test_refused_with_a_message_that_does_not_repeat_the_entry(
    mark: None, point: str, typed: str, message: str
) -> None:
    set_decimal_mark(point)
    with pytest.raises(UserError) as err:
        parse_decimal(typed)
    assert message in err.value.message
    rest = err.value.message.replace(f"'{typed}'", "", 1)
    assert typed not in rest  # never "type 2.125" to someone who typed 2.125


def test_the_mark_follows_the_locale(mark: None, monkeypatch: pytest.MonkeyPatch) -> None:
    conv = locale.localeconv()
    monkeypatch.setattr(locale, "localeconv", lambda: {**conv, "decimal_point": ","})
    quantities._locale_mark.cache_clear()
    assert decimal_mark() == ","
    assert parse_decimal("2,125") == Decimal("2.125")
    set_decimal_mark(".")  # the settings override the locale
    assert decimal_mark() == "." and parse_decimal("2.125") == Decimal("2.125")
    with pytest.raises(UserError, match="decimal mark"):
        set_decimal_mark(";")


def test_receive_three_decimals_from_the_command_line(
    home: Path, capsys: pytest.CaptureFixture[str], mark: None
) -> None:
    assert run(capsys, "demo", "--parts", "12")[0] == 0
    paths.config_path().write_text(json.dumps({"decimal_mark": "."}), encoding="utf-8")
    code, out, err = run(capsys, "receive", "--part", "STL-1007", "--to", "A-01-01", "--qty", "2.125")
    assert code == 0 and "Receipt 2.125 KG of STL-1007" in out, err
    code, _, err = run(capsys, "receive", "--part", "STL-1007", "--to", "A-01-01", "--qty", "12 34")
    assert code == 2 and "not a number" in err
    paths.config_path().write_text(json.dumps({"decimal_mark": ","}), encoding="utf-8")
    code, out, err = run(capsys, "receive", "--part", "STL-1007", "--to", "A-01-01", "--qty", "2,125")
    assert code == 0 and "Receipt 2.125 KG of STL-1007" in out, err
    code, _, err = run(capsys, "receive", "--part", "STL-1007", "--to", "A-01-01", "--qty", "2.125")
    assert code == 2 and "type 2125 or 2,125" in err
