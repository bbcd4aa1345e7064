// The 打印 button of list and rollup pages (<button type="button" data-print>): opens the
// browser's print dialog; static/css/print.css lays the page out on A4.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
