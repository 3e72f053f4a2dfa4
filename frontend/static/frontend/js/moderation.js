// The moderation queue: publish or reject pending papers (also with the keyboard: j/k move,
// p publishes, r rejects, x selects), bulk publish, and hide/restore/dismiss flagged comments.
// Each action is the API's; a refusal is shown next to the item.
import { api } from "./api.js";
import { announce, busy, clearError, showError } from "./ui.js";

const items = () => [...document.querySelectorAll("[data-queue-paper]")];
let current = null;

function focusItem(item) {
  if (!item) return;
  items().forEach((i) => i.classList.remove("current"));
  current = item;
  item.classList.add("current");
  item.focus();
  item.scrollIntoView({ block: "nearest" });
}

function updateCount(delta) {
  const count = document.querySelector("[data-pending-count]");
  const n = Number(count.textContent.replace(/\D/g, "")) + delta;
  count.textContent = `(${Math.max(0, n)})`;
}

// "N selected": the papers a bulk action would act on, exactly those checked.
function selected() {
  return items().filter((i) => i.querySelector("[data-select]").checked);
}

function updateSelected() {
  const chosen = selected().length;
  const label = document.querySelector("[data-selected-count]");
  if (label) label.textContent = `${chosen} selected`;
  // "Select all shown" says whether all, some or none of the items shown are selected, also
  // after one is unticked or a page more came in unticked.
  const all = document.querySelector("[data-select-all]");
  if (all) {
    const shown = items().length;
    all.checked = shown > 0 && chosen === shown;
    all.indeterminate = chosen > 0 && chosen < shown;
  }
}

// Take items off the list (published, rejected): the count follows, the current item moves to
// the one after the first taken (else the one before), and an emptied page brings the next.
function removeItems(gone, message) {
  const list = items();
  gone = gone.filter((item) => list.includes(item));
  if (!gone.length) return;
  const at = list.indexOf(gone[0]);
  const staying = list.filter((item) => !gone.includes(item));
  const next = staying.find((item) => list.indexOf(item) > at) || staying.filter((item) => list.indexOf(item) < at).pop() || null;
  gone.forEach((item) => item.remove());
  updateCount(-gone.length);
  updateSelected();
  announce(message);
  if (next) focusItem(next);
  if (!items().length) {
    // More wait beyond this page: bring the next one in its place.
    const more = document.querySelector("[data-pending] a[data-load-more]");
    if (more) {
      more.click();
      return;
    }
    document.querySelector("[data-pending] .queue")?.replaceWith(
      Object.assign(document.createElement("p"), { className: "empty", textContent: "No paper waits." }),
    );
    document.querySelector(".bulk")?.remove();
  }
}

function removeItem(item, message) {
  removeItems([item], message);
}

async function transition(item, toState, reason = "") {
  const id = item.dataset.queuePaper;
  await api(`/api/papers/${id}/transition/`, { method: "POST", json: { to_state: toState, reason } });
}

async function publish(item) {
  clearError(item, "paper");
  const button = item.querySelector("[data-publish]");
  busy(button, true);
  try {
    await transition(item, "published");
    removeItem(item, `Published “${item.dataset.title}”.`);
    return true;
  } catch (error) {
    showError(item, "paper", error.message);
    busy(button, false);
    return false;
  }
}

async function reject(item) {
  clearError(item, "paper");
  const reason = item.querySelector("[data-reason]");
  if (!reason.value.trim()) {
    showError(item, "paper", "Type a reason, then press Enter to reject.");
    reason.focus();
    return;
  }
  const button = item.querySelector("[data-reject]");
  busy(button, true);
  try {
    await transition(item, "rejected", reason.value);
    removeItem(item, `Rejected “${item.dataset.title}”.`);
  } catch (error) {
    showError(item, "paper", error.message);
    busy(button, false);
  }
}

document.addEventListener("click", (event) => {
  const item = event.target.closest("[data-queue-paper]");
  if (!item) return;
  if (event.target.closest("[data-publish]")) publish(item);
  else if (event.target.closest("[data-reject]")) reject(item);
  else if (!event.target.closest("a, input, button")) focusItem(item);
});

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (target.matches && target.matches("[data-queue-paper] [data-reason]") && event.key === "Enter") {
    event.preventDefault();
    reject(target.closest("[data-queue-paper]"));
    return;
  }
  if (target.matches && target.matches("[data-queue-paper] [data-reason]") && event.key === "Escape") {
    focusItem(target.closest("[data-queue-paper]"));
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
  const list = items();
  if (!list.length) return;
  const at = current && list.includes(current) ? list.indexOf(current) : -1;
  switch (event.key) {
    case "j":
      focusItem(list[Math.min(list.length - 1, at + 1)]);
      break;
    case "k":
      focusItem(list[Math.max(0, at - 1)]);
      break;
    case "p":
      if (at >= 0) publish(list[at]);
      break;
    case "r":
      if (at >= 0) {
        event.preventDefault();
        list[at].querySelector("[data-reason]").focus();
        showError(list[at], "paper", "Type a reason, then press Enter to reject.");
      }
      break;
    case "x":
      if (at >= 0) {
        const box = list[at].querySelector("[data-select]");
        box.checked = !box.checked;
        updateSelected();
      }
      break;
    default:
      return;
  }
});

