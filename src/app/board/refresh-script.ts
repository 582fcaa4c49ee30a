/**
 * The page refreshes itself without a reload: every `data-refresh-seconds` it fetches its own URL
 * and swaps the content of each `[data-refresh-region]` for the new one. What a reader is doing
 * wins over freshness:
 * - the window's scroll position is put back after the swap;
 * - keyboard focus inside a region moves to the element with the same id in the new content
 *   (without scrolling); when that element is gone, the refresh is skipped rather than lose focus;
 * - nothing happens while text is selected, the tab is hidden, or the reader paused it with the
 *   "Pause auto-refresh" button (remembered for the tab in sessionStorage);
 * - the filter form is outside every region, so typing in it is never disturbed.
 * Without JavaScript the page is complete and static (reload to update).
 */
export const REFRESH_SCRIPT = `
(() => {
  const body = document.body;
  const seconds = Math.max(1, Number(body.dataset.refreshSeconds) || 15);
  const toggle = document.getElementById("refresh-toggle");
  const status = document.getElementById("refresh-status");
  const KEY = "mission-control:refresh-paused";
  let paused = false;
  try { paused = sessionStorage.getItem(KEY) === "1"; } catch {}
  let busy = false;
  const show = () => {
    if (!toggle) return;
    toggle.hidden = false;
    toggle.setAttribute("aria-pressed", String(paused));
    toggle.textContent = paused ? "Resume auto-refresh" : "Pause auto-refresh";
  };
  toggle?.addEventListener("click", () => {
    paused = !paused;
    try { sessionStorage.setItem(KEY, paused ? "1" : "0"); } catch {}
    show();
  });
  show();
  const regions = () => Array.from(document.querySelectorAll("[data-refresh-region]"));
  async function refresh() {
    if (paused || busy || document.hidden) return;
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;
    busy = true;
    try {
      const res = await fetch(location.href, { headers: { accept: "text/html", "x-mission-control-refresh": "1" }, cache: "no-store", credentials: "same-origin" });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const text = await res.text();
      if (paused) return;
      const doc = new DOMParser().parseFromString(text, "text/html");
      const active = document.activeElement;
      const focusedRegion = regions().find((r) => active && r.contains(active));
      const focusId = focusedRegion && active ? active.id : "";
      if (focusedRegion && (!focusId || !doc.getElementById(focusId))) return;
      const x = window.scrollX;
      const y = window.scrollY;
      for (const region of regions()) {
        const name = region.getAttribute("data-refresh-region");
        const fresh = Array.from(doc.querySelectorAll("[data-refresh-region]")).find((r) => r.getAttribute("data-refresh-region") === name);
        if (fresh) region.replaceChildren(...Array.from(fresh.childNodes));
      }
      if (focusId) document.getElementById(focusId)?.focus({ preventScroll: true });
      window.scrollTo(x, y);
      const title = doc.querySelector("title");
      if (title) document.title = title.textContent || document.title;
      if (status) status.textContent = "Updated " + new Date().toLocaleTimeString();
    } catch (error) {
      if (status) status.textContent = "Refresh failed (" + (error && error.message ? error.message : "network") + "); retrying";
    } finally {
      busy = false;
    }
  }
  setInterval(refresh, seconds * 1000);
})();
`.trim();
