// QR check-in with the phone camera: the browser's BarcodeDetector where there is one,
// otherwise the locally served jsQR decoder. Each decoded ticket code is posted to the
// scan endpoint; the manual form below the video stays as the fallback.
(function () {
  "use strict";
  var section = document.getElementById("qr-scan");
  if (!section || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var startBtn = section.querySelector("[data-scan-start]");
  var stopBtn = section.querySelector("[data-scan-stop]");
  var video = section.querySelector("[data-scan-video]");
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null, detector = null, busy = false, lastToken = "", lastAt = 0;
  startBtn.classList.remove("d-none");

  function report(message, ok) {
    if (window.jorenCheckin) window.jorenCheckin.show(message, ok);
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = section.dataset.jsqrSrc;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function decode() {
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    if (!canvas.width) return Promise.resolve(null);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(code ? code.data : null);
  }

  function send(token) {
    var body = new FormData();
    body.set("csrf_token", section.dataset.csrf);
    body.set("token", token);
    return fetch(section.dataset.scanUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      report(data.message, data.ok);
      if (window.jorenCheckin) {
        window.jorenCheckin.updateCounts(data);
        if (data.ok) window.jorenCheckin.refresh();
      }
    });
  }

  function tick() {
    if (!stream) return;
    if (busy || video.readyState < 2) { requestAnimationFrame(tick); return; }
    busy = true;
    decode().then(function (token) {
      var now = Date.now();
      if (token && (token !== lastToken || now - lastAt > 4000)) {
        lastToken = token; lastAt = now;
        return send(token);
      }
    }).catch(function () {}).then(function () {
      busy = false;
      setTimeout(function () { requestAnimationFrame(tick); }, 150);
    });
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.classList.add("d-none");
    stopBtn.classList.add("d-none");
    startBtn.classList.remove("d-none");
  }

  startBtn.addEventListener("click", function () {
    var ready = ("BarcodeDetector" in window)
      ? window.BarcodeDetector.getSupportedFormats().then(function (formats) {
          if (formats.indexOf("qr_code") >= 0) {
            detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          } else {
            return loadJsQR();
          }
        })
      : loadJsQR();
    ready.then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.classList.remove("d-none");
      stopBtn.classList.remove("d-none");
      startBtn.classList.add("d-none");
      return video.play();
    }).then(tick).catch(function () {
      stop();
      report(section.dataset.msgNocamera, false);
    });
  });
  stopBtn.addEventListener("click", stop);
})();
