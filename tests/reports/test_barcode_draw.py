"""Vector Code128 and QR: python-barcode bugs worked around, both QR encoders decode."""

from __future__ import annotations

import io
import random
import string

import pytest
from barcode.codex import Code128
from reportlab.pdfgen.canvas import Canvas

from desktop.reports.barcode_draw import (
    UNUSED_WRITER,
    BarcodeError,
    _code128_path_body,
    _qr_matrix_reportlab,
    _qr_matrix_zxing,
    _SafeCode128,
    bar_runs,
    code128_pattern,
    code128_total_modules,
    draw_code128,
    draw_qr,
    qr_matrix,
)
from tests.reports.helpers import decode, render_pages


def _pdf_with(draw: object) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(300, 200), pageCompression=0)
    draw(canvas)  # type: ignore[operator]
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data", ["999999", "99ABC", "99", "12A", "L-A-01-02", "a b/c.d:e", "K-00004201", "1"]
)
def test_code128_decodes_to_exactly_its_text(data: str) -> None:
    pdf = _pdf_with(lambda c: draw_code128(c, data, 20, 50, 0.9, 60))
    (page,) = render_pages(pdf, dpi=300)
    assert decode(page) == {("Code128", data)}


def test_code128_keeps_a_leading_99_that_python_barcode_0_16_1_drops() -> None:
    # Symbol values after START_C (105): three data pairs "99".  Stock 0.16.1 folds the first one
    # into the start code (issue #251) and the symbol scans as "9999".
    assert _SafeCode128("999999").encoded == [105, 99, 99, 99]
    assert _SafeCode128("L-1").encoded == Code128("L-1").encoded  # START_C + CODE_B still folds


def test_code128_builds_the_same_every_time() -> None:
    # Stock 0.16.1 keeps the code set between build() calls (issue #143).
    symbol = _SafeCode128("12A")
    assert symbol.build() == symbol.build() == [code128_pattern("12A")]


def test_code128_encoder_chooses_the_code_sets_python_barcode_chooses_and_draws_every_bar() -> None:
    # code128_pattern encodes in one loop (python-barcode's is most of a count sheet's encoding
    # time); the printed symbols must not change: the same code sets, switches and checksum.
    rng = random.Random(7)
    printable = "".join(map(chr, range(32, 127)))
    mostly_digits = string.digits * 4 + "-A "
    codes = {"99", "9", "999999", "L-1", "12A", "A1234", "A123", "1234A5", "0000A", "L-B-00001"}
    for n in range(6000):
        alphabet = printable if n % 2 else mostly_digits
        codes.add("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
    for data in codes:
        pattern = code128_pattern(data)
        assert pattern == _SafeCode128(data, writer=UNUSED_WRITER).build()[0], data
        # The path, joined from per-symbol pieces, has exactly the bars of the pattern.
        assert _code128_path_body(data) == " ".join(f"{s} 0 {n} 1 re" for s, n in bar_runs(pattern))


def test_bar_runs_and_widths() -> None:
    assert bar_runs("1101000111") == [(0, 2), (3, 1), (7, 3)]
    assert code128_total_modules("L-000123") == 101 + 20  # printing.md: L-000123 is 101 modules


@pytest.mark.parametrize("data", ["", "Ø12", "tab\there", "L-A-01\n"])
def test_code128_refuses_what_it_cannot_carry(data: str) -> None:
    with pytest.raises(BarcodeError):
        code128_pattern(data)


@pytest.mark.parametrize(
    "encoder", [_qr_matrix_zxing, _qr_matrix_reportlab], ids=["zxing-cpp", "reportlab-fallback"]
)
def test_qr_from_either_encoder_decodes(encoder: object) -> None:
    payload = "L-A-01-02"
    matrix = encoder(payload, "M")  # type: ignore[operator]
    assert matrix is not None and len(matrix) == 21  # version 1 for a short alphanumeric payload
    pdf = _pdf_with(lambda c: draw_qr(c, matrix, 40, 40, 4))
    (page,) = render_pages(pdf, dpi=150)
    assert decode(page) == {("QRCode", payload)}


def test_qr_matrix_is_cached_and_checks_its_level() -> None:
    assert qr_matrix("L-1") is qr_matrix("L-1")
    with pytest.raises(ValueError, match="L, M, Q, H"):
        qr_matrix("L-1", "X")


def test_each_symbol_is_one_filled_path() -> None:
    pdf = _pdf_with(
        lambda c: (draw_code128(c, "L-1", 10, 10, 1, 30), draw_qr(c, qr_matrix("L-1"), 150, 10, 3))
    )
    content = pdf.decode("latin-1")
    # Uncompressed content: one "f" fill per symbol, many "re" rectangles inside each.
    assert content.count(" re f Q") == 2
