// Small progressive enhancements for the staff pages; every page works without this file.
(function () {
  "use strict";
  // Show a busy spinner on the submit button and block double submits while a form posts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (button) { button.setAttribute("aria-busy", "true"); }
  });
  // Ask before irreversible actions (buttons carrying data-confirm).
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { event.preventDefault(); }
  });
  // Folded filter panels start open where there is room for them.
  if (window.matchMedia("(min-width: 641px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }
  // After a refused action the page reloads at the top; bring the form with the message into view.
  var failed = document.querySelector(".action--has-error");
  if (failed) {
    failed.scrollIntoView({ block: "center" });
    var field = failed.querySelector("[aria-invalid=true], textarea, input:not([type=hidden]), select");
    if (field) { field.focus({ preventScroll: true }); }
  }
  // A table that scrolls sideways (narrow screens) must take keyboard focus, or keyboard users cannot scroll it.
  function keyboardScrollers() {
    document.querySelectorAll(".table-wrap, .data-table").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.dataset.scrollFocus = "1";
      } else if (!scrolls && el.dataset.scrollFocus) {
        el.removeAttribute("tabindex");
        delete el.dataset.scrollFocus;
      }
    });
  }
  keyboardScrollers();
  window.addEventListener("resize", keyboardScrollers);
  // A pressed back button can restore a page with its form still marked as submitted.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("[aria-busy]").forEach(function (b) { b.removeAttribute("aria-busy"); });
    });
  });
})();
