"""A throw-away PostgreSQL server for the tests and the benchmark: ``initdb`` in a temporary
folder, ``postgres`` on a free port and a socket in that folder, stopped and removed after.

PostgreSQL refuses to run as root; when the tests run as root (CI does), the server runs as
the ``postgres`` user of the system package, and the folder is given to it.

The server dies with the test process however that ends (tests/reaper.py): a run killed by a
time limit leaves no server behind. Under pytest-xdist each worker starts its own, on its
own port and in its own folder.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.reaper import Reaper

INSTALL = "apt-get install postgresql"
ENV_REQUIRE = "INVENTORY_REQUIRE_POSTGRES"
PASSWORD = "s3cret-Pa55"
"""The password of the role ``officer``, which must log in with one (over TCP)."""


def binaries() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``/``postgres``: on PATH, else Debian's
    /usr/lib/postgresql/N/bin (the newest), which the package does not put on PATH."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(versions[-1]).parent if versions else None


def missing_reason() -> str | None:
    """Why the server cannot be started here, or None."""
    if binaries() is None:
        return f"PostgreSQL server binaries (initdb, pg_ctl) not found; install them: {INSTALL}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return f"running as root and there is no 'postgres' user to run the server; {INSTALL}"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One server; :meth:`url` names a database on it (over the socket, as a trusted
    superuser), :meth:`tcp_url` over TCP for the password tests."""

    def __init__(self, *, fast: bool = True) -> None:
        self.bin = binaries()
        assert self.bin is not None
        self.root = Path(tempfile.mkdtemp(prefix="inventory-pg-"))
        self.data = self.root / "data"
        # Started before the server, so a run killed during initdb leaves no folder either.
        self.reaper = Reaper(pidfile=self.data / "postmaster.pid", folder=self.root)
        self.removed = False
        atexit.register(self.remove)
        self.port = free_port()
        self.fast = fast
        self.as_user: list[str] = []
        self.user = "inventory_test"
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self.as_user = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}",
                            "--init-groups", "--"]  # fmt: skip
        self.log = self.root / "server.log"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, *argv],
            check=check,
            capture_output=True,
            text=True,
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )

    def init(self) -> None:
        assert self.bin is not None
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth-local=trust",
            "--auth-host=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        hba = self.data / "pg_hba.conf"
        # The officer logs in with a password over TCP; everyone else is trusted.
        hba.write_text(
            "local all all trust\n"
            "host all officer 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n"
        )
        settings = [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.root}'",
            "max_connections = 120",
            "log_min_messages = warning",
        ]
        if self.fast:
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n".join(settings) + "\n")

    def start(self) -> None:
        assert self.bin is not None
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        assert self.bin is not None
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check=False)  # fmt: skip

    def remove(self) -> None:
        if self.removed:
            return
        self.removed = True
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self.reaper.release()
        atexit.unregister(self.remove)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@/{database}?host={self.root}&port={self.port}"

    def tcp_url(self, database: str, user: str = "officer", password: str | None = None) -> str:
        secret = f":{password}" if password is not None else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres") -> object:
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def create_database(self, name: str, template: str = "template0", owner: str = "") -> str:
        owned = f' OWNER "{owner}"' if owner else ""
        with contextlib.closing(self.admin()) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{owned}')  # type: ignore[attr-defined]
        return self.url(name)

    def create_officer(self) -> None:
        with contextlib.closing(self.admin()) as connection:
            connection.execute(  # type: ignore[attr-defined]
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'officer') "
                f"THEN CREATE ROLE officer LOGIN PASSWORD '{PASSWORD}'; END IF; END $$"
            )

    def wait_ready(self, timeout: float = 30.0) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def start_server(*, fast: bool = True, tries: int = 3) -> Server:
    """A running server. The free port is only free when asked: another xdist worker may
    take it before the server binds it, so a failed start is tried again on a new port."""
    for attempt in range(tries):
        server = Server(fast=fast)
        try:
            server.init()
            server.start()
        except subprocess.CalledProcessError as error:
            log = server.log.read_text() if server.log.exists() else ""
            server.remove()
            if attempt + 1 < tries and "could not bind" in log:
                continue
            raise RuntimeError(
                f"could not start PostgreSQL: {error.stderr}{error.stdout}{log}"
            ) from None
        return server
    raise AssertionError("unreachable")
