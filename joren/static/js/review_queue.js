// The organizer's review queue: each card's buttons answer in place (the note typed into the
// card is sent with "Approve and send"; the page is not reloaded, so the scroll position
// stays), a selection kept across pages and filters for approving or skipping many at once,
// and keyboard shortcuts (j/k move, x select, a approve, s skip, n note, ? help).
// Without JavaScript the same forms post and come back to the same page.
(function () {
  "use strict";
  const queue = document.querySelector("[data-queue]");
  const bulkForm = document.querySelector("[data-bulk-form]");
  if (!queue || !bulkForm) return;
  const live = document.querySelector("[data-queue-live]");
  const help = document.querySelector("[data-queue-keys]");
  const countLabel = bulkForm.querySelector("[data-selected-count]");
  const countTemplate = countLabel.textContent;
  const storeKey = "joren-queue-selection:" + location.pathname;

  function cards() { return Array.from(queue.querySelectorAll("[data-introduction]")); }
  function open(card) { return card && !card.classList.contains("is-decided"); }
  function say(text) { if (live) { live.textContent = ""; live.textContent = text; } }

  // -- the selection, kept in this tab across pages and filters ---------------------------
  function stored() {
    try { return new Set(JSON.parse(sessionStorage.getItem(storeKey) || "[]").map(String)); }
    catch (e) { return new Set(); }
  }
  let selection = stored();
  function save() { sessionStorage.setItem(storeKey, JSON.stringify(Array.from(selection))); }
  function showCount() {
    countLabel.textContent = selection.size
      ? (bulkForm.dataset.countText || "%(count)s selected").replace("%(count)s", selection.size)
      : countTemplate;
  }
  cards().forEach(function (card) {
    const box = card.querySelector("[data-select]");
    if (box.checked) selection.add(box.value);  // the page's own choice (after a refusal)
    box.checked = selection.has(box.value);
    box.addEventListener("change", function () {
      if (box.checked) selection.add(box.value); else selection.delete(box.value);
      save(); showCount();
    });
  });
  save(); showCount();
  bulkForm.querySelectorAll("[data-select-page], [data-clear-selection]").forEach(function (b) {
    b.hidden = false;
  });
  bulkForm.querySelector("[data-select-page]").addEventListener("click", function () {
    cards().filter(open).forEach(function (card) { setSelected(card, true); });
  });
  bulkForm.querySelector("[data-clear-selection]").addEventListener("click", function () {
    selection.clear(); cards().forEach(function (card) { setSelected(card, false); });
    save(); showCount();
  });
  function setSelected(card, on) {
    const box = card.querySelector("[data-select]");
    if (box.disabled) return;
    box.checked = on;
    if (on) selection.add(box.value); else selection.delete(box.value);
    save(); showCount();
  }

  // -- answers from the server change the card in place ------------------------------------
  function decided(card, status, text, ok) {
    const state = card.querySelector("[data-card-state]");
    const line = card.querySelector("[data-card-status]");
    line.textContent = text;
    line.className = "small mt-2 mb-0 " + (ok ? "text-success" : "text-danger");
    if (!ok || status === "suggested") return;
    card.classList.add("is-decided");
    state.hidden = false;
    state.textContent = status === "sent" ? queue.dataset.sentLabel : queue.dataset.skippedLabel;
    state.className = "badge ms-auto card-state " +
      (status === "sent" ? "text-bg-success" : "text-bg-secondary");
    card.querySelectorAll("textarea, button, input[type=checkbox]").forEach(function (el) {
      el.disabled = true;
    });
    const box = card.querySelector("[data-select]");
    box.checked = false; selection.delete(box.value); save(); showCount();
    const waiting = document.querySelector("[data-waiting]");
    if (waiting) {
      const left = Math.max(0, Number(waiting.dataset.waiting) - 1);
      waiting.dataset.waiting = left;
      waiting.textContent = queue.dataset.waitingText.replace("%(count)s", left);
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"Accept": "application/json"},
    }).then(function (response) {
      return response.json().catch(function () { return {ok: false, message: response.statusText}; });
    });
  }

  let byKeyboard = false;
  queue.addEventListener("submit", function (event) {
    const form = event.target.closest("[data-card-form]");
    if (!form) return;
    event.preventDefault();
    const button = event.submitter || form.querySelector("[data-action=approve]");
    const card = form.closest("[data-introduction]");
    const fromKeyboard = byKeyboard; byKeyboard = false;
    const url = button.getAttribute("formaction") || form.getAttribute("action");
    card.setAttribute("aria-busy", "true");
    post(url, new FormData(form)).then(function (answer) {
      card.removeAttribute("aria-busy");
      decided(card, answer.status, answer.message, answer.ok);
      say(answer.message);
      // From the keyboard, on to the next card; after a click the page stays where it is.
      if (fromKeyboard && answer.ok && answer.status !== "suggested") move(1, card);
    }, function () {
      card.removeAttribute("aria-busy");
      form.submit();  // the network failed: the plain form does the same
    });
  });

  bulkForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const data = new FormData(bulkForm);
    data.set("action", (event.submitter && event.submitter.value) || "approve");
    data.delete("ids");
    selection.forEach(function (id) { data.append("ids", id); });
    if (!selection.size) { say(countTemplate); return; }
    post(bulkForm.getAttribute("action"), data).then(function (answer) {
      if (!answer.done) { say(answer.message); return; }
      const status = answer.action === "approve" ? "sent" : "skipped";
      answer.done.forEach(function (id) {
        selection.delete(String(id));
        const card = document.getElementById("introduction-" + id);
        if (card) decided(card, status, answer.message, true);
      });
      Object.keys(answer.refused || {}).forEach(function (id) {
        const card = document.getElementById("introduction-" + id);
        if (card) decided(card, "suggested", answer.refused[id], false);
      });
      save(); showCount();
      say(answer.message);
    });
  });

  // -- keyboard --------------------------------------------------------------------------
  if (help) help.hidden = false;
  let current = null;
  function focusCard(card) {
    if (!card) return;
    if (current) current.removeAttribute("aria-current");
    current = card;
    card.setAttribute("aria-current", "true");
    card.focus({preventScroll: true});
    card.scrollIntoView({block: "nearest"});
  }
  function move(step, from) {
    const all = cards();
    let i = all.indexOf(from || current);
    for (;;) {
      i += step;
      if (i < 0 || i >= all.length) return;
      if (open(all[i]) || !from) { focusCard(all[i]); return; }
    }
  }
  queue.addEventListener("focusin", function (event) {
    const card = event.target.closest("[data-introduction]");
    if (card && card !== current) {
      if (current) current.removeAttribute("aria-current");
      current = card; card.setAttribute("aria-current", "true");
    }
  });
  document.addEventListener("keydown", function (event) {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "Escape" && typing && current && current.contains(typing)) {
      focusCard(current); return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (key === "?") { if (help) help.hidden = !help.hidden; event.preventDefault(); return; }
    if (key === "j" || key === "k") {
      event.preventDefault();
      if (!current) { focusCard(cards()[0]); return; }
      move(key === "j" ? 1 : -1); return;
    }
    if (!current || !open(current)) return;
    if (key === "x") { event.preventDefault(); setSelected(current, !current.querySelector("[data-select]").checked); }
    else if (key === "a" || key === "s") {
      event.preventDefault();
      byKeyboard = true;
      current.querySelector(key === "a" ? "[data-action=approve]" : "[data-action=skip]").click();
    } else if (key === "n") { event.preventDefault(); current.querySelector("textarea").focus(); }
  });
})();
