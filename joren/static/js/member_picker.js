// Search as you type for a member ([data-member-picker]: a text field, a hidden id field
// and a results list). Choosing a result puts its id in the hidden field; typing again
// clears it. Without JavaScript the typed text is sent and resolved on the server.
(function () {
  "use strict";

  function setup(box) {
    var input = box.querySelector("input[type=text], input[type=search]");
    var chosen = box.querySelector("input[type=hidden]");
    var list = box.querySelector("[data-member-picker-results]");
    if (!input || !chosen || !list) return;
    var timer = null;
    var asked = 0;

    function clear() {
      list.innerHTML = "";
      list.hidden = true;
    }

    function choose(result) {
      input.value = result.label;
      chosen.value = String(result.id);
      clear();
      input.focus();
    }

    function show(results) {
      list.innerHTML = "";
      results.forEach(function (result) {
        var item = document.createElement("button");
        item.type = "button";
        item.className = "list-group-item list-group-item-action";
        item.setAttribute("role", "option");
        item.dataset.memberId = String(result.id);
        var name = document.createElement("span");
        name.textContent = result.label;
        item.appendChild(name);
        if (result.reading) {
          var reading = document.createElement("small");
          reading.className = "text-body-secondary ms-2";
          reading.textContent = result.reading;
          item.appendChild(reading);
        }
        item.addEventListener("click", function () { choose(result); });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
    }

    function search() {
      var q = input.value.trim();
      if (!q) { clear(); return; }
      var mine = ++asked;
      fetch(box.dataset.url + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
        .then(function (data) { if (mine === asked) show(data.results || []); })
        .catch(function () { /* the typed text is still sent with the form */ });
    }

    input.addEventListener("input", function () {
      chosen.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") clear();
      if (e.key === "ArrowDown" && !list.hidden) {
        e.preventDefault();
        var first = list.querySelector("button");
        if (first) first.focus();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-member-picker]"), setup);
})();
