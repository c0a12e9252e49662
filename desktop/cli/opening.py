"""How every `storeroom` command opens the database and finds who is acting: one helper, shared by the
command modules and handed to the sub-command parsers (`add_parser(sub, open_db)`).

Only the standard library at the top, as in `main`: the database and the services are imported when a
command runs.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop import db as dbmod
    from desktop.services.actor import Actor


def open_db(args: argparse.Namespace) -> tuple[dbmod.Database, Actor]:
    from desktop import config
    from desktop import db as dbmod
    from desktop.services.admin.script_access import script_actor

    database = dbmod.open_database(config.database_url(args.db))
    return database, script_actor(database, args.user, os.environ.get("STOREROOM_PIN"))
