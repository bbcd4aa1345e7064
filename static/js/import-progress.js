// The progress bar of an Excel import that runs in the background (members:import-job):
// polls the job's small JSON status every two seconds, moves the bar, and reloads the page
// once the job has finished (its summary and rows are then on the page).
(() => {
  const box = document.getElementById("import-progress");
  if (!box) {
    return;
  }
  const bar = document.getElementById("import-bar");
  const state = document.getElementById("import-state");
  const count = document.getElementById("import-count");
  const poll = () => {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((status) => {
        if (!status.running) {
          window.location.reload();
          return;
        }
        bar.value = status.percent;
        bar.textContent = `${status.percent}%`;
        state.textContent = status.state_label;
        if (status.total) {
          count.textContent = `${status.done} / ${status.total}`;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  window.setTimeout(poll, 1000);
})();
