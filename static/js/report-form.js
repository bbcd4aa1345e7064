// Weekly report form: show the coordination text only when asked for (photos: photo-upload.js).
(function () {
  "use strict";
  function setUp() {
    var flag = document.querySelector("input[name=needs_coordination]");
    var text = document.querySelector("textarea[name=coordination_request]");
    if (flag && text) {
      var field = text.closest(".field");
      var sync = function () { field.hidden = !flag.checked && !text.value; };
      flag.addEventListener("change", sync);
      sync();
    }
  }
  setUp();
  // The photo script replaces the form when it comes back with an error.
  document.addEventListener("form:replaced", setUp);
})();
