// Door page enhancements: search as you type and one-tap check-in without reloading.
// Without JavaScript the same forms post and the page reloads.
(function () {
  "use strict";
  var wrap = document.getElementById("checkin-results-wrap");
  var searchForm = document.getElementById("checkin-search");
  var status = document.getElementById("checkin-status");
  if (!wrap || !searchForm) return;

  function show(message, ok) {
    status.textContent = message;
    status.className = "alert " + (ok ? "alert-success" : "alert-danger");
  }

  function updateCounts(data) {
    var c = document.querySelector("[data-checked-in-count]");
    var g = document.querySelector("[data-going-count]");
    if (c && typeof data.checked_in === "number") c.textContent = data.checked_in;
    if (g && typeof data.going === "number") g.textContent = data.going;
  }

  function search(q) {
    var url = searchForm.dataset.searchUrl + "?q=" + encodeURIComponent(q);
    // no search: the page of the list on screen (the list is shown a page at a time)
    var list = document.getElementById("checkin-results");
    if (!q && list && list.dataset.page) url += "&page=" + encodeURIComponent(list.dataset.page);
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r); })
      .then(function (html) { wrap.innerHTML = html; })
      .catch(function () { /* keep the current list */ });
  }

  var timer = null;
  var input = document.getElementById("checkin-q");
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, 200);
  });
  searchForm.addEventListener("submit", function (e) {
    e.preventDefault();
    search(input.value);
  });

  function post(form, submitter, confirmed) {
    var body = new FormData(form);
    if (submitter && submitter.name) body.set(submitter.name, submitter.value);
    body.set("q", input.value);
    if (confirmed) body.set("confirm", "1");
    // form.action would be the button named "action"; read the attribute instead.
    return fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (r) { return r.json(); });
  }

  wrap.addEventListener("submit", function (e) {
    var form = e.target.closest("[data-checkin-form]");
    if (!form) return;
    e.preventDefault();
    var submitter = e.submitter || form.querySelector("button[type=submit]");
    if (submitter) submitter.disabled = true;
    post(form, submitter).then(function (data) {
      // An unusual check-in (waitlisted, cancelled, not the meetup's day): the server asks.
      if (data.confirm) {
        var question = (data.reasons || []).concat([data.message]).join("\n");
        return window.confirm(question) ? post(form, submitter, true) : { ok: false, message: "", cancelled: true };
      }
      return data;
    }).then(function (data) {
      if (data.cancelled) {
        if (submitter) submitter.disabled = false;
        return;
      }
      show(data.message, data.ok);
      updateCounts(data);
      if (data.ok) {
        var li = form.closest("li");
        if (li && data.is_checked_in) li.classList.add("just-checked-in");
        search(input.value);
      } else if (submitter) {
        submitter.disabled = false;
      }
    }).catch(function () { form.submit(); });
  });

  // The scan script reports through this hook.
  window.jorenCheckin = { show: show, updateCounts: updateCounts, refresh: function () { search(input.value); } };
})();
