(function () {
  var script = document.currentScript;
  if (!script) { return; }
  var frame = document.createElement("iframe");
  frame.src = {{ src | tojson }};
  frame.title = {{ title | tojson }};
  frame.loading = "lazy";
  frame.style.width = "100%";
  frame.style.maxWidth = "480px";
  frame.style.height = script.getAttribute("data-height") || "420px";
  frame.style.border = "1px solid #dee2e6";
  frame.style.borderRadius = "6px";
  script.parentNode.insertBefore(frame, script);
})();
