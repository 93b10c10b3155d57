// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// Long work (an upload being checked): show progress as it happens, instead of
// the person pressing "Check progress". The status text is a live region.
for (const module of document.querySelectorAll('[data-module="app-progress"]')) {
  const text = module.querySelector("[data-progress-text]");
  const bar = module.querySelector("progress");
  const link = module.querySelector("[data-progress-link]");
  const poll = async () => {
    const response = await fetch(module.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const progress = await response.json();
    text.textContent = progress.text;
    if (progress.total) bar.value = Math.round((100 * progress.checked) / progress.total);
    if (progress.working) {
      window.setTimeout(poll, 2000);
    } else {
      bar.value = 100;
      link.textContent = "See the result";
    }
  };
  window.setTimeout(poll, 2000);
}
