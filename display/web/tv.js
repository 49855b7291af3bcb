/* The waiting-room TV page of Antre. Plain JavaScript, no framework, nothing from the internet.
 * A little over 500 lines, on purpose: one page's picture, its persistence and its socket read
 * best together; the announcer (chime, voice, queue) is already its own file, tv-announce.js.
 *
 * Theory of operation: one websocket to the server (docs/protocol.md). The page says `hello` as
 * a display with the device token from its own URL, then receives either a snapshot (the whole
 * picture of its zone) or the events it missed since `last_seq`, then `synced`, then pushed
 * events as they are committed. Nothing is polled. `last_seq`, the service day and the keys of
 * the calls already announced are kept in localStorage, so that a reconnect or a reload resumes
 * exactly where the page was: missed calls are shown, and announced only while still recent;
 * calls already announced are never announced again (a recall is a new event, so it is).
 *
 * Browsers send no websocket keepalive: the page pings every PING_EVERY_MS and reconnects when
 * the pong does not come within PONG_TIMEOUT_MS. On a drop the last picture stays on screen with
 * a small "menyambung ulang…" marker, and the page reconnects with exponential backoff.
 *
 * A visit's hand-on (issue 22, `visit_handed_on`: the citizen of A-017 goes on to BPJS Kesehatan
 * with J-014) is a call of its own kind: it holds the big panel for one display cycle (HANDON_MS)
 * as "A-017 → J-014" and the next agency, then stays in the earlier calls as "A-017 → J-014 ·
 * BPJS Kesehatan"; it is said once, like a call ("Nomor antrean A nol satu tujuh, silakan lanjut
 * ke BPJS Kesehatan, nomor antrean J nol satu empat.").
 *
 * Sound: this page decides which calls are said; tv-announce.js (loaded first) says them — a
 * chime, then the server's rendering of the phrase, one at a time — and holds "Aktifkan suara".
 */
