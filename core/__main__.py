"""``python -m core``: the store's own chores (a team's store on PostgreSQL: docs/store.md).

``move --from PATH --to URL`` copies an SQLite store into an empty PostgreSQL store (or another empty
store), losing nothing, in bounded memory; ``roles --db URL --reader NAME --writer NAME`` creates a
role that may only read (the dashboard's) and one that may write (collectors and scorers).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from core.cli import add_verbose, run_cli
from core.settings import Settings
from core.store import MOVE_BLOCK_ROWS, Store, move_store


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    move = commands.add_parser("move", help="copy a store into an empty one (e.g. SQLite to PostgreSQL)")
    move.add_argument("--from", dest="source", required=True, help="the store to copy (read only)")
    move.add_argument("--to", dest="target", required=True,
                      help="the empty store to fill: postgresql://[USER@]HOST[:PORT]/DB (password from "
                           "PGPASSWORD or ~/.pgpass) or a new SQLite path")
    move.add_argument("--block-rows", type=int, default=MOVE_BLOCK_ROWS, help="rows read and written at a time")
    add_verbose(move)
    roles = commands.add_parser("roles", help="create a read-only role and a writer role on a PostgreSQL store")
    roles.add_argument("--db", help="the PostgreSQL store (default: $PRESSLENS_DB)")
    roles.add_argument("--reader", default="presslens_reader", help="the role that may only read (the dashboard)")
    roles.add_argument("--writer", default="presslens_writer", help="the role that may write (collect, run)")
    add_verbose(roles)
    return parser


def _move(args: argparse.Namespace) -> int:
    settings = Settings.load({"db": args.target})  # refuses a password in the URL before anything opens
    with Store.open_with(settings, path=args.source, readonly=True) as source, Store.open_with(settings) as target:
        counts = move_store(source, target, block_rows=max(1, args.block_rows))
    print(f"moved {counts['articles']:,} articles, {counts['score_values']:,} scores, "
          f"{counts['evidence_packs']:,} evidence records and {sum(counts.values()):,} rows in all "
          f"from {args.source} to {target.path}")
    return 0


def _roles(args: argparse.Namespace) -> int:
    settings = Settings.load({"db": args.db})
    with Store.open_with(settings) as store:
        store.grant_roles(args.reader, args.writer)
    print(f"{args.reader} may read {store.path}; {args.writer} may read and write it "
          "(set their passwords with ALTER ROLE ... PASSWORD, or in pg_hba.conf)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(build_parser(), argv, lambda args: _move(args) if args.command == "move" else _roles(args))


if __name__ == "__main__":
    raise SystemExit(main())
