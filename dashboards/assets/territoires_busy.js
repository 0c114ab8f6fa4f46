/* Loading indicator: while the page waits for the server (a Dash callback, a level's
 * geometry, an export) for more than 300 ms, a bar at the top of the window moves and
 * a status line says "Chargement…" to screen readers; the body carries the class
 * `territoires-busy` (bench/dashboard.py waits for it to go). Dash 4 has no global
 * loading state of its own, so every fetch of the page is counted here. */
(function () {
  "use strict";
  var DELAY_MS = 300;
  var pending = 0;
  var timer = null;
  var status = null;

  function element() {
    if (!status && document.body) {
      status = document.createElement("div");
      status.id = "territoires-busy";
      status.className = "busy-bar";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      document.body.appendChild(status);
    }
    return status;
  }

  function show() {
    timer = null;
    var el = element();
    if (el && pending > 0) {
      el.textContent = "Chargement…";
      document.body.classList.add("territoires-busy-shown");
    }
  }

  function start() {
    pending += 1;
    if (document.body) {
      document.body.classList.add("territoires-busy");
    }
    if (timer === null) {
      timer = window.setTimeout(show, DELAY_MS);
    }
  }

  function done() {
    pending = Math.max(0, pending - 1);
    if (pending > 0) {
      return;
    }
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (document.body) {
      document.body.classList.remove("territoires-busy", "territoires-busy-shown");
    }
    if (status) {
      status.textContent = "";
    }
  }

  var original = window.fetch;
  window.fetch = function () {
    start();
    return original.apply(this, arguments).then(
      function (response) {
        done();
        return response;
      },
      function (error) {
        done();
        throw error;
      }
    );
  };
})();