(() => {
  'use strict';

  // --- settings ----------------------------------------------------------------------------
  const BACKOFF_FIRST_MS = 250;
  const BACKOFF_MAX_MS = 10000;
  const FATAL_RETRY_MS = 60000;   // a refused token: retry slowly, the server may be fixed
  const RECENT_MS = 60000;        // a replayed call older than this is shown, not announced
  const FRESH_MS = 8000;          // how long a new call flashes
  const HANDON_MS = FRESH_MS;     // a hand-on holds the big panel this long: one display cycle
  const HISTORY = 6;              // earlier calls listed under the current one
  const KEEP_CALLS = 20;
  const KEEP_ANNOUNCED = 200;
  const FATAL_CLOSE = new Set([4001, 4002, 4003, 4009]);

  const params = new URLSearchParams(location.search);
  const TOKEN = params.get('token') || '';
  const STYLE = params.get('style') === 'number' ? 'number' : params.get('style') === 'digits' ? 'digits' : '';
  const AGENCY = params.get('agency');  // '1' or '0' overrides the server's setting
  const WS_PATH = document.body.dataset.wsPath || '/ws';
  const PROTOCOL = Number(document.body.dataset.protocol || 1);
  const STORE_KEY = 'antre.tv.' + TOKEN.slice(-16);
  // The page's own keepalive (browsers send none): a ping every `heartbeat` seconds (default 12,
  // 2–60), and a connection that leaves one unanswered for 2/3 of that is taken for dead.
  const HEARTBEAT_S = Math.min(60, Math.max(2, Number(params.get('heartbeat')) || 12));
  const PING_EVERY_MS = HEARTBEAT_S * 1000;
  const PONG_TIMEOUT_MS = PING_EVERY_MS * 2 / 3;

  const $ = (id) => document.getElementById(id);

  // --- the picture -------------------------------------------------------------------------
  const tv = {
    building: null,            // snapshot.building: zones, agencies, lines, counters of the zone
    counters: new Map(),       // id -> {state, ticket, number, ticket_state}
    calls: [],                 // newest first: {ticket, number, line, counter, at, seq[, from_number]}
    handonUntil: 0,            // Date.now() until which a hand-on holds the big panel
    lines: new Map(),          // prefix -> line figures (waiting…)
    pictureSeq: -1,            // the snapshot's seq: events up to it are already in the picture
    seq: null,                 // our position (last_seq)
    day: null,
    zone: params.get('zone'),
    serverOffsetMs: 0,         // server clock minus this clock: the TV's own clock may be wrong
    tzOffsetMin: 7 * 60,       // the building's UTC offset (the snapshot's utc_offset_min)
    tzLabel: 'WIB',
    connected: false,
    syncing: false,
    soundOn: false,
    autoplay: 'unknown',       // 'allowed' or 'blocked' once the silent probe below has run
    ikmText: '',               // "IKM …: 86,52 (B — Baik), …" from /ikm/teks, or '' (issue 20)
    // What tests and a technician with devtools may look at.
    stats: { shownAt: {}, paintedAt: {}, queued: [], audio: [], announced: [], played: [], syncs: [], fallbacks: 0 },
  };
  window.antreTV = tv;

  // The stats are for looking at, not for keeping: a TV runs for weeks.
  const STATS_KEEP = 200;
  function note(list, item) {
    list.push(item);
    if (list.length > STATS_KEEP) list.splice(0, list.length - STATS_KEEP);
  }
  function noteTime(map, key, value) {
    delete map[key];  // re-inserted last, so that the oldest key is the first to go
    map[key] = value;
    const keys = Object.keys(map);
    if (keys.length > STATS_KEEP) delete map[keys[0]];
  }

  // --- persistence -------------------------------------------------------------------------
  const saved = (() => {
    try { return JSON.parse(localStorage.getItem(STORE_KEY) || 'null') || {}; } catch { return {}; }
  })();
  const announced = new Set(Array.isArray(saved.announced) ? saved.announced : []);
  if (typeof saved.seq === 'number' && typeof saved.day === 'string') {
    tv.seq = saved.seq;
    tv.day = saved.day;
  }

  let persistTimer = null;
  function persistNow() {
    clearTimeout(persistTimer);
    persistTimer = null;
    const keys = [...announced].slice(-KEEP_ANNOUNCED);
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({ seq: tv.seq, day: tv.day, announced: keys }));
    } catch { /* private mode or full: resume by snapshot instead */ }
  }
  function persist() {
    // Batched: a burst of events costs one write. (An announced call is written at once.)
    if (persistTimer === null) persistTimer = setTimeout(persistNow, 200);
  }
  window.addEventListener('pagehide', persistNow);

  // --- time --------------------------------------------------------------------------------
  const DAYS = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'];
  const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
    'September', 'Oktober', 'November', 'Desember'];

  function serverNow() { return Date.now() + tv.serverOffsetMs; }

  // Python writes microseconds ("09:00:00.123456+07:00"); not every browser parses six digits.
  function parseIso(iso) {
    return Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1'));
  }

  function learnServerTime(iso) {
    const t = parseIso(iso);
    if (Number.isNaN(t)) return;
    tv.serverOffsetMs = t - Date.now();
    // Only the instant: the server's clock may read UTC (`antre server` without --clock); the
    // building's own offset comes with the building (utc_offset_min).
    // At once, not at the next tick: until now the clock showed this TV's own time and zone,
    // which may be another day.
    renderClock();
  }

  function local(ms) { return new Date(ms + tv.tzOffsetMin * 60000); }  // read with getUTC*
  const pad = (n) => String(n).padStart(2, '0');

  // "Minggu, 2 Agustus 2026" for a local() date: the words of server/core/dates.format_date,
  // which the ticket and the phone page print (tests/web/test_dates_agree.py holds the three).
  function formatDate(d) {
    return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  }
  tv.formatDate = formatDate;

  function renderClock() {
    const d = local(serverNow());
    $('time').textContent = `${pad(d.getUTCHours())}.${pad(d.getUTCMinutes())}`;
    $('date').textContent = `${formatDate(d)} · ${tv.tzLabel}`;
  }

  // --- rendering ---------------------------------------------------------------------------
  const STATE_LABEL = { called: 'dipanggil', serving: 'melayani', idle: 'kosong', paused: 'istirahat', closed: 'tutup' };

  function counterDef(id) {
    return tv.building ? tv.building.counters.find((c) => c.id === id) : null;
  }
  function agencyShort(code) {
    const a = tv.building ? tv.building.agencies.find((x) => x.code === code) : null;
    return a ? a.short_name : '';
  }
  function counterName(id) {
    const c = counterDef(id);
    return c ? c.name : id;
  }
  function lineName(prefix) {
    const l = tv.building ? tv.building.lines.find((x) => x.prefix === prefix) : null;
    return l ? l.name : '';
  }
  function lineAgency(prefix) {
    const l = tv.building ? tv.building.lines.find((x) => x.prefix === prefix) : null;
    return l ? agencyShort(l.agency) : '';
  }
  // A hand-on in the list of calls: it carries the number the citizen held.
  function isHandon(call) { return !!(call && call.from_number); }
  function handonNumbers(call) { return `${call.from_number} → ${call.number}`; }
  // The call the big panel shows: the newest, unless it is a hand-on whose cycle is over.
  function shownIndex() {
    if (!isHandon(tv.calls[0]) || Date.now() < tv.handonUntil) return tv.calls.length ? 0 : -1;
    return tv.calls.findIndex((c) => !isHandon(c));
  }
  function counterShown(c) {
    if (!c || c.state === 'closed') return 'closed';
    if (c.state === 'paused') return 'paused';
    if (c.ticket && c.ticket_state === 'serving') return 'serving';
    if (c.ticket) return 'called';
    return 'idle';
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function renderCurrent() {
    const index = shownIndex();
    const call = index >= 0 ? tv.calls[index] : null;
    const box = $('current');
    box.classList.toggle('handon', isHandon(call));
    $('current-label').textContent = isHandon(call) ? 'Silakan lanjut ke' : 'Nomor antrean';
    if (!call) {
      box.classList.add('idle');
      $('current-number').textContent = '—';
      $('current-counter').textContent = '';
      $('current-agency').textContent = '';
      $('current-line').hidden = true;
      return;
    }
    box.classList.remove('idle');
    if (isHandon(call)) {
      // "A-017 → J-014", the agency the citizen goes to next, and its service.
      $('current-number').textContent = handonNumbers(call);
      $('current-counter').textContent = lineAgency(call.line);
      $('current-agency').textContent = '';
      const service = lineName(call.line);
      $('current-line').textContent = service;
      $('current-line').hidden = !service;
      return;
    }
    $('current-number').textContent = call.number;
    $('current-counter').textContent = counterName(call.counter);
    const def = counterDef(call.counter);
    $('current-agency').textContent = def ? agencyShort(def.agency) : '';
    const ln = lineName(call.line);
    $('current-line').textContent = ln;
    $('current-line').hidden = !ln;
  }

  function renderHistory() {
    const list = $('history');
    const shown = shownIndex();
    const earlier = tv.calls.filter((_, i) => i !== shown).slice(0, HISTORY);
    list.replaceChildren(...earlier.map((c) => {
      if (isHandon(c)) {
        // "A-017 → J-014 · BPJS Kesehatan"
        const li = el('li', 'handon');
        li.append(el('span', 'number', handonNumbers(c)), el('span', 'sep', ' · '),
          el('span', 'counter-name', lineAgency(c.line)));
        return li;
      }
      const li = el('li');
      li.append(el('span', 'number', c.number), el('span', 'counter-name', counterName(c.counter)));
      return li;
    }));
  }

  // Desks in the order of their labels as people count them: 2 before 10, 3 before 3A, 1-02
  // before 2-01.
  const LABEL_ORDER = new Intl.Collator('id', { numeric: true });

  function renderCounters() {
    if (!tv.building) return;
    const defs = [...tv.building.counters].sort((a, b) => LABEL_ORDER.compare(a.label, b.label));
    $('counters').replaceChildren(...defs.map((d) => {
      const c = tv.counters.get(d.id);
      const shown = counterShown(c);
      const li = el('li', shown);
      li.dataset.counter = d.id;
      li.title = agencyShort(d.agency);
      li.append(
        el('span', 'c-name', d.name),  // the name the call panel shows for this desk
        el('span', 'c-state', STATE_LABEL[shown]),
        el('span', 'c-number', c && c.number && (shown === 'called' || shown === 'serving') ? c.number : ''),
      );
      return li;
    }));
  }

  function renderWaiting() {
    if (!tv.building) return;
    const byAgency = new Map(tv.building.agencies.map((a) => [a.code, 0]));
    // A part-week agency on a day it does not come: every one of its lines says so.
    const offToday = new Map();
    for (const l of tv.lines.values()) {
      if (byAgency.has(l.agency)) byAgency.set(l.agency, byAgency.get(l.agency) + (l.waiting || 0));
      offToday.set(l.agency, offToday.get(l.agency) !== false && l.refusal_code === 'service_off_day');
    }
    $('waiting').replaceChildren(...tv.building.agencies.map((a) => {
      const off = offToday.get(a.code) && !byAgency.get(a.code);
      const li = el('li', off ? 'off-today' : undefined);
      li.dataset.agency = a.code;
      li.append(el('span', 'w-name', a.short_name),
        el('span', 'w-count', off ? 'tutup hari ini' : `${byAgency.get(a.code)} orang`));
      return li;
    }));
  }

  function renderBuilding() {
    const b = tv.building;
    if (!b) return;
    $('building').textContent = b.name;
    tv.tzLabel = b.timezone || tv.tzLabel;
    if (Number.isFinite(b.utc_offset_min)) tv.tzOffsetMin = b.utc_offset_min;
    renderClock();  // the zone's label at once, not at the next tick (WIB until then)
    const zone = b.zones.find((z) => z.id === tv.zone);
    $('zone').textContent = zone ? zone.name : '';
    // The building's own line, then the published IKM when the building shows it (issue 20).
    const text = [b.running_text || '', tv.ikmText].filter(Boolean).join('   •   ');
    $('running-text').textContent = text;
    // About 12 characters a second, whatever the text's length.
    document.querySelector('.ticker-track').style.animationDuration = `${Math.max(20, text.length / 12)}s`;
  }

  function renderAll() {
    renderBuilding();
    renderCurrent();
    renderHistory();
    renderCounters();
    renderWaiting();
  }

  let freshTimer = null;
  let handonTimer = null;
  function flash() {
    const box = $('current');
    box.classList.remove('fresh');
    void box.offsetWidth;  // restart the CSS animation for a second call in a row
    box.classList.add('fresh');
    clearTimeout(freshTimer);
    freshTimer = setTimeout(() => box.classList.remove('fresh'), FRESH_MS);
  }

  function markShown(number) {
    noteTime(tv.stats.shownAt, number, performance.timeOrigin + performance.now());
    requestAnimationFrame(() => {
      noteTime(tv.stats.paintedAt, number, performance.timeOrigin + performance.now());
    });
  }

  // --- status marker -----------------------------------------------------------------------
  function setStatus(text, isError) {
    const box = $('status');
    if (!text) { box.hidden = true; return; }
    $('status-text').textContent = text;
    box.classList.toggle('error', !!isError);
    box.hidden = false;
  }

  // --- applying what the server says -------------------------------------------------------
  function applySnapshot(msg) {
    if (tv.day && msg.day !== tv.day) announced.clear();  // a new service day: new numbers
    tv.building = msg.building;
    tv.day = msg.day;
    tv.pictureSeq = msg.seq;
    tv.counters = new Map((msg.counters || []).map((c) => [c.id, c]));
    tv.lines = new Map((msg.lines || []).map((l) => [l.prefix, l]));
    tv.calls = (msg.calls || []).map((c) => ({ ...c, seq: null })).slice(0, KEEP_CALLS);
    if (tv.seq === null || msg.seq > tv.seq) tv.seq = msg.seq;
    renderAll();
    persist();
  }

  function counter(id) {
    let c = tv.counters.get(id);
    if (!c) { c = { id, state: 'closed', ticket: null, number: null, ticket_state: null }; tv.counters.set(id, c); }
    return c;
  }

  function releaseTicket(ticket) {
    for (const c of tv.counters.values()) {
      if (c.ticket === ticket) { c.ticket = null; c.number = null; c.ticket_state = null; }
    }
  }

  function applyEvent(seq, ev, replayed) {
    const inPicture = seq <= tv.pictureSeq;  // the snapshot already holds it
    if (tv.seq === null || seq > tv.seq) tv.seq = seq;
    if (ev.kind === 'ticket_called' || ev.kind === 'ticket_recalled') {
      if (!inPicture) {
        const c = counter(ev.counter);
        c.ticket = ev.ticket; c.number = ev.number; c.ticket_state = 'called';
        // A hand-on to this ticket stays listed: it is another announcement than its call.
        tv.calls = [{ ticket: ev.ticket, number: ev.number, line: ev.line, counter: ev.counter, at: ev.at, seq },
          ...tv.calls.filter((x) => x.ticket !== ev.ticket || isHandon(x))].slice(0, KEEP_CALLS);
        renderCurrent(); renderHistory(); renderCounters();
        markShown(ev.number);
      }
      considerAnnouncing(seq, ev, replayed);
    } else if (ev.kind === 'visit_handed_on') {
      if (!inPicture) {
        tv.calls = [{ ticket: ev.ticket, number: ev.number, line: ev.line, counter: ev.counter, at: ev.at, seq,
          from_number: ev.from_number, from_line: ev.from_line },
        ...tv.calls.filter((x) => !(isHandon(x) && x.ticket === ev.ticket))].slice(0, KEEP_CALLS);
        // Its display cycle, only while it is news (a replay of an old one is listed, not shown).
        if (!(serverNow() - parseIso(ev.at) >= RECENT_MS)) {
          tv.handonUntil = Date.now() + HANDON_MS;
          clearTimeout(handonTimer);
          handonTimer = setTimeout(() => { renderCurrent(); renderHistory(); }, HANDON_MS + 50);
        }
        renderCurrent(); renderHistory();
        markShown(handonNumbers(ev));
      }
      considerAnnouncing(seq, ev, replayed);
    } else if (!inPicture) {
      const c = ev.counter ? counter(ev.counter) : null;
      switch (ev.kind) {
        case 'service_started': c.ticket_state = 'serving'; if (!c.ticket) c.ticket = ev.ticket; break;
        case 'service_finished':
        case 'ticket_no_show':
        case 'ticket_transferred': releaseTicket(ev.ticket); break;
        case 'ticket_cancelled':
        case 'ticket_expired': releaseTicket(ev.ticket); break;
        case 'counter_opened':
        case 'counter_resumed': c.state = 'open'; break;
        case 'counter_paused': c.state = 'paused'; break;
        case 'counter_closed': c.state = 'closed'; c.ticket = null; c.number = null; c.ticket_state = null; break;
        case 'day_closed': requestSnapshot(); return;
        default: return;  // ticket_issued etc.: the `lines` frames carry the waiting figures
      }
      renderCounters();
    }
  }

  // --- announcements -------------------------------------------------------------------------
  // Which calls are said is decided here (each once, and a replayed one only while recent); how
  // they are said is tv-announce.js's job.
  const announcer = window.AntreTvAnnouncer.create({
    token: TOKEN,
    style: STYLE,
    agency: AGENCY,
    recentMs: RECENT_MS,
    serverNow,
    counterDesk: (id) => { const def = counterDef(id); return def ? def.spoken : `loket ${id}`; },
    stats: tv.stats,
    note,
    onSound: ({ soundOn, autoplay }) => {
      tv.soundOn = soundOn;
      tv.autoplay = autoplay;
      if (soundOn) $('activate').hidden = true;
    },
  });

  function considerAnnouncing(seq, ev, replayed) {
    const key = `${tv.day}:${seq}`;
    if (announced.has(key)) return;
    announced.add(key);
    persistNow();  // before anything is said: a reload a moment later must not say it again
    // A call missed while the page was away is announced only while its citizen may still be
    // looking for the counter; older ones are shown but not read out.
    const age = serverNow() - parseIso(ev.at);
    if (replayed && !(age < RECENT_MS)) return;
    flash();
    const item = { number: ev.number, counter: ev.counter, key, at: parseIso(ev.at), replayed };
    if (ev.kind === 'visit_handed_on') {
      item.from = ev.from_number;
      item.agencyName = lineAgency(ev.line);
    }
    announcer.announce(item);
  }

  $('activate-button').addEventListener('click', announcer.unlock);
  announcer.probeAutoplay();

  // --- the connection ----------------------------------------------------------------------
  let ws = null;
  let backoff = BACKOFF_FIRST_MS;
  let pingTimer = null;
  let pongTimer = null;
  let retryTimer = null;
  let nextId = 1;

  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  function requestSnapshot() { send({ type: 'snapshot', id: `snap-${nextId++}` }); }

  function heartbeat() {
    clearTimeout(pongTimer);
    send({ type: 'ping', id: `ping-${nextId++}` });
    pongTimer = setTimeout(() => {
      // No pong: the connection is dead without knowing it (a cable, a switch, a sleeping AP).
      if (ws) ws.close(4000, 'no pong');
      dropped();
    }, PONG_TIMEOUT_MS);
  }

  function connect() {
    clearTimeout(retryTimer);
    if (!TOKEN) {
      setStatus('Token perangkat belum diatur: buka /display?zone=N&token=…', true);
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const sock = new WebSocket(scheme + location.host + WS_PATH);
    ws = sock;
    sock.onopen = () => {
      const hello = { type: 'hello', id: 'hello', version: PROTOCOL, role: 'display', token: TOKEN, client: 'antre-tv' };
      if (tv.seq !== null && tv.day) { hello.last_seq = tv.seq; hello.day = tv.day; }
      sock.send(JSON.stringify(hello));
      clearInterval(pingTimer);
      pingTimer = setInterval(heartbeat, PING_EVERY_MS);
    };
    sock.onmessage = (e) => {
      if (sock !== ws) return;
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      onMessage(msg);
    };
    sock.onclose = (e) => {
      if (sock !== ws) return;
      dropped(e.code);
    };
  }

  function dropped(code) {
    const sock = ws;
    ws = null;
    if (sock) { sock.onclose = sock.onmessage = sock.onopen = null; try { sock.close(); } catch { /* closed */ } }
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    tv.connected = false;
    tv.syncing = false;
    clearTimeout(retryTimer);
    if (FATAL_CLOSE.has(code)) {
      retryTimer = setTimeout(connect, FATAL_RETRY_MS);
      return;  // the status already says why (from the error frame)
    }
    setStatus('menyambung ulang…');
    // Equal jitter: half fixed, half random, so that the TVs of a building do not reconnect in step.
    const wait = backoff / 2 + Math.random() * backoff / 2;
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    retryTimer = setTimeout(connect, wait);
  }

  function onMessage(msg) {
    switch (msg.type) {
      case 'welcome': {
        learnServerTime(msg.server_time);
        if (msg.principal && msg.principal.zone) {
          if (tv.zone && tv.zone !== msg.principal.zone) console.warn(`zone=${tv.zone} in the URL, but this token shows zone ${msg.principal.zone}`);
          tv.zone = msg.principal.zone;
        }
        if (tv.day && msg.day !== tv.day) announced.clear();  // a new service day
        tv.day = msg.day;
        tv.syncing = true;
        tv.resume = msg.resume;
        break;
      }
      case 'snapshot':
        applySnapshot(msg);
        break;
      case 'event':
        applyEvent(msg.seq, msg.event, tv.syncing);
        persist();
        break;
      case 'synced':
        tv.seq = msg.seq;
        tv.syncing = false;
        tv.connected = true;
        backoff = BACKOFF_FIRST_MS;
        note(tv.stats.syncs, { resume: msg.resume, replayed: msg.replayed, seq: msg.seq });
        setStatus(null);
        persist();
        // A reload resumed by replay has the missed calls but no picture yet: ask for one.
        if (!tv.building) requestSnapshot();
        break;
      case 'lines':
        for (const l of msg.lines || []) tv.lines.set(l.prefix, l);
        renderWaiting();
        break;
      case 'pong':
        clearTimeout(pongTimer);
        if (typeof msg.seq === 'number' && (tv.seq === null || msg.seq > tv.seq)) { tv.seq = msg.seq; persist(); }
        if (msg.server_time) learnServerTime(msg.server_time);
        break;
      case 'error':
        if (msg.ref === 'hello') setStatus(msg.message || 'Layar ditolak oleh server.', true);
        else console.warn('server error', msg);
        break;
      default:
        break;
    }
  }

  // --- the published IKM in the running text (issue 20) -------------------------------------
  // The server answers "" unless `[survey] running_text` is set; it computes the figures at most
  // once a minute, and the TV asks every few minutes: the IKM moves slowly.
  const IKM_EVERY_MS = 5 * 60 * 1000;
  async function refreshIkm() {
    try {
      const answer = await fetch('/ikm/teks', { cache: 'no-store' });
      if (!answer.ok) return;
      const text = String((await answer.json()).text || '');
      if (text !== tv.ikmText) { tv.ikmText = text; renderBuilding(); }
    } catch { /* the server is away: keep the last line */ }
  }

  renderClock();
  setInterval(renderClock, 1000);
  refreshIkm();
  setInterval(refreshIkm, IKM_EVERY_MS);
  connect();
})();