document.querySelector("[data-select-all]")?.addEventListener("change", (event) => {
  items().forEach((i) => {
    i.querySelector("[data-select]").checked = event.target.checked;
  });
  updateSelected();
  announce(`${selected().length} selected.`);
});

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-queue-paper] [data-select]")) updateSelected();
});

// Items come (Load more) and go (published, rejected): the selection's words follow.
const queueList = document.querySelector("[data-pending] [data-items]");
if (queueList) new MutationObserver(updateSelected).observe(queueList, { childList: true });

// The count of pending papers as the API counts it, narrowed as this page is, after a bulk
// action: papers another moderator took meanwhile are no longer counted either.
async function refreshPendingCount() {
  const query = new URLSearchParams({ page_size: "1" });
  // The filters the page took (data-source, data-dump, data-date), not the address's words,
  // which the page ignores when it does not know them and the API would refuse.
  const section = document.querySelector("[data-pending]");
  for (const name of ["source", "dump", "date"]) {
    if (section.dataset[name]) query.set(name, section.dataset[name]);
  }
  try {
    const queue = await api(`/api/moderation/queue/?${query}`);
    document.querySelector("[data-pending-count]").textContent = `(${queue.papers.count})`;
  } catch {
    // The page's own count, kept by each action, stands until the next page load.
  }
}

// One request for all the selected papers (POST /api/papers/transition/): each moves or is
// refused on its own; those that moved leave the list, each refused one says why.
document.querySelector("[data-bulk-publish]")?.addEventListener("click", async (event) => {
  const button = event.target;
  const chosen = selected();
  clearError(button.parentNode, "bulk");
  if (!chosen.length) {
    showError(button.parentNode, "bulk", "Select the papers to publish first.");
    return;
  }
  busy(button, true);
  const byId = new Map(chosen.map((item) => [Number(item.dataset.queuePaper), item]));
  for (const item of chosen) {
    clearError(item, "paper");
    busy(item.querySelector("[data-publish]"), true);
  }
  let outcome;
  try {
    outcome = await api("/api/papers/transition/", {
      method: "POST",
      json: { paper_ids: [...byId.keys()], to_state: "published" },
    });
  } catch (error) {
    // Nothing moved (a refused role, throttled, the server out of reach): say so once.
    chosen.forEach((item) => busy(item.querySelector("[data-publish]"), false));
    busy(button, false);
    showError(button.parentNode, "bulk", error.message);
    return;
  }
  for (const { id, message } of outcome.refused) {
    const item = byId.get(id);
    if (!item) continue;
    showError(item, "paper", message);
    busy(item.querySelector("[data-publish]"), false);
  }
  const done = outcome.moved.length;
  const failed = outcome.refused.length;
  const summary = `Published ${done} paper${done === 1 ? "" : "s"}${failed ? `; ${failed} refused (see below)` : ""}.`;
  removeItems(
    outcome.moved.map(({ id }) => byId.get(id)).filter(Boolean),
    summary,
  );
  if (button.isConnected) busy(button, false);
  updateSelected();
  await refreshPendingCount();
  announce(summary);
  if (failed && button.isConnected) showError(button.parentNode, "bulk", `${failed} could not be published; each says why.`);
});

// --- Flagged comments ---------------------------------------------------------------------
// The count of flagged comments as the API counts it after an action (another moderator
// may have acted meanwhile). The queue's filters narrow its papers only, not its comments.
async function refreshFlaggedCount() {
  try {
    const queue = await api("/api/moderation/queue/?page_size=1");
    document.querySelector("[data-flagged-count]").textContent = `(${queue.comments.count})`;
  } catch {
    // The action itself succeeded; the count is right again on the next page load.
  }
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-comment-action]");
  if (!button) return;
  const item = button.closest("[data-queue-comment]");
  const action = button.dataset.commentAction;
  clearError(item, "comment");
  busy(button, true);
  try {
    await api(`/api/comments/${item.dataset.queueComment}/moderate/`, {
      method: "POST",
      json: { action, reason: item.querySelector("[data-reason]").value },
    });
    const words = { hide: "Hidden", restore: "Restored", dismiss_flags: "Flags dismissed" };
    item.replaceChildren(Object.assign(document.createElement("p"), { className: "notice", textContent: `${words[action]}.` }));
    announce(`${words[action]}.`);
    await refreshFlaggedCount();
  } catch (error) {
    showError(item, "comment", error.message);
    busy(button, false);
  }
});
