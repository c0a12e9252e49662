"""Asset tag labels: drawn by the bin-label layout with the A- payload; every code printed decodes."""

from __future__ import annotations

import pytest

from desktop.db import Database
from desktop.errors import NotFound
from desktop.models.enums import AssetLevel, Role
from desktop.reports.label_formats import get_format
from desktop.reports.labels import render_bin_labels
from desktop.services import mro
from desktop.services.admin.users import ensure_user
from desktop.services.mro import AssetInput
from tests.reports.helpers import crop_mm, decode, open_pdf, render_pages
from tests.reports.test_labels import slot_rect_mm


def test_asset_tags_print_and_decode(sqlite_db: Database) -> None:
    admin = ensure_user(sqlite_db, "admin", role=Role.ADMIN)
    line = mro.create_asset(sqlite_db, admin, AssetInput("L1", "Line 1", AssetLevel.LINE.value))
    press = mro.create_asset(
        sqlite_db, admin, AssetInput("PRESS-01", "Presse Ø 250 t", AssetLevel.MACHINE.value, line.id)
    )
    labels = mro.asset_labels(sqlite_db, [press.id, line.id])
    assert [(x.code, x.barcode, x.path) for x in labels] == [
        ("L1", "A-L1", ""),
        ("PRESS-01", "A-PRESS-01", "L1"),
    ]
    fmt = get_format("avery-5160")
    pdf = render_bin_labels(labels, fmt)
    with open_pdf(pdf) as doc:
        text = doc.pages[0].extract_text()
    assert "PRESS-01" in text and "Presse Ø 250 t" in text
    page = render_pages(pdf)[0]
    for slot, label in enumerate(labels, start=1):
        found = decode(crop_mm(page, 300, *slot_rect_mm(fmt, slot)))
        assert {t for _f, t in found} == {label.barcode} and ("Code128", label.barcode) in found
    with pytest.raises(NotFound):
        mro.asset_labels(sqlite_db, [press.id, 999])
