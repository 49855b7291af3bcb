"""The hub's bounds on every connection: queue sizes, rates, timeouts, phones per ticket."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.lockout import LockoutPolicy

__all__ = ["HubLimits"]


@dataclass(frozen=True, slots=True)
class HubLimits:
    """Every bound the hub enforces, in one place (docs/protocol.md lists the defaults)."""

    hello_timeout_s: float = 10.0
    # Frames queued for one client before it counts as too slow. A TV gets a few frames per call;
    # a floor snapshot is one frame. 512 is minutes of a busy day's events.
    send_queue_max: int = 512
    # Requests per second per connection, with bursts; a person presses a few buttons a second.
    rate_per_s: float = 20.0
    rate_burst: float = 40.0
    # Refused (rate-limited) frames tolerated, refilling at abuse_refill_per_s, before closing 1008.
    abuse_budget: float = 50.0
    abuse_refill_per_s: float = 1.0
    # websockets' keepalive: a ping this often, and a peer whose pong does not come within the
    # timeout is closed (1011) and forgotten: its seat and its device's presence are freed.
    ping_interval_s: float | None = 20.0
    ping_timeout_s: float | None = 20.0
    # How long closing a client may wait for its socket before cutting it.
    close_timeout_s: float = 5.0
    # Replay at most this many events; further behind gets a snapshot.
    replay_limit: int = 10_000
    # While catching up, a client that reads nothing for this long is dropped (4008).
    catch_up_stall_s: float = 10.0
    # A snapshot waits (at most this long) until no command is between core and disk, so that
    # the state it shows is exactly the committed state at its sequence number.
    snapshot_quiet_s: float = 1.0
    lines_flush_s: float = 0.25
    lines_refresh_s: float = 15.0
    # Phone pages open on one ticket at once. The QR code is printed on paper that others can
    # see or photograph: without a bound, one ticket's token would open connections without
    # end. A fifth phone replaces the oldest (4009), so the citizen's own newest phone always
    # gets in and a copied token cannot shut them out.
    phones_per_ticket: int = 4
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    # websockets' write buffer high-water mark per connection (bytes) before send() waits.
    write_limit: int = 32 * 1024
    # Kernel send buffer per client socket; None leaves the OS default. Tests shrink it so that
    # a client that stops reading is noticed after a few frames instead of a few megabytes.
    socket_send_buffer: int | None = None
