"""`antre server` as an operator runs it: a real process, stopped cleanly by SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path


def test_server_process_serves_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """The server answers /healthz, and SIGTERM stops it with exit code 0 and a stop log line.
    A plain HTTP request leaves nothing in the log (websockets' two INFO lines per request, which
    a booking storm turned into 20,000: docs/benchmarks.md)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "server",
            "--db",
            str(tmp_path / "a.db"),
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        port = None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            m = re.search(r"serving .* on ws://127\.0\.0\.1:(\d+)/ws", line)
            if m:
                port = int(m.group(1))
                break
        assert port, "".join(lines)
        for _ in range(3):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                assert json.load(resp)["building"] == "MPP Kota Contoh"
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        assert proc.wait(timeout=20) == 0, rest
        assert "stopped" in rest
        assert "HTTP response sent" not in rest and "connection closed" not in rest, rest
        assert "Traceback" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
