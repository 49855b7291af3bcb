// The citizen's phone page (/t/<token>): keeps the server-rendered status live.
//
// Connects to the websocket with the read-only `ticket` role and the token of this page's URL,
// shows the snapshot's and then every `ticket` push's view of the ticket, pings every 15 s
// (browsers send no keepalive of their own) and reconnects with backoff. The token is read from
// the URL only; no frame carries it back. Text goes in with textContent only.
(function () {
  "use strict";

  var root = document.getElementById("ticket");
  if (!root) return;
  var labels = {};
  try {
    labels = JSON.parse(root.getAttribute("data-labels") || "{}");
  } catch (e) {
    labels = {};
  }
  var token = decodeURIComponent(location.pathname.replace(/^\/t\//, "").replace(/\/+$/, ""));
  var PING_MS = 15000;
  var SILENCE_MS = 45000; // no frame for this long (pongs included): the link is dead
  var FATAL = { 4001: true, 4002: true, 4003: true, 4009: true };

  var live = (window.antreTicket = {
    connected: false,
    syncs: 0,
    frames: 0,
    view: null,
    closed: null, // the close code that stopped the page for good
  });
  var ws = null;
  var backoffMs = 1000;
  var pingTimer = null;
  var retryTimer = null;
  var lastFrameAt = 0;
  var pingId = 0;

  function el(id) {
    return document.getElementById(id);
  }

  function setText(id, text) {
    var node = el(id);
    if (node && node.textContent !== text) node.textContent = text;
  }

  function show(id, visible) {
    var node = el(id);
    if (node) node.hidden = !visible;
  }

  function status(text, ok) {
    setText("status", text);
    root.setAttribute("data-live", ok ? "true" : "false");
  }

  function render(view) {
    if (!view) return;
    var before = live.view;
    live.view = view;
    root.setAttribute("data-state", view.state);
    setText("number", view.number);
    var label = labels[view.state] || view.state;
    if (view.counter_name) label += " — " + view.counter_name;
    setText("state", label);
    setText("line-name", view.line_name);
    setText("agency", view.agency || "—");
    var called = view.state === "called" && view.counter_name;
    setText("called", called ? "Nomor Anda sedang dipanggil ke " + view.counter_name : "");
    show("called", !!called);
    var queued = view.people_ahead !== null && view.people_ahead !== undefined;
    setText("ahead", queued ? view.people_ahead + " orang" : "");
    // No figure while no counter serving the line is open (estimated_wait_s null): the page
    // says so in the server's words (data-no-counter), as the printed ticket does.
    var wait = "";
    if (queued && typeof view.estimated_wait_s === "number") {
      wait = "± " + Math.max(1, Math.round(view.estimated_wait_s / 60)) + " menit";
    } else if (queued) {
      wait = root.getAttribute("data-no-counter") || "";
    }
    setText("wait", wait);
    show("ahead-row", queued);
    show("wait-row", queued && wait !== "");
    setText("priority-note", view.priority_note || "");
    show("priority-note", !!view.priority_note);
    document.title = (called ? "DIPANGGIL — " : "") + "Antrean " + view.number;
    var newCall = called && (!before || before.state !== "called" || before.calls !== view.calls);
    if (newCall && before && navigator.vibrate) {
      try {
        navigator.vibrate([400, 150, 400]);
      } catch (e) {
        /* not allowed without a gesture on some browsers: the screen says it anyway */
      }
    }
  }

  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  function stopTimers() {
    if (pingTimer) clearInterval(pingTimer);
    pingTimer = null;
  }

  function onFrame(event) {
    lastFrameAt = Date.now();
    var msg;
    try {
      msg = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    live.frames += 1;
    if (msg.type === "snapshot" || msg.type === "ticket") {
      render(msg.ticket);
    } else if (msg.type === "synced") {
      live.connected = true;
      live.syncs += 1;
      backoffMs = 1000;
      status("Tersambung — halaman ini diperbarui langsung.", true);
    } else if (msg.type === "error" && msg.code === "auth_failed") {
      status("Nomor antrean tidak ditemukan atau sudah tidak berlaku.", false);
    }
  }

  function connect() {
    retryTimer = null;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try {
      ws = new WebSocket(scheme + location.host + "/ws");
    } catch (e) {
      retry();
      return;
    }
    ws.onopen = function () {
      lastFrameAt = Date.now();
      send({ type: "hello", id: "hello", version: 1, role: "ticket", token: token,
             client: "ticket-page" });
      pingTimer = setInterval(function () {
        if (Date.now() - lastFrameAt > SILENCE_MS) {
          ws.close(); // onclose reconnects
          return;
        }
        pingId += 1;
        send({ type: "ping", id: pingId });
      }, PING_MS);
    };
    ws.onmessage = onFrame;
    ws.onclose = function (event) {
      stopTimers();
      live.connected = false;
      ws = null;
      if (FATAL[event.code]) {
        live.closed = event.code;
        if (event.code === 4001) {
          status("Nomor antrean tidak ditemukan atau sudah tidak berlaku.", false);
        } else {
          status("Halaman ini tidak lagi diperbarui. Muat ulang halaman.", false);
        }
        return;
      }
      retry();
    };
  }

  function retry() {
    if (retryTimer) return;
    status("Koneksi terputus — menyambung ulang…", false);
    // Equal jitter: half fixed, half random, so many phones do not come back at one instant.
    var delay = backoffMs / 2 + Math.random() * (backoffMs / 2);
    backoffMs = Math.min(backoffMs * 2, 30000);
    retryTimer = setTimeout(connect, delay);
  }

  if (!token) return;
  connect();
})();
