/* flask-route-explorer: the testers' live forms never lose what the user typed. No inline script anywhere. */
(function () {
  "use strict";

  // Whether the user changed a control since the server rendered it.
  function changed(control) {
    if (control.type === "checkbox" || control.type === "radio") return control.checked !== control.defaultChecked;
    if (control.tagName === "SELECT") {
      var rendered = 0;
      for (var i = 0; i < control.options.length; i++) {
        if (control.options[i].defaultSelected) { rendered = i; break; }
      }
      return control.selectedIndex !== rendered;
    }
    return control.value !== control.defaultValue;
  }

  // Typing before htmx has started (a slow load, a busy machine) fires no request: once htmx is
  // ready (its first htmx:load, on the body), ask again for every form the user already changed.
  var started = false;
  document.addEventListener("htmx:load", function (event) {
    if (started || event.target !== document.body) return;
    started = true;
    document.querySelectorAll("form[data-live-form]").forEach(function (form) {
      if (Array.prototype.some.call(form.elements, changed)) window.htmx.trigger(form, "input");
    });
  });

  // The fields of a newly picked endpoint answer a request sent before the user's latest typing:
  // carry what was typed meanwhile into the input of the same name, so the next request sends it.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var old = event.detail.target;
    var fragment = event.detail.fragment;
    if (!old || !fragment || !old.hasAttribute("data-keep-typed")) return;
    fragment.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (control) {
      if (control.type === "hidden") return;
      var previous = old.querySelector(control.tagName + '[name="' + CSS.escape(control.name) + '"]');
      if (!previous || !changed(previous)) return;
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = previous.checked;
      } else if (control.tagName !== "SELECT" || Array.prototype.some.call(control.options, function (option) {
        return option.value === previous.value;
      })) {
        control.value = previous.value;
      }
    });
  });
})();
