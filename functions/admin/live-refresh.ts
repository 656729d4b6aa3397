/**
 * The pages' only script, served from `/admin/assets/live-refresh.js` (the CSP allows scripts from the app
 * itself, none inline). Every few seconds it fetches the page's partial (same filters) and swaps `#live`;
 * it pauses while the tab is hidden and reports failures in the status line instead of blanking the page.
 */
export const LIVE_REFRESH_JS = `"use strict";
(function () {
  var live = document.getElementById("live");
  var status = document.getElementById("live-status");
  if (!live || !live.dataset.partial) return;
  var seconds = Number(live.dataset.interval) || 10;
  var busy = false;
  function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(live.dataset.partial, { headers: { accept: "text/html" }, credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.text();
      })
      .then(function (html) {
        live.innerHTML = html;
        status.textContent = "Updated " + new Date().toLocaleTimeString() + "; refreshes every " + seconds + " s.";
      })
      .catch(function (err) {
        status.textContent = "Refresh failed (" + err.message + "); showing data from before.";
      })
      .finally(function () {
        busy = false;
      });
  }
  setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refresh();
  });
})();
`;
