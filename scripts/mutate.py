"""`make mutate`: mutation testing of the modules whose mistakes hurt citizens most.

mutmut 3 (configured in pyproject.toml, [tool.mutmut]) copies `server/` and `tests/` into
mutants/ and mutates the functions of the listed files there; this script runs it one module at a
time, smallest first, then prints each module's score and every mutant that survived, with the
time each module took. The figures go to var/mutate/last.json as well (docs/testing.md quotes
them). mutmut remembers its verdicts: a second run tests only the mutants of changed functions
(a new test does not make it test a survivor again: `--retest` does); `make mutate-clean` forgets
them all.

    python scripts/mutate.py                 # every module, 1 child (the machine is shared)
    python scripts/mutate.py policy waitlist  # some modules (names below)
    python scripts/mutate.py --report        # print the last verdicts, run nothing
    python scripts/mutate.py --retest auth   # test last time's survivors again (new tests)
    MUTATE_JOBS=2 python scripts/mutate.py   # more children

mutmut 3 mutates code inside functions only. The tables at module level (the role table
`roles.ALLOWED`, the transition tables) are not mutated: independent tests that write each table
out from the docs hold them (docs/testing.md, "Independent oracles").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = ROOT / ".venv" / "bin" / "mutmut"
RECORD = ROOT / "var" / "mutate" / "last.json"

# name -> (file, mutant name patterns). Smallest first. For the voice only the number words and
# the call sentence are in scope (not the WAV helpers, espeak-ng or the cache).
_VOICE_FUNCS = (
    "_below_thousand",
    "terbilang",
    "spell_digits",
    "read_ticket_number",
    "read_counter_label",
    "desk_words",
    "call_phrase",
)
MODULES: dict[str, tuple[str, list[str]]] = {
    "numbering": ("server/core/numbering.py", ["server.core.numbering.*"]),
    "transitions": ("server/core/transitions.py", ["server.core.transitions.*"]),
    "calendar": ("server/core/calendar.py", ["server.core.calendar.*"]),
    "issuing": ("server/core/issuing.py", ["server.core.issuing.*"]),
    "roles": ("server/roles.py", ["server.roles.*"]),
    "auth": ("server/auth.py", ["server.auth.*"]),
    "lockout": ("server/lockout.py", ["server.lockout.*"]),
    "policy": ("server/core/policy.py", ["server.core.policy.*"]),
    "calling_order": ("server/core/calling_order.py", ["server.core.calling_order.*"]),
    "guard": ("server/core/guard.py", ["server.core.guard.*"]),
    "waitlist": ("server/core/waitlist.py", ["server.core.waitlist.*"]),
    "queue": ("server/core/queue.py", ["server.core.queue.*"]),
    "figures": ("server/core/figures.py", ["server.core.figures.*"]),
    "state": ("server/core/state.py", ["server.core.state.*"]),
    "decide": ("server/core/decide.py", ["server.core.decide.*"]),
    "voice": (
        "server/web/voice.py",
        [f"server.web.voice.x_{name}__mutmut_*" for name in _VOICE_FUNCS],
    ),
}

KILLED = {1, 3, 36, 37, 24, -24, 152, 255}  # a failing test, pytest error, timeout, type check
LABELS = {0: "survived", 5: "no tests", 33: "no tests", None: "not checked"}


def _matches(name: str, patterns: list[str]) -> bool:
    from fnmatch import fnmatch

    return any(fnmatch(name, p) for p in patterns)


def verdicts(module: str) -> dict[str, int | None]:
    """mutant name -> mutmut's exit code, for the mutants of one module in scope."""
    path, patterns = MODULES[module]
    meta = ROOT / "mutants" / (path + ".meta")
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {k: v for k, v in codes.items() if _matches(k, patterns)}


def run(module: str, jobs: int, retest: bool = False) -> float:
    """Run mutmut on one module; `retest`: only the mutants not killed last time, again."""
    _, patterns = MODULES[module]
    if retest:
        patterns = [n for n, c in verdicts(module).items() if c not in KILLED] or patterns
    started = time.monotonic()
    proc = subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(jobs), *patterns],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    took = time.monotonic() - started
    # A module without a mutable function (numbering: two f-strings) matches nothing.
    if proc.returncode != 0 and "nothing matches" not in proc.stdout:
        print(proc.stdout[-4000:])
        raise SystemExit(f"mutmut failed on {module} (exit {proc.returncode})")
    return took


def report(modules: list[str], times: dict[str, float]) -> int:
    total_killed = total = 0
    rows = []
    survivors: list[tuple[str, str]] = []
    for module in modules:
        codes = verdicts(module)
        killed = sum(1 for c in codes.values() if c in KILLED)
        total_killed += killed
        total += len(codes)
        score = f"{100 * killed / len(codes):5.1f} %" if codes else "    –  "
        took = times.get(module)
        rows.append((module, len(codes), killed, score, f"{took:7.0f} s" if took else "      –"))
        survivors += [(n, LABELS.get(c, str(c))) for n, c in codes.items() if c not in KILLED]
    print(f"{'module':<12} {'mutants':>7} {'killed':>7} {'score':>8} {'time':>9}")
    for module, n, killed, score, took in rows:
        print(f"{module:<12} {n:>7} {killed:>7} {score:>8} {took:>9}")
    if total:
        print(f"{'all':<12} {total:>7} {total_killed:>7} {100 * total_killed / total:6.1f} %")
    if survivors:
        print(f"\n{len(survivors)} mutants not killed (see one: .venv/bin/mutmut show NAME):")
        for name, label in survivors:
            print(f"  {label:<12} {name}")
    return 0


def main(argv: list[str]) -> int:
    only_report = "--report" in argv
    retest = "--retest" in argv
    names = [a for a in argv if not a.startswith("--")] or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        raise SystemExit(f"unknown module(s) {unknown}; known: {', '.join(MODULES)}")
    jobs = int(os.environ.get("MUTATE_JOBS", "1"))
    record = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    times: dict[str, float] = record.get("seconds", {})
    if not only_report:
        for module in names:
            print(f"mutating {module} …", flush=True)
            took = run(module, jobs, retest)
            if not retest:  # a retest's time is not the module's
                times[module] = took
            print(f"  {took:.0f} s", flush=True)
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        scores = {m: verdicts(m) for m in MODULES}
        RECORD.write_text(
            json.dumps(
                {
                    "seconds": times,
                    "jobs": jobs,
                    "killed": {m: sum(c in KILLED for c in v.values()) for m, v in scores.items()},
                    "mutants": {m: len(v) for m, v in scores.items()},
                },
                indent=1,
            )
        )
    print()
    return report(names, times)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
