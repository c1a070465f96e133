/* flask-route-explorer: the few behaviours htmx does not cover. No inline script anywhere. */
(function () {
  "use strict";

  // "/" focuses the search box, as on GitHub and the Rails routes page.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var search = document.querySelector("[data-search]");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  function copyText(text, button) {
    var done = function () {
      var label = button.getAttribute("data-label") || button.textContent;
      button.setAttribute("data-label", label);
      button.textContent = "Copied";
      button.classList.add("is-copied");
      setTimeout(function () {
        button.textContent = label;
        button.classList.remove("is-copied");
      }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    document.body.removeChild(area);
  }

  // <button data-copy-from="#id"> copies the text of #id (a <pre>, <code> or <textarea>).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-from]") : null;
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy-from"));
    if (!source) return;
    event.preventDefault();
    copyText(source.value !== undefined && source.tagName === "TEXTAREA" ? source.value : source.textContent, button);
  });

  // <button data-toggle="#id"> shows or hides #id.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-toggle]") : null;
    if (!button) return;
    var target = document.querySelector(button.getAttribute("data-toggle"));
    if (!target) return;
    event.preventDefault();
    var hidden = target.hasAttribute("hidden");
    if (hidden) target.removeAttribute("hidden"); else target.setAttribute("hidden", "");
    button.setAttribute("aria-expanded", hidden ? "true" : "false");
  });
})();

(function () {
  "use strict";
  // The routes page leaves its empty fields out of htmx requests, so the pushed URL stays short.
  // Only there: on other pages an empty value may be exactly what the user means to send.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("[data-drop-empty]") : null;
    if (!form) return;
    var params = event.detail.parameters;
    if (!params || typeof params.forEach !== "function") return;
    var empty = [];
    params.forEach(function (value, key) { if (value === "") empty.push(key); });
    empty.forEach(function (key) { params.delete(key); });
  });
})();
