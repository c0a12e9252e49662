"""`storeroom init`, `upgrade`, `demo`, `backup` and `restore`: creating, upgrading, filling and backing
up the database itself.

Only the standard library at the top; each command imports what it needs (see `main`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.opening import open_db
from desktop.errors import UserError


def cmd_init(args: argparse.Namespace) -> int:
    from desktop import schema

    database, actor = open_db(args)
    print(
        f"{database.description} is ready (schema {schema.current_revision(database)}); "
        f"user {actor.user_name} is {actor.role.value}."
    )
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    from desktop import config, schema
    from desktop import db as dbmod

    database = dbmod.Database(config.database_url(args.db))
    before = schema.current_revision(database)
    backup = schema.upgrade(database, backup=not args.skip_dump)
    print(
        f"schema {before or 'empty'} -> {schema.current_revision(database)}"
        + (f" (backup: {backup})" if backup else "")
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.services import demo

    database, actor = open_db(args)
    count = demo.load_demo(database, actor, parts=args.parts)
    print(f"demo plant loaded: {count} parts, locations, suppliers, stock and history")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop import config
    from desktop import db as dbmod

    database = dbmod.Database(config.database_url(args.db))
    target = dbmod.backup_sqlite(database, target=Path(args.to) if args.to else None)
    print(f"backup written to {target}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop.backups import check_backup, restore_sqlite

    source = Path(args.file)
    revision = check_backup(source)
    if not args.yes:
        raise UserError(
            f"{source.name} (schema {revision}) would replace the current database. "
            "Add --yes to go ahead; a copy of the current database is kept in the backups folder."
        )
    database, actor = open_db(args)  # an administrator of the database being replaced
    safety = restore_sqlite(database, source, actor)
    print(f"restored {source}; the previous database is kept as {safety}")
    return 0
