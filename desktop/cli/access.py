"""`storeroom audit verify`, `storeroom users unlock`, `storeroom access-settings` and
`storeroom server setup-roles`: the administrator's side of access and the audit trail."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import URL, make_url

from desktop import config
from desktop import db as dbmod
from desktop.quantities import parse_decimal
from desktop.services.actor import Actor, Permission
from desktop.services.admin import audit, users
from desktop.services.admin.access_settings import access_settings, money, save_access
from desktop.services.admin.server_roles import setup_runtime_role

Opener = Callable[[argparse.Namespace], tuple[dbmod.Database, Actor]]
RUNTIME_PASSWORD_ENV = "STOREROOM_RUNTIME_PASSWORD"


def _verify(database: dbmod.Database, actor: Actor, _args: argparse.Namespace) -> int:
    report = audit.verify(database, actor)
    if report.first_break is None:
        print(f"audit trail intact: {report.rows:,} rows, each chained to the one before")
        print(f"last hash {report.last_hash} (note it: a later check that ends elsewhere lost rows)")
        return 0
    print(
        f"audit trail BROKEN at row #{report.first_break.row_id}: {report.first_break.problem} "
        f"(checked {report.rows:,} rows)"
    )
    return 1


def _unlock(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    if args.list or (args.name is None and args.pc is None):
        locks = users.locked_out(database, actor)
        for lock in locks:
            what = "account" if lock.scope == "user" else "PC"
            print(f"{what:<8} {lock.key:<30} locked {lock.locked_at:%Y-%m-%d %H:%M} after {lock.failures}")
        print(f"{len(locks)} locked")
        return 0
    users.unlock(database, actor, user_name=args.name, pc=args.pc)
    print(f"unlocked {'account ' + args.name if args.name else 'PC ' + args.pc}")
    return 0


def _settings(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    current = access_settings(database)
    changed = current
    if args.adjust_limit is not None:
        limit = parse_decimal(args.adjust_limit, what="adjustment value limit", allow_zero=True)
        changed = replace(changed, adjust_value_limit=limit)
    if args.pin_failures is not None:
        changed = replace(changed, pin_failures=args.pin_failures)
    if args.pc_failures is not None:
        changed = replace(changed, pc_failures=args.pc_failures)
    if changed != current:
        actor.require(Permission.ADMIN)
        current = save_access(database, actor, changed)
    print(
        f"adjust-limit  {money(Decimal(current.adjust_value_limit))}  "
        "(a keeper's adjustment worth more needs a supervisor)"
    )
    print(f"pin-failures  {current.pin_failures}  (wrong PINs in a row that lock an account)")
    print(f"pc-failures   {current.pc_failures}  (failed sign-ins in a row that lock a PC)")
    return 0


def cmd_setup_roles(args: argparse.Namespace) -> int:
    """As the schema owner: create or update the clients' runtime role and grant it its rights."""
    database = dbmod.open_database(config.database_url(args.db))
    password = os.environ.get(RUNTIME_PASSWORD_ENV)
    if password is None and sys.stdin.isatty():
        password = (
            getpass.getpass(f"Password for {args.runtime_role} (empty: keep the current one): ") or None
        )
    try:
        created = setup_runtime_role(database, args.runtime_role, password)
        owner = make_url(database.url)  # shown without any password (URL.set keeps one given None)
        url = URL.create("postgresql", args.runtime_role, None, owner.host, owner.port, owner.database)
    finally:
        database.dispose()
    print(
        f"{'created' if created else 'updated'} {args.runtime_role}: append-only on the ledger and the audit "
        "trail, read-only on accounts, no schema changes"
    )
    print(f"clients connect with: {url.render_as_string()} (and that role's password)")
    return 0


def add_parser(sub: argparse._SubParsersAction, opener: Opener) -> None:
    def with_actor(fn: Callable[[dbmod.Database, Actor, argparse.Namespace], int]) -> Callable[..., int]:
        return lambda args: fn(*opener(args), args)

    au = sub.add_parser("audit", help="the audit trail")
    ausub = au.add_subparsers(dest="audit_command", required=True)
    ausub.add_parser("verify", help="prove the audit trail's hash chain unbroken").set_defaults(
        fn=with_actor(_verify)
    )
    us = sub.add_parser("users", help="user accounts")
    ussub = us.add_subparsers(dest="users_command", required=True)
    un = ussub.add_parser("unlock", help="unlock an account or a PC locked by wrong PINs (admin)")
    un.add_argument("name", nargs="?", help="user name")
    un.add_argument("--pc", help="computer name, as shown in the lock-out message")
    un.add_argument("--list", action="store_true", help="list what is locked")
    un.set_defaults(fn=with_actor(_unlock))
    ac = sub.add_parser("access-settings", help="show or set the adjustment limit and the lock-out limits")
    ac.add_argument("--adjust-limit", help="value a keeper's adjustment may have without a supervisor")
    ac.add_argument("--pin-failures", type=int, help="wrong PINs in a row that lock an account")
    ac.add_argument("--pc-failures", type=int, help="failed sign-ins in a row that lock a PC")
    ac.set_defaults(fn=with_actor(_settings))
    sv = sub.add_parser("server", help="shared PostgreSQL server administration (as the schema owner)")
    svsub = sv.add_subparsers(dest="server_command", required=True)
    sr = svsub.add_parser(
        "setup-roles",
        help=f"create/grant the clients' runtime role (password from {RUNTIME_PASSWORD_ENV} or asked)",
    )
    sr.add_argument("--runtime-role", required=True, help="PostgreSQL role the clients log in as")
    sr.set_defaults(fn=cmd_setup_roles)
