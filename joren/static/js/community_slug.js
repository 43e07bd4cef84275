// New community form: suggest an address from an ASCII name until the person edits the
// address themselves.
(function () {
  "use strict";
  var name = document.getElementById("name"), slug = document.getElementById("slug");
  if (!name || !slug) { return; }
  var touched = slug.value !== "";
  slug.addEventListener("input", function () { touched = slug.value !== ""; });
  name.addEventListener("input", function () {
    if (touched) { return; }
    var text = name.value.normalize("NFKC").trim().toLowerCase();
    if (!/^[\x00-\x7f]*$/.test(text)) { slug.value = ""; return; }
    slug.value = text.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  });
})();
