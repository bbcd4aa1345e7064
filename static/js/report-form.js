// Weekly report form: preview the chosen photos and show the coordination text only when asked for.
(function () {
  "use strict";
  var input = document.querySelector("input[type=file][name=attachments]");
  var preview = document.getElementById("upload-preview");
  if (input && preview) {
    input.addEventListener("change", function () {
      preview.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        if (file.type.indexOf("image/") === 0) {
          var img = document.createElement("img");
          img.src = URL.createObjectURL(file);
          img.alt = file.name;
          img.className = "thumb";
          img.addEventListener("load", function () { URL.revokeObjectURL(img.src); });
          item.appendChild(img);
        } else {
          item.textContent = file.name;
        }
        preview.appendChild(item);
      });
    });
  }
  var flag = document.querySelector("input[name=needs_coordination]");
  var text = document.querySelector("textarea[name=coordination_request]");
  if (flag && text) {
    var field = text.closest(".field");
    var sync = function () { field.hidden = !flag.checked && !text.value; };
    flag.addEventListener("change", sync);
    sync();
  }
})();
