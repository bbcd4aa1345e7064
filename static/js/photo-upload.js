// Photos of a form, phone first: preview with a remove button, shrink on the phone, check the
// size before sending, show the upload's progress and keep the chosen files on an error.
//
// The file input (marked with data-max-bytes) always holds exactly what will be sent: each
// JPEG, PNG or WebP photo is redrawn on a canvas to at most 1600 px on its long side and
// about 300 KB (JPEG quality stepping down), unless 保留原图 is ticked. A file still over the
// server's limit is taken out with a message. The form is sent with XMLHttpRequest; when it
// comes back with an error, the page's form is replaced by the new one but the file input,
// its previews and the 保留原图 box stay, so nothing has to be chosen again. The server
// checks every file as before.
(function () {
  "use strict";
  var LONG_SIDE = 1600;
  var TARGET_BYTES = 300 * 1024;
  var QUALITIES = [0.85, 0.75, 0.65, 0.55, 0.45, 0.35];
  var SHRINKABLE = ["image/jpeg", "image/png", "image/webp"];
  var INPUT = "input[type=file][data-max-bytes]";

  var originals = [];  // the files the user chose (or kept), in order
  var pending = Promise.resolve();
  var previewUrls = [];

  function box() { return document.getElementById("photo-tools"); }
  function message(key) { return (box() && box().getAttribute("data-" + key)) || ""; }
  function keepOriginal() {
    var keep = document.getElementById("keep-original");
    return !!(keep && keep.checked);
  }
  function say(message) {
    var status = document.getElementById("photo-status");
    if (status) { status.textContent = message; status.hidden = !message; }
  }
  function megabytes(bytes) { return (bytes / 1048576).toFixed(1); }

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  // The photo redrawn at most LONG_SIDE px and about TARGET_BYTES, as a JPEG; the original
  // when it is already small enough or cannot be decoded here (the server decides then).
  function shrink(file) {
    if (SHRINKABLE.indexOf(file.type) < 0) { return Promise.resolve(file); }
    return loadImage(file).then(function (img) {
      var width = img.naturalWidth, height = img.naturalHeight;
      var scale = Math.min(1, LONG_SIDE / Math.max(width, height));
      if (scale === 1 && file.size <= TARGET_BYTES) { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG becomes a JPEG on white
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(img, 0, 0, canvas.width, canvas.height);
      var step = function (index) {
        return toBlob(canvas, QUALITIES[index]).then(function (blob) {
          if (blob && blob.size > TARGET_BYTES && index + 1 < QUALITIES.length) { return step(index + 1); }
          return blob;
        });
      };
      return step(0).then(function (blob) {
        if (!blob || (scale === 1 && blob.size >= file.size)) { return file; }
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
      });
    }).catch(function () { return file; });
  }

  function render(input) {
    var preview = document.getElementById("upload-preview");
    if (!preview) { return; }
    preview.textContent = "";
    previewUrls.forEach(function (url) { URL.revokeObjectURL(url); });
    previewUrls = [];
    originals.forEach(function (file, index) {
      var item = document.createElement("li");
      if (file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        img.className = "thumb";
        previewUrls.push(img.src);  // revoked at the next rendering, not on load: kept on an error
        item.appendChild(img);
      } else {
        var name = document.createElement("span");
        name.textContent = file.name;
        item.appendChild(name);
      }
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove-photo";
      remove.textContent = message("remove") || "×";
      remove.setAttribute("aria-label", (message("remove") || "×") + " " + file.name);
      remove.addEventListener("click", function () {
        originals.splice(index, 1);
        prepare(input);
      });
      item.appendChild(remove);
      preview.appendChild(item);
    });
  }

  // Put into the input what will be sent: shrunk photos (or the originals), none over the limit.
  function prepare(input) {
    render(input);
    var max = parseInt(input.getAttribute("data-max-bytes"), 10) || Infinity;
    var keep = keepOriginal();
    var chosen = originals.slice();
    pending = Promise.all(chosen.map(function (file) { return keep ? file : shrink(file); })).then(function (files) {
      if (chosen.length !== originals.length || chosen.some(function (f, i) { return f !== originals[i]; })) {
        return pending;  // changed meanwhile: the newer preparation decides
      }
      var refused = [];
      var transfer = new DataTransfer();
      files.forEach(function (file, index) {
        if (file.size > max) { refused.push(index); } else { transfer.items.add(file); }
      });
      if (refused.length) {
        say(message("too-large")
          .replace("{names}", refused.map(function (i) { return originals[i].name + "（" + megabytes(originals[i].size) + " MB）"; }).join("、"))
          .replace("{mb}", String(Math.round(max / 1048576))));
        originals = originals.filter(function (_file, i) { return refused.indexOf(i) < 0; });
        render(input);
      } else {
        say("");
      }
      input.files = transfer.files;
    });
    return pending;
  }

  function progressBar(form) {
    var bar = form.querySelector("progress.upload-progress");
    if (!bar) {
      bar = document.createElement("progress");
      bar.className = "upload-progress";
      bar.max = 100;
      var actions = form.querySelector(".actions");
      form.insertBefore(bar, actions);
    }
    bar.hidden = false;
    bar.value = 0;
    return bar;
  }

  // The form came back with errors: show the new form, but keep this page's file input,
  // previews and 保留原图 box (the browser cannot put files into a new input).
  function replaceForm(form, html) {
    var section = form.closest("section");
    var incoming = new DOMParser().parseFromString(html, "text/html");
    var fresh = incoming.querySelector("section." + section.className.split(" ").join("."));
    if (!fresh || !fresh.querySelector(INPUT)) { return false; }
    // Into this document first, so the kept nodes below are moved, never copied or reloaded.
    fresh = document.adoptNode(fresh);
    ["#photo-tools", "#upload-preview", "#photo-status"].forEach(function (selector) {
      var old = section.querySelector(selector), replacement = fresh.querySelector(selector);
      if (old && replacement) { replacement.replaceWith(old); }
    });
    var input = form.querySelector(INPUT);
    fresh.querySelector(INPUT).replaceWith(input);
    section.replaceWith(fresh);
    var error = document.querySelector("[role=alert]");
    if (error) { error.scrollIntoView({ block: "center" }); }
    document.dispatchEvent(new CustomEvent("form:replaced"));
    return true;
  }

  function send(form, submitter) {
    var button = submitter || form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    pending.then(function () {
      var data = new FormData(form);
      data.append("files_kept", "1");
      var bar = progressBar(form);
      var request = new XMLHttpRequest();
      var url = form.action || window.location.href;
      request.open("POST", url);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { bar.value = Math.round((event.loaded / event.total) * 100); }
      });
      request.addEventListener("load", function () {
        bar.value = 100;
        var type = request.getResponseHeader("Content-Type") || "";
        if (request.status === 200 && type.indexOf("application/json") === 0) {
          window.location.assign(JSON.parse(request.responseText).redirect);
          return;
        }
        if (button) { button.disabled = false; }
        bar.hidden = true;
        if (request.status === 200 && replaceForm(form, request.responseText)) { return; }
        if (request.status === 200 && request.responseURL && request.responseURL !== url) {
          window.location.assign(request.responseURL);  // sent elsewhere (signed out, say)
          return;
        }
        say(message("failed") + " (HTTP " + request.status + ")");
      });
      request.addEventListener("error", function () {
        if (button) { button.disabled = false; }
        bar.hidden = true;
        say(message("failed"));
      });
      request.send(data);
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches(INPUT)) {
      originals = Array.prototype.slice.call(target.files);
      prepare(target);
    } else if (target.id === "keep-original") {
      var input = document.querySelector(INPUT);
      if (input) { prepare(input); }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.querySelector(INPUT) || !window.FormData || !window.DataTransfer) { return; }
    event.preventDefault();
    send(form, event.submitter);
  });

  if (box()) { box().hidden = false; }
  // Photos chosen before this script ran (a slow network) or kept by the browser on going back.
  var chosenEarly = document.querySelector(INPUT);
  if (chosenEarly && chosenEarly.files && chosenEarly.files.length) {
    originals = Array.prototype.slice.call(chosenEarly.files);
    prepare(chosenEarly);
  }
})();
