"""A throwaway PostgreSQL server for tests and benchmarks: initdb and pg_ctl in a temporary dir.

It listens on 127.0.0.1 on a free port only (no Unix socket elsewhere, no network), trusts local
connections and skips fsync: the tests measure the bot, not the disk. ``initdb`` refuses to run
as root, so as root the server runs as the ``postgres`` system user (``runuser``), which the
Debian package creates. When the server programs are missing, ``PostgresMissing`` says how to
install them: the tests fail loudly rather than skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

INSTALL_HINT = ("PostgreSQL's server programs (initdb, pg_ctl) were not found. Install them: "
                "`apt-get install postgresql` (Debian/Ubuntu; .ci/run does this), or put "
                "their directory on PATH, or set PG_BIN=/usr/lib/postgresql/15/bin.")
SERVER_USER = "postgres"


class PostgresMissing(RuntimeError):
    """The server programs are not installed."""


def server_bin() -> Path:
    """The directory of ``initdb`` and ``pg_ctl`` (PG_BIN, PATH, or Debian's layout)."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                    key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                    else 0, reverse=True)
    candidates += [Path(p) for p in debian]
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    raise PostgresMissing(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user() -> list[str]:
    """The prefix that runs a command as a user initdb accepts (root is refused)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresMissing(f"Running as root, and there is no '{SERVER_USER}' user to run "
                              f"the test server as. {INSTALL_HINT}") from None
    return ["runuser", "-u", SERVER_USER, "--"]


class PostgresServer:
    """One server; ``url(name)`` addresses a database on it, ``create_database`` makes one."""

    def __init__(self) -> None:
        self.bin = server_bin()
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="thidua-pg-"))
        self.data = self.root / "data"
        self._prefix = _as_server_user()
        self._databases = 0

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._prefix, *args], capture_output=True, text=True,
                                cwd=self.root)
        if result.returncode:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}):\n{result.stdout}\n"
                               f"{result.stderr}")

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; return once it accepts connections."""
        if self._prefix:
            shutil.chown(self.root, SERVER_USER, SERVER_USER)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories='{self.root}' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-o", options, "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        with contextlib.suppress(RuntimeError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """A connection URL for ``database`` on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; return its URL."""
        import psycopg

        self._databases += 1
        name = f"{prefix}{os.getpid()}_{self._databases}_{int(time.time() * 1000) % 100000}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A started server, stopped at the end."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()
