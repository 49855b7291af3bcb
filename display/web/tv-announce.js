/* The TV page's announcer: how a call is said aloud. Plain JavaScript, nothing from the internet.
 *
 * Theory of operation: a chime, then the server's espeak-ng rendering of the phrase (/audio/call,
 * asked with the display's device token), one announcement at a time, each waiting for the
 * previous one to end. When the server cannot speak, the browser's own voice (id-ID) reads the
 * server's phrase instead, or, when even that could not be fetched, a phrase made here. Browsers
 * allow sound only after a user gesture unless the kiosk is started with an autoplay flag: hence
 * "Aktifkan suara" (`unlock`), and a silent probe (`probeAutoplay`) for browsers that allow it.
 *
 * This file only says calls; tv.js decides which calls to say (not twice, not when stale) and
 * owns the screen. It is loaded before tv.js and leaves one global, `AntreTvAnnouncer`, whose
 * `create(options)` returns the announcer of one page:
 *
 *   options  token          the device token, sent as X-Antre-Token
 *            style, agency  the URL's overrides of the server's reading ('' / null: the server's)
 *            recentMs       a call waiting for sound longer than this is dropped, not said
 *            serverNow()    the server's clock in ms (the TV's own clock may be wrong)
 *            counterDesk(id)    the desk as the voice names it, when no phrase came from the server
 *            stats, note    the page's stats object and its bounded push (tests read them)
 *            onSound(state) told {soundOn, autoplay} whenever either changes
 *   returns  announce(item) queue {number, counter, key, at, replayed} to be said; a visit's
 *                           hand-on (issue 22) adds {from, agencyName}: "A-017 → J-014"
 *            unlock()       the "Aktifkan suara" press: sound from now on, a chime to prove it
 *            probeAutoplay() learn, without a sound, whether this browser may play unasked
 */
