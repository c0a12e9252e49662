"""ZPL for Zebra-compatible printers, read back by parsing: every ^BC / ^BQ / ^BX field carries the
label's payload and lies inside its label, quiet zones included, at the printer's dots per mm."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from desktop.reports.barcode_draw import code128_pattern, datamatrix_matrix, qr_matrix
from desktop.reports.label_formats import FORMATS, LabelError, LabelFormat
from desktop.reports.labels import BinLabel, LabelLayout, PartLabel, layout_bin_label, layout_part_label
from desktop.reports.zpl import render_zpl

THERMAL = [key for key, fmt in FORMATS.items() if fmt.is_thermal]
BINS = [
    BinLabel(
        "99-RK-01-SHELF-3-LEFT-BIN-0007",
        "L-99-RK-01-SHELF-3-LEFT-BIN-0007",
        "PLANT > Süd",
        None,
        None,
        "L--4711",
    ),
    BinLabel("A-01-02", "L-A-01-02", "PLANT > STORES", "6205-2RS", "Rillenkugellager ^~_ Ø25", "L--3"),
    BinLabel("Jörg Müller", "U-" + "7" * 38, "badge", None, None),  # no short form: a 2-D code only
]
PARTS = [
    PartLabel(
        "99ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789X",
        "P-99ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789X",
        "Ventil",
        "EA",
        compact="P--12",
    ),
    PartLabel("99/größe-ventil-übergangsstück-dn25/äöü", "P--13", "Ventil Größe 1", "EA", "2", "10", "P--13"),
]

KINDS: dict[str, tuple[Sequence[BinLabel | PartLabel], Callable[[Any, LabelFormat], LabelLayout]]] = {
    "bins": (BINS, layout_bin_label),
    "parts": (PARTS, layout_part_label),
}


def _unescape(text: str) -> str:  # ^FH: _XX is a hex byte
    return re.sub(r"_([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), text)


def _labels(zpl: str) -> list[str]:
    blocks = re.findall(r"\^XA(.*?)\^XZ", zpl, re.DOTALL)
    assert zpl.count("^XA") == zpl.count("^XZ") == len(blocks)
    return blocks


def _numbers(pattern: str, command: str) -> list[int]:
    """The numbers `pattern` captures at the start of a barcode command, which it must match."""
    found = re.match(pattern, command)
    assert found is not None, command
    return [int(v) for v in found.groups()]


@pytest.mark.parametrize("key", THERMAL)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_zpl_barcode_is_right_and_inside_its_label(key: str, kind: str) -> None:
    fmt: LabelFormat = FORMATS[key]
    items, layout = KINDS[kind]
    zpl, fallbacks = render_zpl(items, layout, fmt, copies=2)
    blocks = _labels(zpl)
    assert len(blocks) == len(items)
    per_mm = fmt.dpi / 25.4
    width, length = round(fmt.label_width_mm * per_mm), round(fmt.label_height_mm * per_mm)
    for item, block in zip(items, blocks, strict=True):
        payload = layout(item, fmt).payload
        assert f"^PW{width}" in block and f"^LL{length}" in block and "^PQ2" in block and "^CI28" in block
        fields = re.findall(r"\^FO(\d+),(\d+)(\^B[YQXC][^\^]*(?:\^B[CQX][^\^]*)?)\^FH\^FD(.*?)\^FS", block)
        codes = 0
        for x_text, y_text, command, data_text in fields:
            x, y, data = int(x_text), int(y_text), _unescape(data_text)
            if command.startswith("^BY"):
                module, _ratio, height = _numbers(r"\^BY(\d+),(\d+),(\d+)", command)
                assert re.search(r"\^BCN,\d+,N,N,N,A$", command)
                assert data == payload
                assert module >= 0.19 * per_mm  # a bar scanners read, in whole dots
                bars = len(code128_pattern(data)) * module
                assert x >= 10 * module and x + bars + 10 * module <= width  # quiet zones on the label
                assert y >= 0 and y + height <= length
            elif command.startswith("^BQ"):
                (magnification,) = _numbers(r"\^BQN,2,(\d+)", command)
                assert data.startswith("MA,") and data[3:] == payload
                side = len(qr_matrix(payload, "M")) * magnification
                assert x + side <= width and y + side <= length and magnification >= 3
            else:
                (module,) = _numbers(r"\^BXN,(\d+),200", command)
                assert data == payload
                side = len(datamatrix_matrix(payload)) * module
                assert x + side <= width and y + side <= length
            codes += 1
        assert codes >= 1, block
    assert {name for name, _how in fallbacks} == {
        getattr(i, "code", None) or i.part_number
        for i in items
        if layout(i, fmt).payload != i.barcode or layout(i, fmt).code128 is None
    }


def test_text_with_zpl_control_characters_is_escaped() -> None:
    zpl, _ = render_zpl(BINS[1:2], layout_bin_label, FORMATS["thermal-100x50mm"])
    data = re.findall(r"\^FD(.*?)\^FS", zpl)
    assert all("^" not in d and "~" not in d for d in data)
    assert any("Rillenkugellager ^~_ Ø25" in _unescape(d) for d in data)


def test_zpl_is_for_thermal_formats_and_takes_the_calibration() -> None:
    with pytest.raises(LabelError, match="ZPL is for thermal label printers"):
        render_zpl(BINS, layout_bin_label, FORMATS["avery-5160"])
    zpl, _ = render_zpl(
        BINS[:1], layout_bin_label, FORMATS["thermal-2x1in"], offset_x_mm=1.0, offset_y_mm=-0.5
    )
    assert "^LS-8" in zpl and "^LT-4" in zpl  # 8 dots right, 4 dots up at 203 dpi
