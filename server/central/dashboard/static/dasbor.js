// The live overview: every few seconds, the server's own rendering of the tables is fetched
// (same origin, the session's cookie) and swapped in, so the figures move without a reload.
// Parsed by DOMParser, which runs no script; the page's CSP allows only this file anyway.
"use strict";
(function () {
  const live = document.getElementById("hidup");
  if (!live) {
    return;
  }
  const every = Math.max(0.2, Number(live.dataset.setiap || "5")) * 1000;
  async function refresh() {
    try {
      const answer = await fetch(live.dataset.sumber, {
        credentials: "same-origin",
        cache: "no-store",
      });
      if (answer.status === 401) {
        window.location.assign("/masuk");
        return;
      }
      if (answer.ok) {
        const doc = new DOMParser().parseFromString(await answer.text(), "text/html");
        const fresh = doc.getElementById("hidup");
        if (fresh) {
          live.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
          live.dataset.kali = String(Number(live.dataset.kali || "0") + 1);
        }
      }
    } catch (e) {
      // central unreachable for a moment: the next round tries again
    }
    window.setTimeout(refresh, every);
  }
  window.setTimeout(refresh, every);
})();
