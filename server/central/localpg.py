"""A PostgreSQL server of our own, in a directory of our own: for the tests and `make run-central`.

Debian's `postgresql` package (scripts/system-deps.sh installs it) keeps its programs in
/usr/lib/postgresql/<version>/bin, off PATH; `find_bindir` looks there (the newest version), then
on PATH. `LocalPostgres` runs `initdb` into `root/data` and starts the server with `pg_ctl` on
127.0.0.1 at a given port, its socket in `root` too, so it touches nothing of the machine's own
cluster. PostgreSQL refuses to run as root: as root (CI) every program runs as `nobody` through
`runuser`, and `root` is handed to `nobody` first; as anyone else, as that user.

Connections need the superuser's password (`-A scram-sha-256`), made at `initdb` from 32
random bytes and kept in `root/password` (mode 0600, beside the data directory): another user
of the machine reaching 127.0.0.1 cannot log in. (A data directory made before this, with
`-A trust` and no password file, is used as it is.) It runs with `fsync=off`: it is a test's or
a demo's database, thrown away with its directory. Commits are still synchronous
(`synchronous_commit` stays on), so a commit that was answered survives the server being killed:
what central's restart tests rely on.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Final

__all__ = ["LocalPostgres", "PostgresMissing", "find_bindir", "free_port"]

SUPERUSER: Final = "postgres"
UNPRIVILEGED: Final = "nobody"  # who runs the server when we are root


class PostgresMissing(RuntimeError):
    """No PostgreSQL programs on this machine."""


def find_bindir() -> Path:
    """The directory of `initdb`, `pg_ctl` and `postgres`: Debian's newest, else PATH's."""

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.parent.name  # /usr/lib/postgresql/<15>/bin/initdb
        return tuple(int(x) for x in name.split(".") if x.isdigit())

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresMissing(
        "PostgreSQL is not installed: run `make system-deps` (Debian's `postgresql` package)"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    """One PostgreSQL server in `root` (data directory, socket, log), on 127.0.0.1:`port`."""

    def __init__(self, root: Path, port: int, bindir: Path | None = None) -> None:
        self.root = Path(root)
        self.port = port
        self.bindir = bindir or find_bindir()
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self.password_file = self.root / "password"
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", UNPRIVILEGED, "--"]

    def dsn(self, dbname: str = "postgres") -> str:
        dsn = f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname}"
        if self.password_file.exists():
            dsn += f" password={self.password_file.read_text().strip()}"  # hex: no quoting
        return dsn

    def _run(self, program: str, *args: str) -> None:
        cmd = [*self._as, str(self.bindir / program), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.logfile.read_text() if self.logfile.exists() else ""
            raise RuntimeError(
                f"{program} failed ({done.returncode}): {done.stderr or done.stdout}\n{log[-2000:]}"
            )

    def init(self) -> None:
        """Make the data directory (once: an existing one is kept)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as:
            entry = pwd.getpwnam(UNPRIVILEGED)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        if (self.data / "PG_VERSION").exists():
            return
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        if self._as:  # initdb (as nobody) reads it
            os.chown(self.password_file, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            f"--pwfile={self.password_file}",
            "-A",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l",
                  str(self.logfile), "-o", options)  # fmt: skip

    def running(self) -> bool:
        cmd = [*self._as, str(self.bindir / "pg_ctl"), "status", "-D", str(self.data)]
        return subprocess.run(cmd, capture_output=True, check=False).returncode == 0

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" (clean) or "immediate" (as if killed: recovery at start)."""
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-D", str(self.data), "-m", mode)

    def restart(self, mode: str = "immediate") -> None:
        self.stop(mode)
        self.start()
