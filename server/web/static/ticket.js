// The citizen's phone page (/t/<token>): keeps the server-rendered status live, and warns.
//
// Connects to the websocket with the read-only `ticket` role and the token of this page's URL,
// shows the snapshot's and then every `ticket` push's view of the ticket, pings every 15 s
// (browsers send no keepalive of their own) and reconnects with backoff. The token is read from
// the URL only; no frame carries it back. Text goes in with textContent only.
//
// Warnings: the view's `alert` (few people ahead, or called: server/core/phone_alerts.py) is
// announced once per `alert.key` with a chime made here (Web Audio: no sound file) and a
// vibration. The keys announced are kept in the browser's storage under the ticket's id (never
// its token), so a reload does not ring again; a recall is a new key. Browsers play no sound
// before the citizen touches the page: the page asks once ("Ketuk untuk mengaktifkan suara")
// and says plainly whether sound is on. Each announcement is recorded in
// `window.__antreAlerts` (and counted in main's data-alerts) for the browser tests.
//
// A visit of several stops (issue 22): the view's `visit` lists the stops, each with its state;
// the page shows them, and "Silakan lanjut ke BPJS Kesehatan, nomor J-014" while the next stop's
// number waits. When a stop is done the push follows the token to the next stop's ticket: the
// page shows its number, people ahead and calls without a reload; only when the whole visit is
// over does it reload once for the survey. Announced warnings are keyed by number as well, so
// that the second stop's call rings although the first stop's call had the same key.
(function () {
  "use strict";

  var root = document.getElementById("ticket");
  if (!root) return;
  // Whether the server's render already offered the survey (phone.py survey_due): if not, the
  // page reloads once when the pushed view says it now would.
  var surveyShown = root.getAttribute("data-survey-due") === "true";
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
  var alerts = (window.__antreAlerts = []);
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
    // Service finished while the page was open: load it again once, so that the server's
    // render brings the survey and complaints section (server/web/survey/phone_part.py) —
    // for a visit, once no stop is in play any more and one was served, also when it ended
    // early (a later stop cancelled or expired): the server's rule, phone.py survey_due.
    if (!surveyShown && surveyDue(view)) {
      surveyShown = true;
      location.reload();
      return;
    }
    live.view = view;
    root.setAttribute("data-state", view.state);
    setText("number", view.number);
    var label = labels[view.state] || view.state;
    if (view.counter_name) label += " — " + view.counter_name;
    setText("state", label);
    setText("line-name", view.line_name);
    setText("agency", view.agency || "—");
    var alert = view.alert || null;
    var called = !!alert && alert.kind === "called";
    var banner = el("alert");
    if (banner) {
      if (alert) banner.setAttribute("data-kind", alert.kind);
      else banner.removeAttribute("data-kind");
    }
    setText("alert-title", alert ? alert.title : "");
    setText("alert-text", alert ? alert.text : "");
    show("alert", !!alert);
    setText("noshow-note", view.noshow_note || "");
    show("noshow-note", !!view.noshow_note);
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
    renderVisit(view.visit || null);
    setText("priority-note", view.priority_note || "");
    show("priority-note", !!view.priority_note);
    document.title = (called ? "DIPANGGIL — " : "") + "Antrean " + view.number;
    if (alert && !announced[alertKey(view, alert)]) announce(alert, alertKey(view, alert));
  }

  // ---- A visit of several stops: the itinerary and where to go next.

  var visitBox = el("visit");
  var stopLabels = {};
  try {
    stopLabels = JSON.parse((visitBox && visitBox.getAttribute("data-labels")) || "{}");
  } catch (e) {
    stopLabels = {};
  }

  // A stop still in play (server/core/visits.py OPEN_STATES): the visit's survey waits.
  var OPEN = { pending: true, printing: true, waiting: true, called: true, serving: true,
    no_show: true };
  // Stops before the current one that show it was handed on to (phone.py _LEFT_BEHIND).
  var LEFT_BEHIND = { done: true, skipped: true, closed: true, closed_today: true };

  // phone.py survey_due: a plain ticket once served; a visit once no stop is in play and one
  // at least was served.
  function surveyDue(view) {
    var visit = view.visit;
    if (!visit || !visit.stops) return view.state === "done";
    var served = false;
    for (var i = 0; i < visit.stops.length; i++) {
      if (OPEN[visit.stops[i].state]) return false;
      if (visit.stops[i].state === "done") served = true;
    }
    return served;
  }

  // The words of server/web/phone.py next_words: a stop before the current one is done or was
  // skipped (the hand-on came from it), and the current one's number waits to be called.
  function nextWords(visit) {
    if (!visit || !visit.stops) return "";
    var k = visit.current;
    var stop = visit.stops[k];
    if (!(k > 0) || !stop || !stop.number) return "";
    if (stop.state !== "waiting" && stop.state !== "printing") return "";
    var handedOn = false;
    for (var i = 0; i < k; i++) if (LEFT_BEHIND[visit.stops[i].state]) handedOn = true;
    if (!handedOn) return "";
    return "Silakan lanjut ke " + stop.agency + ", nomor " + stop.number;
  }

  function renderVisit(visit) {
    var words = nextWords(visit);
    setText("visit-next", words);
    show("visit-next", words !== "");
    if (!visitBox) return;
    visitBox.hidden = !visit;
    var list = el("visit-stops");
    if (!visit || !list) return;
    var items = [];
    for (var i = 0; i < visit.stops.length; i++) {
      var stop = visit.stops[i];
      var li = document.createElement("li");
      li.setAttribute("data-state", stop.state);
      if (i === visit.current) li.setAttribute("aria-current", "step");
      var parts = [
        ["stop-agency", stop.agency],
        [null, " — "],
        ["stop-service", stop.service],
        [null, " "],
        ["stop-number", "(" + (stop.number || "nomor menyusul") + ")"],
        [null, ": "],
        ["stop-state", stopLabels[stop.state] || stop.state],
      ];
      for (var j = 0; j < parts.length; j++) {
        if (parts[j][0] === null) {
          li.appendChild(document.createTextNode(parts[j][1]));
        } else {
          var span = document.createElement("span");
          span.className = parts[j][0];
          span.textContent = parts[j][1];
          li.appendChild(span);
        }
      }
      items.push(li);
    }
    list.replaceChildren.apply(list, items);
  }

  // A warning's key as kept: the number too, since each stop of a visit is called anew.
  function alertKey(view, alert) {
    return view.number + "/" + alert.key;
  }

  // ---- Warnings: what was announced (per ticket, across reloads), the chime, the vibration.

  var STORE_PREFIX = "antre-peringatan:";
  var ticketId = root.getAttribute("data-ticket") || "";
  var storeKey = STORE_PREFIX + ticketId;
  var store = pickStore();
  var announced = loadAnnounced();

  function pickStore() {
    // localStorage survives closing the tab; a browser that refuses it (private mode, a
    // setting) may still keep sessionStorage, which survives a reload; else memory only.
    var names = ["localStorage", "sessionStorage"];
    for (var i = 0; i < names.length; i++) {
      try {
        var s = window[names[i]];
        s.setItem(STORE_PREFIX + "test", "1");
        s.removeItem(STORE_PREFIX + "test");
        return s;
      } catch (e) {
        /* not allowed here: try the next */
      }
    }
    return null;
  }

  function loadAnnounced() {
    var keys = {};
    if (!store || !ticketId) return keys;
    try {
      // Other days' tickets are of no use any more: forget them (ids start with the day).
      var today = ticketId.split("/")[0];
      for (var i = store.length - 1; i >= 0; i--) {
        var name = store.key(i);
        if (name && name.indexOf(STORE_PREFIX) === 0 && name.slice(STORE_PREFIX.length) < today) {
          store.removeItem(name);
        }
      }
      var list = JSON.parse(store.getItem(storeKey) || "[]");
      for (var j = 0; j < list.length; j++) keys[list[j]] = true;
    } catch (e) {
      /* unreadable: start afresh */
    }
    return keys;
  }

  function remember(key) {
    announced[key] = true;
    if (!store || !ticketId) return;
    try {
      store.setItem(storeKey, JSON.stringify(Object.keys(announced)));
    } catch (e) {
      /* full or refused: this page still remembers it */
    }
  }

  var AudioCtor = window.AudioContext || window.webkitAudioContext;
  var audio = null;
  // Tones of each chime: [frequency Hz, start s, length s]. Called: "ding-dong" twice; few
  // ahead: one softer rising pair; test: the short tone that answers the citizen's tap.
  var CHIMES = {
    called: [[988, 0, 0.7], [784, 0.5, 1.0], [988, 1.6, 0.7], [784, 2.1, 1.0]],
    few_ahead: [[784, 0, 0.5], [988, 0.35, 0.8]],
    test: [[880, 0, 0.35]],
  };
  var VIBRATIONS = { called: [500, 200, 500, 200, 500], few_ahead: [250, 150, 250] };

  function soundOn() {
    return !!audio && audio.state === "running";
  }

  function chime(kind) {
    var tones = CHIMES[kind];
    if (!soundOn() || !tones) return false;
    var t0 = audio.currentTime + 0.05;
    for (var i = 0; i < tones.length; i++) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      var start = t0 + tones[i][1];
      var end = start + tones[i][2];
      osc.type = "sine";
      osc.frequency.value = tones[i][0];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(kind === "few_ahead" ? 0.4 : 0.8, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, end);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(start);
      osc.stop(end + 0.05);
    }
    return true;
  }

  function vibrate(kind) {
    if (!navigator.vibrate) return null; // this phone cannot
    // Like sound, vibration waits for the citizen's first touch (Chrome refuses it, with a
    // console error, before): not asked for then.
    var touched = navigator.userActivation ? navigator.userActivation.hasBeenActive : true;
    if (!touched) return false;
    try {
      return navigator.vibrate(VIBRATIONS[kind] || 300) === true;
    } catch (e) {
      return false;
    }
  }

  function announce(alert, key) {
    remember(key);
    var entry = {
      kind: alert.kind,
      key: alert.key,
      sound: AudioCtor ? (chime(alert.kind) ? "played" : "off") : "unsupported",
      vibrate: vibrate(alert.kind),
    };
    alerts.push(entry);
    root.setAttribute("data-alerts", String(alerts.length));
    if (entry.sound === "off") showSound(); // say it again where the citizen looks
  }

  var SOUND_WORDS = {
    on:
      "Suara aktif: ponsel ini berbunyi dan bergetar saat giliran Anda sudah dekat dan saat " +
      "nomor Anda dipanggil. Pastikan ponsel tidak dalam mode senyap.",
    off:
      "Suara mati: ponsel ini belum dapat berbunyi. Ketuk tombol di atas sekali agar ponsel " +
      "berbunyi saat nomor Anda dipanggil.",
    unsupported:
      "Peramban ini tidak dapat membunyikan peringatan: lihat layar ini sesekali.",
  };

  function showSound() {
    var state = !AudioCtor ? "unsupported" : soundOn() ? "on" : "off";
    var box = el("sound");
    if (!box) return;
    box.hidden = false;
    box.setAttribute("data-sound", state);
    show("sound-on", state === "off");
    setText("sound-state", SOUND_WORDS[state]);
  }

  function unlock() {
    // Called from any touch, click or key: the only moment a browser lets a page start sound.
    // Kept listening: a phone may suspend the sound again (a call, another app), and the next
    // touch then brings it back.
    if (!AudioCtor || soundOn()) return;
    try {
      if (!audio) audio = new AudioCtor();
      var done = function () {
        showSound();
        if (soundOn()) chime("test"); // the citizen hears that it works, and how loud
      };
      var resumed = audio.resume();
      if (resumed && resumed.then) resumed.then(done, showSound);
      else done();
    } catch (e) {
      showSound();
    }
  }

  function startSound() {
    if (AudioCtor) {
      try {
        // Made at once: a browser that already allows sound here starts it running.
        audio = new AudioCtor();
      } catch (e) {
        audio = null;
      }
      if (audio && audio.onstatechange !== undefined) audio.onstatechange = showSound;
      document.addEventListener("click", unlock, true);
      document.addEventListener("touchend", unlock, true);
      document.addEventListener("keydown", unlock, true);
    }
    showSound();
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

  startSound();
  if (!token) return;
  connect();
})();
