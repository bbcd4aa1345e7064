// A header checkbox with data-select-all="NAME" ticks or clears every checkbox NAME of its
// form, wherever they stand on the page (form="…"): the review queue's 全选本页.
document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("input[type=checkbox][data-select-all]")) {
    const name = all.dataset.selectAll;
    all.addEventListener("change", () => {
      for (const box of all.form.elements) {
        if (box.type === "checkbox" && box.name === name) box.checked = all.checked;
      }
    });
  }
});
