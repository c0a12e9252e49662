"""Barcodes drawn as vector paths on a reportlab canvas.

Code128 comes from python-barcode's module pattern, QR from zxing-cpp's encoder (reportlab's pure-Python
encoder as a fallback). Each symbol is ONE filled path of run-length rectangles: a `canvas.rect` per
module is several times slower and bloats the PDF, and vectors stay crisp at any printer resolution.

Coordinates and sizes are PDF points; callers convert from mm.  Quiet zones are the caller's job (the
functions here draw only dark modules), but the helpers below say how wide they must be.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Protocol

from barcode.charsets import code128 as _c128
from barcode.codex import Code128

from desktop.errors import UserError

# ISO/IEC 15417: at least 10 modules of white either side of a Code128 symbol.
CODE128_QUIET_MODULES = 10
# ISO/IEC 18004: 4 modules of white around a QR symbol.
QR_QUIET_MODULES = 4
# ISO/IEC 16022 asks 1 module around a DataMatrix; 2 leave room for a die-cut edge or a smudge.
DATAMATRIX_QUIET_MODULES = 2

# A 2-D symbol's modules row by row from the top: one byte per module, 1 = dark, 0 = light.
QrMatrix = tuple[bytes, ...]


class BarcodeError(UserError, ValueError):
    """The text cannot be put into this barcode (wrong characters, empty)."""


class _Canvas(Protocol):
    """The part of reportlab's Canvas used here (reportlab ships no type hints)."""

    def addLiteral(self, s: str, escaped: int = ...) -> None: ...