(() => {
  'use strict';

  const QUEUE_MAX = 12;  // announcements waiting; beyond this the oldest are dropped
  // Reading a call when even the phrase could not be fetched: digits as words, the desk as the
  // server names it in the snapshot (its `spoken`: "loket tiga A", "gerai BPJS").
  const DIGIT_WORDS = ['nol', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan'];

  function create({ token, style, agency, recentMs, serverNow, counterDesk, stats, note, onSound }) {
    const queue = [];
    let speaking = false;
    let soundOn = false;
    let autoplay = 'unknown';  // 'allowed' or 'blocked' once the silent probe has run

    function report() { onSound({ soundOn, autoplay }); }

    function announce(call) {
      const item = { number: call.number, counter: call.counter, key: call.key, at: call.at, audio: null,
        from: call.from || null, agencyName: call.agencyName || '' };
      note(stats.queued, { number: item.number, counter: item.counter, key: item.key, replayed: call.replayed,
        from: item.from });
      // Fetch now, so that it is ready before the chime ends; while the page may not play sound
      // yet (before "Aktifkan suara"), the call waits in the queue and is fetched when its turn comes.
      if (soundOn) item.audio = fetchAudio(item);
      queue.push(item);
      while (queue.length > QUEUE_MAX) queue.shift();
      pump();
    }

    // Sound becomes possible (the press, or a browser that allows it): calls that waited for it
    // are said if still recent; a burst of old calls would help nobody.
    function soundAllowed(afterwards) {
      if (soundOn) return;
      soundOn = true;
      report();
      const now = serverNow();
      for (let i = queue.length - 1; i >= 0; i--) {
        if (!(now - queue[i].at < recentMs)) queue.splice(i, 1);
      }
      (afterwards || Promise.resolve()).then(pump, pump);
    }

    async function pump() {
      if (speaking || !soundOn) return;
      speaking = true;
      try {
        while (queue.length) {
          const item = queue.shift();
          note(stats.announced, { number: item.number, counter: item.counter, key: item.key, at: Date.now(),
            from: item.from });
          try { await announceOne(item); } catch (e) { console.warn('announcement failed', e); }
        }
      } finally {
        speaking = false;
      }
    }

    function audioUrl(item) {
      // A hand-on is the same endpoint's other kind; its desk (the one just left) may be none.
      const q = item.from
        ? new URLSearchParams({ kind: 'handon', from: item.from, number: item.number })
        : new URLSearchParams({ number: item.number, counter: item.counter });
      if (item.from && item.counter) q.set('counter', item.counter);
      if (style) q.set('style', style);
      if (agency === '1' || agency === '0') q.set('agency', agency);
      return `/audio/call?${q}`;
    }

    async function fetchAudio(item) {
      const url = audioUrl(item);
      const record = { number: item.number, from: item.from, url, status: 0 };
      note(stats.audio, record);
      try {
        const res = await fetch(url, { headers: { 'X-Antre-Token': token }, cache: 'default' });
        record.status = res.status;
        const phraseHeader = res.headers.get('X-Antre-Phrase');
        const phrase = phraseHeader ? decodeURIComponent(phraseHeader) : null;
        if (!res.ok) return { phrase };
        const blob = await res.blob();
        record.bytes = blob.size;
        return { url: URL.createObjectURL(blob), phrase };
      } catch (e) {
        record.error = String(e);
        return { phrase: null };
      }
    }

    function spokenNumber(number) {
      const [letters, digits] = number.split('-');
      return [...(letters || '')].join(' ') + ' ' + [...(digits || '')].map((d) => DIGIT_WORDS[+d] ?? d).join(' ');
    }

    function localPhrase(item) {
      if (item.from) {
        return `Nomor antrean ${spokenNumber(item.from)}, silakan lanjut ke ${item.agencyName}, ` +
          `nomor antrean ${spokenNumber(item.number)}.`;
      }
      return `Nomor antrean ${spokenNumber(item.number)}, silakan menuju ${counterDesk(item.counter)}`;
    }

    // The chime is fetched once and kept as a blob: a recall or a burst of calls costs nothing.
    let chime = null;
    let chimeReady = null;  // the blob URL once fetched, for use inside a click handler
    function chimeUrl() {
      if (!chime) {
        chime = fetch('/static/chime.wav')
          .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
          .then((b) => (chimeReady = URL.createObjectURL(b)))
          .catch(() => { chime = null; return '/static/chime.wav'; });
      }
      return chime;
    }

    async function announceOne(item) {
      if (!item.audio) item.audio = fetchAudio(item);
      await play(await chimeUrl(), 4000).catch(() => {});
      const audio = await item.audio;
      if (audio.url) {
        try {
          const started = Date.now();
          await play(audio.url, 20000);
          note(stats.played, { number: item.number, ms: Date.now() - started });
          return;
        } catch (e) {
          console.warn('server audio did not play', e);
        } finally {
          URL.revokeObjectURL(audio.url);
        }
      }
      stats.fallbacks += 1;
      await speak(audio.phrase || localPhrase(item));
    }

    // One audio element for every sound: the element that played during the "Aktifkan suara"
    // press stays allowed to play on browsers that unlock elements one by one (older WebViews of
    // smart TVs), and announcements never overlap because there is only one.
    const player = new Audio();
    player.preload = 'auto';

    // Resolves when the sound has ended; rejects when it cannot play. A watchdog ends the wait in
    // any case, so that a stuck element can never block the queue.
    function play(url, maxMs) {
      return new Promise((resolve, reject) => {
        const a = player;
        a.src = url;
        let done = false;
        const finish = (err) => {
          if (done) return;
          done = true;
          clearTimeout(watchdog);
          a.onended = a.onerror = a.onloadedmetadata = null;
          if (err) reject(err); else resolve();
        };
        let watchdog = setTimeout(() => finish(), maxMs);
        a.onloadedmetadata = () => {
          if (Number.isFinite(a.duration)) {
            clearTimeout(watchdog);
            watchdog = setTimeout(() => finish(), a.duration * 1000 + 1500);
          }
        };
        a.onended = () => finish();
        a.onerror = () => finish(new Error('audio error'));
        a.play().catch((e) => finish(e));
      });
    }

    function speak(text) {
      return new Promise((resolve) => {
        const synth = window.speechSynthesis;
        if (!synth || !window.SpeechSynthesisUtterance) { resolve(); return; }
        const u = new SpeechSynthesisUtterance(text);
        u.lang = 'id-ID';
        const voice = synth.getVoices().find((v) => (v.lang || '').toLowerCase().startsWith('id'));
        if (voice) u.voice = voice;
        u.rate = 0.9;
        const watchdog = setTimeout(resolve, 2000 + text.length * 120);
        u.onend = u.onerror = () => { clearTimeout(watchdog); resolve(); };
        synth.speak(u);
      });
    }

    function unlock() {
      // Play the chime now, inside the press (some browsers unlock sound only there): the
      // technician hears that the TV's sound works. Waiting calls follow it.
      const chimed = play(chimeReady || '/static/chime.wav', 4000).catch(() => {});
      soundAllowed(chimed);
    }

    // A kiosk started with --autoplay-policy=no-user-gesture-required may play at once. An
    // AudioContext tells without making a sound: it runs only where sound is allowed. (A silent
    // media element would not: muted or volume-0 playback is allowed everywhere.)
    function probeAutoplay() {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { autoplay = 'blocked'; report(); return; }
      const ctx = new Ctx();
      const allowed = () => {
        if (autoplay !== 'unknown') return;
        autoplay = 'allowed';
        report();
        soundAllowed();
      };
      if (ctx.state === 'running') allowed();
      else ctx.resume().then(() => { if (ctx.state === 'running') allowed(); }).catch(() => {});
      setTimeout(() => {
        if (autoplay === 'unknown') { autoplay = 'blocked'; report(); }  // a press is needed: the button stays
        ctx.close().catch(() => {});
      }, 1000);
    }

    return { announce, unlock, probeAutoplay };
  }

  window.AntreTvAnnouncer = Object.freeze({ create });
})();
