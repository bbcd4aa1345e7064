// Region and alliance pickers: a text box whose datalist is filled, as the user types,
// with the regions (or alliances) of their own scope matching the text (name, code or
// pinyin initials). Without this script the typed code or name is looked up when the
// form is sent.
(function () {
  "use strict";

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-region-lookup") || input.getAttribute("data-lookup");
    var timer = null;
    var asked = null;
    if (!list || !url) {
      return;
    }
    function fill(results) {
      var options = results.map(function (region) {
        var option = document.createElement("option");
        option.value = region.code;
        option.label = region.name + (region.parent ? "（" + region.parent + "）" : "");
        option.textContent = option.label;
        return option;
      });
      list.replaceChildren.apply(list, options);
    }
    function ask() {
      var text = input.value.trim();
      if (text === asked) {
        return;
      }
      asked = text;
      fetch(url + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (asked === text) {
            fill(data.results || []);
          }
        })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
    });
    input.addEventListener("focus", ask, { once: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-region-lookup], input[data-lookup]").forEach(attach);
  });
})();