def _num(value: float) -> str:
    """A PDF number with 4 decimals of a point: far finer than any printer dot, and short."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


class _SafeCode128(Code128):
    """Code128 with two python-barcode 0.16.1 bugs worked around (both fixed upstream, unreleased):
    the reference `code128_pattern`'s own encoder is tested against.

    #251: a leading "99" is dropped, because the optimiser folds symbol value 99 after START_C (which
    is the data pair "99") as if it were CODE_C.  #143: the charset and digit buffer survive between
    `build()` calls, so a second build can differ from the first.
    """

    def _build(self) -> list[int]:
        self._charset = "C"
        self._buffer = ""
        result: list[int] = super()._build()
        return result

    def _try_to_optimize(self, encoded: list[int]) -> list[int]:
        # Only START_C followed by a switch to A or B folds into START_A / START_B.
        if (
            len(encoded) > 1
            and encoded[0] == _c128.START_CODES["C"]
            and encoded[1] in (_c128.C["TO_A"], _c128.C["TO_B"])
        ):
            encoded[:2] = [_c128.TO[encoded[1]]]
        return encoded


# build() only encodes; without a writer python-barcode makes a new SVG writer for every code.
UNUSED_WRITER = Code128.default_writer()


def check_code128_text(data: str) -> None:
    """Raise BarcodeError unless `data` is text a Code128 can carry and a wedge scanner can type."""
    if not data:
        raise BarcodeError("The barcode text is empty.")
    if data.isascii() and data.isprintable():  # the usual case, without a loop in Python
        return
    for ch in data:
        # Printable ASCII only: control characters are invisible to the user and get lost or
        # remapped by keyboard-wedge scanners; Code128 has no characters beyond ASCII at all.
        if not " " <= ch <= "~":
            shown = repr(ch) if not ch.isprintable() else f"'{ch}'"
            raise BarcodeError(
                f"The barcode text {data!r} contains {shown}, which a barcode cannot carry. "
                "Use letters A-Z, digits and '-'."
            )


# A 5,000-line count sheet measures then draws 10,000 codes: a smaller cache forgets each before it
# is drawn and every code is encoded twice.
_CODE128_CACHE = 32_768


@lru_cache(maxsize=_CODE128_CACHE)
def code128_pattern(data: str) -> str:
    """Module pattern of the Code128 symbol for `data`: '1' = bar, '0' = space, no quiet zones."""
    check_code128_text(data)
    values = _code128_values(data)
    checksum = (values[0] + sum(i * v for i, v in enumerate(values))) % 103  # the start value counts once
    return "".join(_c128.CODES[v] for v in values) + _c128.CODES[checksum] + _c128.STOP + "11"


_START_B, _START_C = _c128.START_CODES["B"], _c128.START_CODES["C"]
_C_TO_B, _B_TO_C = _c128.C["TO_B"], _c128.B["TO_C"]


def _code128_values(data: str) -> list[int]:
    """The symbol values (start code first, no checksum) _SafeCode128 chooses for printable ASCII, in
    one loop instead of several method calls per character (a 5,000-line count sheet encodes 10,000
    codes): set C for a run of four or more digits, set B for the rest, an odd digit left over in B.
    tests/reports/test_barcode_draw.py holds it to _SafeCode128 on thousands of codes."""
    values = [_START_C]
    in_c = True
    digit = ""  # a digit read in set C, waiting for its pair
    for i, ch in enumerate(data):
        if in_c and not ch.isdigit():
            values.append(_C_TO_B)
            in_c = False
            if digit:
                values.append(_c128.B[digit])
                digit = ""
        elif not in_c:
            ahead = data[i : i + 4]
            if len(ahead) == 4 and ahead.isdigit():
                values.append(_B_TO_C)
                in_c = True
        if not in_c:
            values.append(_c128.B[ch])
        elif digit:
            values.append(int(digit + ch))
            digit = ""
        else:
            digit = ch
    if digit:
        values += [_C_TO_B, _c128.B[digit]]
    if len(values) > 1 and values[1] == _C_TO_B:  # START_C then CODE_B is START_B
        values[:2] = [_START_B]
    return values


def code128_total_modules(data: str) -> int:
    """Width of the Code128 symbol in modules including both quiet zones."""
    return len(code128_pattern(data)) + 2 * CODE128_QUIET_MODULES


_RUN = re.compile("1+")
_DARK_RUN = re.compile(b"\x01+")


def bar_runs(pattern: str) -> list[tuple[int, int]]:
    """(start module, width in modules) of every bar in a module pattern."""
    return [(m.start(), m.end() - m.start()) for m in _RUN.finditer(pattern)]


@lru_cache(maxsize=_CODE128_CACHE)
def _code128_path_body(data: str) -> str:
    # Rectangles in module units (x) and bar heights (y): short integers, so the content stream
    # is small and the string is reusable for every copy of the label.
    pattern = code128_pattern(data)
    # Every symbol is 11 modules, starting with a bar and ending with a space (the stop symbol's
    # last bar makes a 2-module piece), so no bar crosses a piece's edge and the bars of a symbol at
    # a given place are always written the same: a few thousand pieces cover every code, and joining
    # them is several times quicker than finding each bar.
    return " ".join([_symbol_bars(pattern[i : i + 11], i) for i in range(0, len(pattern), 11)])


@lru_cache(maxsize=16_384)
def _symbol_bars(symbol: str, offset: int) -> str:
    return " ".join(f"{offset + start} 0 {n} 1 re" for start, n in bar_runs(symbol))


def draw_code128(
    canvas: _Canvas,
    data: str,
    x: float,
    y: float,
    module: float,
    height: float,
    *,
    bar_reduction: float = 0.0,
) -> float:
    """Draw the bars of `data` with the first bar's left edge at x, bottom at y; return the width.

    All bars are one filled path.  `bar_reduction` (points) narrows every bar to allow for toner or
    ink spread on the printer.
    """
    if bar_reduction:
        shrink = bar_reduction / module
        body = " ".join(
            f"{_num(start + shrink / 2)} 0 {_num(n - shrink)} 1 re"
            for start, n in bar_runs(code128_pattern(data))
        )
    else:
        body = _code128_path_body(data)
    canvas.addLiteral(f"q 0 g {_num(module)} 0 0 {_num(height)} {_num(x)} {_num(y)} cm {body} f Q")
    return len(code128_pattern(data)) * module


_EC_LEVELS = "LMQH"
_DARK = bytes(1 if value < 128 else 0 for value in range(256))


def _qr_matrix_zxing(data: str, level: str) -> QrMatrix | None:
    """Module matrix from zxing-cpp (native, ~0.03 ms), or None if this zxing-cpp cannot do it."""
    try:
        import zxingcpp
    except ImportError:  # pragma: no cover - zxing-cpp is a dependency; fallback kept for safety
        return None
    create = getattr(zxingcpp, "create_barcode", None)
    if create is None:  # zxing-cpp < 2.3 has only write_barcode, which needs numpy
        return None
    try:
        matrix = _zxing_modules(create(data, zxingcpp.BarcodeFormat.QRCode, ec_level=level))
    except (TypeError, AttributeError):  # pragma: no cover - an older zxing-cpp with another signature
        return None
    rows = len(matrix)
    if rows != len(matrix[0]) or (rows - 21) % 4:  # pragma: no cover - not a QR matrix
        return None
    return matrix


def _zxing_modules(symbol: Any) -> QrMatrix:
    """The module matrix of a zxing-cpp symbol (1 = dark)."""
    # scale=1 without quiet zones gives one byte per module: 0 = dark, 255 = light.
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    rows, cols = image.shape[0], image.shape[1]
    dark = bytes(memoryview(image)).translate(_DARK)  # 1 for a dark module, 0 for a light one
    return tuple(dark[r * cols : (r + 1) * cols] for r in range(rows))


def _qr_matrix_reportlab(data: str, level: str) -> QrMatrix:
    """Module matrix from reportlab's pure-Python encoder (~3.7 ms, most of it mask selection)."""
    from reportlab.graphics.barcode import qrencoder

    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(data)
    qr.make()
    return tuple(bytes(1 if m else 0 for m in row) for row in qr.modules)


