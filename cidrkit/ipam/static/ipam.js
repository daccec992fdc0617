// Hover details for the space map and a confirmation before releasing.
// Plain script, no framework: the page works without it, this only adds comfort.
(function () {
  "use strict";
  function init() {
    var detail = document.getElementById("map-detail");
    document.querySelectorAll(".map-bar .seg").forEach(function (seg) {
      seg.addEventListener("mouseenter", function () {
        seg.classList.add("hover");
        if (detail) { detail.textContent = seg.dataset.label; }
      });
      seg.addEventListener("mouseleave", function () { seg.classList.remove("hover"); });
    });
    document.querySelectorAll("form.release, form.danger").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
