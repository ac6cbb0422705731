"""Run a command against a throwaway PostgreSQL server on the loopback address.

    python -m scripts.pg_test_server [--require] -- COMMAND [ARG ...]

Starts a fresh cluster (Debian's PostgreSQL binaries) in a temporary directory on 127.0.0.1 and a free
port, creates the role ``presslens`` (a random password, never written to the repository or a log) owning
the database ``presslens_test``, then runs COMMAND with ``PRESSLENS_TEST_PG`` and ``PGPASSWORD`` set, so
that the test suite opens every store on PostgreSQL (docs/store.md). The server and its directory are
removed afterwards, whatever COMMAND did; the exit status is COMMAND's.

Run as root (as in CI), the cluster belongs to the ``postgres`` user, because ``initdb`` refuses root.
Without PostgreSQL's binaries it prints why and exits 0, or 2 with ``--require`` (what CI passes).
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROLE = "presslens"
DATABASE = "presslens_test"
SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """Return the directory of the newest PostgreSQL server binaries on this machine, or None."""
    found = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        version = Path(initdb).parent.parent.name
        if version.isdigit():
            found.append((int(version), Path(initdb).parent))
    if found:
        return max(found)[1]
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path and shutil.which("pg_ctl") else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner() -> tuple[Callable[[], None] | None, int | None]:
    """Return a pre-exec hook running a server command as ``postgres`` when we are root, and that uid."""
    if os.geteuid() != 0:
        return None, None
    try:
        owner = pwd.getpwnam(SUPERUSER)
    except KeyError as exc:
        raise SystemExit(f"pg_test_server: running as root needs the '{SUPERUSER}' user to own the cluster") from exc

    def demote() -> None:
        os.setgid(owner.pw_gid)
        os.setgroups([])
        os.setuid(owner.pw_uid)

    return demote, owner.pw_uid


def _run(args: Sequence[str], demote: Callable[[], None] | None, log: Path) -> None:
    with log.open("a") as out:
        done = subprocess.run(list(args), preexec_fn=demote, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode:
        raise RuntimeError(f"{Path(args[0]).name} failed (exit {done.returncode}); its output: {log}")


def start(bindir: Path, workdir: Path) -> tuple[int, str, str]:
    """Create and start a cluster in ``workdir``; return its port, the superuser's and the role's passwords."""
    demote, uid = _as_owner()
    if uid is not None:
        os.chown(workdir, uid, -1)
    log = workdir / "server.log"
    log.touch()
    superpass, rolepass = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    pwfile = workdir / "superuser-password"
    pwfile.write_text(superpass + "\n")
    pwfile.chmod(0o600)
    if uid is not None:
        os.chown(pwfile, uid, -1)
        os.chown(log, uid, -1)
    data = workdir / "data"
    _run([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "scram-sha-256",
          f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8"], demote, log)
    pwfile.unlink()
    port = free_port()
    options = (f"-h 127.0.0.1 -p {port} -k {workdir} -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")
    _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"], demote, log)
    return port, superpass, rolepass


def prepare(port: int, superpass: str, rolepass: str) -> None:
    """Create the test role and its database (and unaccent, which only a superuser may create)."""
    import psycopg  # the project's PostgreSQL driver (requirements.txt)
    from psycopg import sql

    admin = dict(host="127.0.0.1", port=port, user=SUPERUSER, password=superpass, autocommit=True)
    with psycopg.connect(dbname="postgres", **admin) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
            sql.Identifier(ROLE), sql.Literal(rolepass)))
        conn.execute(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
    with psycopg.connect(dbname=DATABASE, **admin) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


def stop(bindir: Path, workdir: Path) -> None:
    demote, _ = _as_owner()
    subprocess.run([str(bindir / "pg_ctl"), "-D", str(workdir / "data"), "-m", "immediate", "-w", "stop"],
                   preexec_fn=demote, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.pg_test_server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--require", action="store_true", help="exit 2 when PostgreSQL is not installed")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run (after --)")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    bindir = find_bindir()
    if bindir is None:
        print("pg_test_server: PostgreSQL's server binaries are not installed (Debian: apt-get install "
              "postgresql); the PostgreSQL run is skipped", file=sys.stderr)
        return 2 if args.require else 0
    workdir = Path(tempfile.mkdtemp(prefix="presslens-pg-"))
    try:
        port, superpass, rolepass = start(bindir, workdir)
        prepare(port, superpass, rolepass)
        env = dict(os.environ, PGPASSWORD=rolepass,
                   PRESSLENS_TEST_PG=f"postgresql://{ROLE}@127.0.0.1:{port}/{DATABASE}")
        print(f"pg_test_server: PostgreSQL ({bindir.parent.name}) on 127.0.0.1:{port}, database {DATABASE}",
              file=sys.stderr, flush=True)
        return subprocess.run(command, env=env, check=False).returncode
    except RuntimeError as exc:
        print(f"pg_test_server: {exc}", file=sys.stderr)
        return 2
    finally:
        stop(bindir, workdir)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
