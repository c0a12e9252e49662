"""The service layer behind the main window's first screens, imported by desktop.app before Qt.

Nothing here runs: importing these modules early is the point. PySide6 reads the source of every
module imported after it (desktop/app.py says why that matters); tests/test_import_order.py fails
when a service module the window needs at start is first imported after PySide6, naming it to add here.
"""

from __future__ import annotations

import desktop.services.admin.audit
import desktop.services.catalogue.parts_list
import desktop.services.catalogue.scan
import desktop.services.changes
import desktop.services.stock.history
import desktop.services.stock.usual_qty  # noqa: F401
