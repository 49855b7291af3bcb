"""A PostgreSQL server of our own, in a directory of our own: for the tests and `make run-central`.

Debian's `postgresql` package (scripts/system-deps.sh installs it) keeps its programs in
/usr/lib/postgresql/<version>/bin, off PATH; `find_bindir` looks there (the newest version), then
on PATH. `LocalPostgres` runs `initdb` into `root/data` and starts the server with `pg_ctl` on
127.0.0.1 at a given port, its socket in `root` too, so it touches nothing of the machine's own
cluster. PostgreSQL refuses to run as root: as root (CI) every program runs as `nobody` through
`runuser`, and `root` is handed to `nobody` first; as anyone else, as that user.

The server trusts local connections (`-A trust`) and runs with `fsync=off`: it is a test's or a
demo's database, thrown away with its directory. Commits are still synchronous
(`synchronous_commit` stays on), so a commit that was answered survives the server being killed:
what central's restart tests rely on.
"""

from __future__ import annotations

import glob
import os
import pwd
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
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", UNPRIVILEGED, "--"]

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname}"

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
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
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
