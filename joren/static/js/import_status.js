// Import progress: poll the status (URL in data-status-url) until the import is done, then
// reload the page to show the result.
(function () {
  "use strict";
  var progress = document.getElementById("import-progress");
  var url = progress && progress.dataset.statusUrl;
  if (!url) { return; }
  function tick() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var bar = progress.querySelector(".progress-bar");
        bar.style.width = s.percent + "%"; bar.textContent = s.percent + "%";
        progress.setAttribute("aria-valuenow", s.percent);
        if (s.status === "running") { setTimeout(tick, 1500); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1500);
})();