@lru_cache(maxsize=8192)
def qr_matrix(data: str, level: str = "M") -> QrMatrix:
    """QR module matrix (1 = dark), row 0 at the top, without quiet zone.  Cached: reprints repeat."""
    if not data:
        raise BarcodeError("The barcode text is empty.")
    if level not in _EC_LEVELS:
        raise ValueError(f"QR error correction level must be one of L, M, Q, H, not {level!r}")
    matrix = _qr_matrix_zxing(data, level)
    if matrix is None:  # pragma: no cover - exercised only without a suitable zxing-cpp
        matrix = _qr_matrix_reportlab(data, level)
    return matrix


@lru_cache(maxsize=8192)
def datamatrix_matrix(data: str) -> QrMatrix:
    """Square ECC 200 DataMatrix module matrix (1 = dark), row 0 at the top, without quiet zone.

    Square only: the rectangular DMRE sizes zint would otherwise pick are not read by every scanner.
    For short codes it is about half the side of a QR code, which is what fits a small label.
    """
    if not data:
        raise BarcodeError("The barcode text is empty.")
    import zxingcpp

    return _zxing_modules(zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.DataMatrix, force_square=True))


def qr_size_modules(data: str, level: str = "M") -> int:
    """Side of the QR symbol in modules, without quiet zone."""
    return len(qr_matrix(data, level))


@lru_cache(maxsize=65536)
def _row_path(row: bytes) -> str:
    # One rectangle per run of dark modules, its y left open: rows recur from symbol to symbol (finder
    # patterns, timing, format bits), and formatting the runs was most of the cost of a QR.
    return " ".join(f"{s} %(y)d {e - s} 1 re" for s, e in (run.span() for run in _DARK_RUN.finditer(row)))


@lru_cache(maxsize=8192)
def _qr_path_body(matrix: QrMatrix) -> str:
    # One rectangle per horizontal run of dark modules, in module units with y = 0 at the bottom row.
    n = len(matrix)
    return " ".join(path % {"y": n - 1 - r} for r, row in enumerate(matrix) if (path := _row_path(row)))


def draw_qr(canvas: _Canvas, matrix: QrMatrix, x: float, y: float, module: float) -> float:
    """Draw a QR matrix as one filled path, symbol's bottom-left corner at (x, y); return its side."""
    body = _qr_path_body(matrix)
    m = _num(module)
    canvas.addLiteral(f"q 0 g {m} 0 0 {m} {_num(x)} {_num(y)} cm {body} f Q")
    return len(matrix) * module
