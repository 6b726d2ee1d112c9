// @ts-check
/**
 * Live updates of the class server's pages (the instructor's dashboard, peer instruction,
 * the projector, the students' vote page). The server renders every page in full; this
 * script only keeps it current: it listens to the page's event stream (server-sent
 * events, `data-live-source` on <main>) and swaps in the regions each update carries.
 * Without JavaScript (or EventSource) the page stays as loaded and a reload updates it.
 *
 * - `regions`: element id -> HTML rendered by the server (the same macros as the page);
 *   the focused control is focused again after a swap (ids are stable).
 * - `state` (the vote page): when the vote's phase changes, the page fetches itself again
 *   and swaps `#vote` (each student sees their own vote, so it is not in the stream).
 */
(function () {
  "use strict";
  const main = document.querySelector("main[data-live-source]");
  if (!(main instanceof HTMLElement) || typeof EventSource === "undefined") {
    return;
  }
  const source = new EventSource(main.dataset.liveSource || "");
  const status = document.getElementById("live-status");

  /** @param {string} text */
  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  /**
   * @param {HTMLElement} region
   * @param {string} html
   */
  function swap(region, html) {
    const active = document.activeElement;
    const focusedId = active && active.id && region.contains(active) ? active.id : "";
    region.innerHTML = html;
    if (focusedId) {
      const again = document.getElementById(focusedId);
      if (again) {
        again.focus();
      }
    }
  }

  /** @param {string} state */
  async function followState(state) {
    const vote = document.getElementById("vote");
    if (!vote || vote.dataset.liveState === state) {
      return;
    }
    const response = await fetch(window.location.pathname, { credentials: "same-origin" });
    if (!response.ok) {
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const region = fresh.getElementById("vote");
    if (region) {
      swap(vote, region.innerHTML);
      vote.dataset.liveState = region.dataset.liveState || state;
    }
  }

  source.addEventListener("update", (event) => {
    const data = JSON.parse(/** @type {MessageEvent} */ (event).data);
    const regions = data.regions || {};
    for (const id of Object.keys(regions)) {
      const region = document.getElementById(id);
      if (region) {
        swap(region, String(regions[id]));
      }
    }
    if (typeof data.state === "string") {
      followState(data.state).catch(() => say("Reload the page to see the current vote."));
    }
    say("Live: updated at " + new Date().toLocaleTimeString() + ".");
  });
  source.addEventListener("open", () => say("Live: this page updates itself."));
  source.addEventListener("error", () => say("Reconnecting… (reload the page if this stays)"));
})();
