// Uploads (admins): send each dropped file to POST /api/dumps/ at once, then follow each
// dump at its URL until it is done (stats, warnings with their line numbers) or failed (its
// error). A file the API refuses (too large, a duplicate, a bad date) shows the API's reason.
import { api } from "./api.js";
import { busy, clearError, h, showError } from "./ui.js";

const POLL_MS = 500;
const form = document.querySelector("[data-upload-form]");
const input = form.elements.namedItem("file");
const zone = form.querySelector("[data-dropzone]");
const list = document.querySelector("[data-uploads]");
const section = document.querySelector("[data-upload-section]");
const earlier = document.querySelector("[data-earlier-dumps]");

const STATS = [
  ["digests", "digest days"],
  ["entries", "entries"],
  ["new_entries", "new entries"],
  ["new_papers", "new papers"],
  ["existing_papers", "papers already known"],
  ["warnings", "warnings"],
];

function row(file) {
  const progress = h("progress", { max: 100, value: 0, "aria-label": `Progress of ${file.name}` });
  const status = h("span", { class: "upload-status", "data-status": "waiting", text: "Waiting…" });
  const result = h("div", { class: "upload-result" });
  const item = h(
    "li",
    { class: "upload", "data-upload": file.name },
    h("p", { class: "upload-head" }, h("strong", { text: file.name }), " ", status),
    progress,
    result,
  );
  return { item, progress, status, result };
}

function setStatus(view, state, text) {
  view.status.dataset.status = state;
  view.status.textContent = text;
}

function showDone(view, dump) {
  view.progress.value = 100;
  setStatus(view, "done", "Done");
  const stats = dump.stats || {};
  view.result.replaceChildren(
    h(
      "dl",
      { class: "stats" },
      STATS.filter(([key]) => key in stats).map(([key, label]) =>
        h("div", {}, h("dt", { text: label }), h("dd", { text: String(stats[key]) })),
      ),
    ),
  );
  if (dump.digests && dump.digests.length) {
    view.result.append(
      h("p", {}, "Digest days: ", dump.digests.map((d, i) => [i ? ", " : "", h("a", { href: `/?date=${d}`, text: d })])),
    );
  }
  if (dump.warnings && dump.warnings.length) {
    view.result.append(
      h("h3", { text: `Warnings (${dump.warning_count || dump.warnings.length})` }),
      h("ul", { class: "warnings" }, dump.warnings.map((w) => h("li", {}, h("span", { class: "line", text: `line ${w.line}` }), ": ", w.message))),
    );
  }
}

function showFailed(view, message) {
  setStatus(view, "failed", "Failed");
  view.progress.classList.add("failed");
  view.result.replaceChildren(h("p", { class: "error", role: "alert", text: message }));
}

// The list of earlier dumps, rendered again by the server once a dump has ended (it is not
// worth a failure of its own: the next visit shows it anyway).
async function refreshEarlier() {
  try {
    const response = await fetch(earlier.dataset.refreshUrl, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (!response.ok) return;
    const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
    earlier.querySelector("[data-earlier-dumps-list]").replaceChildren(
      ...[...fragment.body.childNodes].map((node) => document.importNode(node, true)),
    );
  } catch {
    // Offline for a moment: the list stays as it was.
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A passing server error while polling (a busy database) is tried again a few times before
// the row says so; a refusal (4xx) is final.
const POLL_RETRIES = 5;

async function follow(view, dump) {
  let failures = 0;
  for (;;) {
    view.progress.value = dump.progress ? dump.progress.percent : 0;
    if (dump.status === "done") return showDone(view, dump);
    if (dump.status === "failed") return showFailed(view, dump.error || "The ingestion failed.");
    setStatus(view, dump.status, dump.status === "queued" ? "Queued…" : `Ingesting… ${view.progress.value}%`);
    await sleep(POLL_MS);
    try {
      dump = await api(dump.url);
      failures = 0;
    } catch (error) {
      failures += 1;
      if ((error.status && error.status < 500) || failures > POLL_RETRIES) throw error;
    }
  }
}

// Files are sent one after the other (each POST returns as soon as the file is stored and
// queued, with workers or in the embedded default), and every sent file is followed at once.
async function upload(view, file, date, publish) {
  const body = new FormData();
  body.append("file", file);
  if (date) body.append("date", date);
  body.append("publish", publish ? "true" : "false");
  setStatus(view, "uploading", "Uploading…");
  let dump;
  try {
    dump = await api("/api/dumps/", { method: "POST", form: body });
  } catch (error) {
    showFailed(view, error.message);
    return { followed: Promise.resolve() };
  }
  // Wrapped, so that awaiting the upload does not wait for the ingestion too.
  const followed = follow(view, dump)
    .catch((error) => showFailed(view, error.message))
    .then(refreshEarlier);
  return { followed };
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const files = [...input.files];
  clearError(form, "upload");
  if (!files.length) {
    showError(form, "upload", "Choose or drop at least one file.");
    return;
  }
  const button = form.querySelector("button[type=submit]");
  busy(button, true);
  section.hidden = false;
  list.replaceChildren();
  const date = form.elements.namedItem("date").value;
  const publish = form.elements.namedItem("publish").checked;
  // Emptied now, not at the end: files chosen meanwhile are the next upload's.
  input.value = "";
  const views = files.map((file) => {
    const view = row(file);
    list.append(view.item);
    return view;
  });
  const following = [];
  for (const [i, file] of files.entries()) {
    following.push((await upload(views[i], file, date, publish)).followed);
  }
  await Promise.all(following);
  busy(button, false);
});

for (const name of ["dragenter", "dragover"]) {
  zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
}
for (const name of ["dragleave", "drop"]) {
  zone.addEventListener(name, () => zone.classList.remove("over"));
}
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  if (event.dataTransfer && event.dataTransfer.files.length) {
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  }
});
