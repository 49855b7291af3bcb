// The counter tablet's page (/tablet?token=…): the SKM survey for the ticket just finished at
// this counter (issue 20; server/web/survey/tablet.py renders the page, docs/protocol.md the
// messages).
//
// Theory of operation: one websocket, role `tablet`, the device token from this page's URL.
// The page idles ("Selamat datang di Loket 5"). A `survey_offer` push shows the survey (the
// server-rendered form, reset) for that number; "Kirim jawaban" checks that the nine questions
// are answered and sends `answer_survey` {ticket, scores, age?, sex?, education?, occupation?,
// suggestion?}; on `ok` the page thanks for THANKS_S seconds and idles again; on `error` it says
// the server's words. An offer left unanswered for `idle_s` seconds goes back to idle. After a
// reload (the language switch) or a reconnect, the snapshot's `offer` brings the survey back.
//
// Every word comes from the page's data attributes (escaped by the server); text goes in with
// textContent only. `window.antreTablet` is for tests and a technician with devtools.
(function () {
  "use strict";

  var root = document.getElementById("tablet");
  if (!root) return;
  var params = new URLSearchParams(location.search);
  var TOKEN = params.get("token") || "";
  var WS_PATH = root.dataset.wsPath || "/ws";
  var PROTOCOL = Number(root.dataset.protocol || 1);
  var DEFAULT_IDLE_S = Number(root.dataset.idleS || 90);
  var THANKS_S = Number(root.dataset.thanksS || 6);
  var PING_MS = 15000;
  var SILENCE_MS = 45000;
  var FATAL = { 4001: true, 4002: true, 4003: true, 4009: true };
  var SESSION = Math.random().toString(36).slice(2, 10); // this page's load, for request ids
  var SCORES = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"];
  var PROFILE = { usia: "age", jk: "sex", pendidikan: "education", pekerjaan: "occupation" };

  var form = document.getElementById("survey");
  var tablet = (window.antreTablet = {
    state: "idle", // idle, offer, sending, thanks
    connected: false,
    offer: null,
    sent: [],
    answered: [],
    errors: [],
  });
  var ws = null;
  var backoffMs = 500;
  var nextId = 1;
  var pending = null; // the id of the answer in flight
  var idleTimer = null;
  var pingTimer = null;
  var retryTimer = null;
  var lastFrameAt = 0;

  function el(id) {
    return document.getElementById(id);
  }
  function words(key, values) {
    var text = root.getAttribute("data-t-" + key) || "";
    for (var name in values || {}) text = text.split("{" + name + "}").join(values[name]);
    return text;
  }
  function setText(id, text) {
    var node = el(id);
    if (node) node.textContent = text;
  }

  // ---- What is on screen -------------------------------------------------------------------

  function show(state) {
    tablet.state = state;
    root.setAttribute("data-state", state);
    el("idle").hidden = state !== "idle";
    el("offer").hidden = state !== "offer" && state !== "sending";
    el("thanks").hidden = state !== "thanks";
  }

  function toIdle() {
    clearTimeout(idleTimer);
    tablet.offer = null;
    form.reset();
    clearProblems();
    setSendState("", false);
    show("idle");
    window.scrollTo(0, 0);
  }

  function showOffer(offer, remainingS) {
    clearTimeout(idleTimer);
    tablet.offer = offer;
    form.reset();
    clearProblems();
    setSendState("", false);
    setText("offer-for", words("for", { number: offer.number }));
    setText("offer-line", offer.line_name || "");
    setText("offer-agency", offer.agency_name || offer.agency || "");
    show("offer");
    window.scrollTo(0, 0);
    idleTimer = setTimeout(toIdle, remainingS * 1000);
  }

  function setSendState(text, isError) {
    var node = el("send-state");
    node.textContent = text;
    if (isError) node.setAttribute("data-error", "1");
    else node.removeAttribute("data-error");
  }

  function clearProblems() {
    var marked = form.querySelectorAll(".tablet-problem");
    for (var i = 0; i < marked.length; i++) marked[i].parentNode.removeChild(marked[i]);
    var sets = form.querySelectorAll("fieldset.missing");
    for (var j = 0; j < sets.length; j++) sets[j].classList.remove("missing");
  }

  function idleMs(offer) {
    var s = Number(offer && offer.idle_s) || DEFAULT_IDLE_S;
    return s * 1000;
  }

  // ---- Answering -----------------------------------------------------------------------------

  function checked(name) {
    var node = form.querySelector('input[name="' + name + '"]:checked');
    return node ? node.value : "";
  }

  function answer() {
    clearProblems();
    var scores = [];
    var missing = [];
    for (var i = 0; i < SCORES.length; i++) {
      var value = checked(SCORES[i]);
      if (!value) missing.push(SCORES[i]);
      else scores.push(Number(value));
    }
    if (missing.length) {
      for (var m = 0; m < missing.length; m++) {
        var set = el("q-" + missing[m]);
        set.classList.add("missing");
        var note = document.createElement("p");
        note.className = "problem tablet-problem";
        note.textContent = words("missing");
        set.appendChild(note);
      }
      setSendState(words("problems"), true);
      el("q-" + missing[0]).scrollIntoView({ block: "center" });
      return null;
    }
    var id = "answer-" + nextId++;
    // One request id per offer, not per tap: "Kirim jawaban" again after a dropped link is a
    // resend, which the server answers with the first answer's `ok` (one answer, not two, and
    // no "not offered" for an answer it did record).
    var msg = { type: "answer_survey", id: id, request_id: "tablet-" + SESSION + "-" + tablet.offer.ticket, ticket: tablet.offer.ticket, scores: scores };
    for (var field in PROFILE) {
      var chosen = checked(field);
      if (chosen) msg[PROFILE[field]] = chosen;
    }
    var suggestion = (form.elements.saran.value || "").trim();
    if (suggestion) msg.suggestion = suggestion;
    return msg;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault(); // the answer goes over the websocket, never as a POST
    if (!tablet.offer || tablet.state !== "offer") return;
    var msg = answer();
    if (!msg) return;
    if (!send(msg)) {
      setSendState(words("failed", { message: words("offline") }), true);
      return;
    }
    pending = msg.id;
    tablet.sent.push(msg);
    show("sending");
    setSendState(words("sending"), false);
  });

  function answered(ok, message) {
    pending = null;
    if (ok) {
      tablet.answered.push(tablet.offer && tablet.offer.ticket);
      clearTimeout(idleTimer);
      show("thanks");
      idleTimer = setTimeout(toIdle, THANKS_S * 1000);
      return;
    }
    tablet.errors.push(message);
    show("offer");
    setSendState(words("failed", { message: message || "" }), true);
  }

  // ---- The connection ------------------------------------------------------------------------

  function send(msg) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  function linkState(text) {
    var node = el("link-state");
    node.textContent = text || "";
    node.hidden = !text;
  }

  function connect() {
    clearTimeout(retryTimer);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var sock = new WebSocket(scheme + location.host + WS_PATH);
    ws = sock;
    sock.onopen = function () {
      sock.send(JSON.stringify({ type: "hello", id: "hello", version: PROTOCOL, role: "tablet", token: TOKEN, client: "antre-tablet" }));
      lastFrameAt = Date.now();
      clearInterval(pingTimer);
      pingTimer = setInterval(heartbeat, PING_MS);
    };
    sock.onmessage = function (e) {
      if (sock !== ws) return;
      lastFrameAt = Date.now();
      var msg;
      try {
        msg = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      onMessage(msg);
    };
    sock.onclose = function (e) {
      if (sock === ws) dropped(e.code);
    };
  }

  function heartbeat() {
    if (Date.now() - lastFrameAt > SILENCE_MS && ws) {
      ws.close(4000, "silent");
      dropped();
      return;
    }
    send({ type: "ping", id: "ping-" + nextId++ });
  }

  function dropped(code) {
    var sock = ws;
    ws = null;
    if (sock) {
      sock.onclose = sock.onmessage = sock.onopen = null;
      try {
        sock.close();
      } catch (e) {
        /* closed already */
      }
    }
    clearInterval(pingTimer);
    tablet.connected = false;
    if (pending) answered(false, words("offline"));
    if (FATAL[code]) {
      retryTimer = setTimeout(connect, 60000); // a refused token: the server may be fixed
      return;
    }
    linkState(words("offline"));
    var wait = backoffMs / 2 + (Math.random() * backoffMs) / 2;
    backoffMs = Math.min(backoffMs * 2, 10000);
    retryTimer = setTimeout(connect, wait);
  }

  function onMessage(msg) {
    switch (msg.type) {
      case "snapshot":
        if (msg.counter_name) setText("idle-title", words("idle", { counter: msg.counter_name }));
        // The survey this tablet still shows (a reload, the language switch, a reconnect).
        if (msg.offer && (!tablet.offer || tablet.offer.ticket !== msg.offer.ticket) && tablet.state === "idle") {
          showOffer(msg.offer, idleMs(msg.offer) / 1000);
        }
        break;
      case "synced":
        tablet.connected = true;
        backoffMs = 500;
        linkState("");
        break;
      case "survey_offer":
        showOffer(msg, idleMs(msg) / 1000);
        break;
      case "ok":
        if (msg.ref && msg.ref === pending) answered(true);
        break;
      case "error":
        if (msg.ref === "hello") linkState(msg.message || "");
        else if (msg.ref && msg.ref === pending) answered(false, msg.message);
        break;
      default:
        break;
    }
  }

  connect();
})();
