// The moderation log: "load more" follows the API's cursor and appends rows as text.
import { api } from "./api.js";
import { busy, clearError, h, showError } from "./ui.js";

const ACTIONS = { publish: "Publish", reject: "Reject", hide: "Hide", restore: "Restore", dismiss_flags: "Dismiss flags", create: "Create", rename: "Rename", merge: "Merge", delete: "Delete" };
const KINDS = { paper: "Paper", comment: "Comment", tag: "Tag" };

function row(e) {
  const when = new Date(e.created_at);
  const pad = (n) => String(n).padStart(2, "0");
  const stamp = `${when.getUTCFullYear()}-${pad(when.getUTCMonth() + 1)}-${pad(when.getUTCDate())} ${pad(when.getUTCHours())}:${pad(when.getUTCMinutes())}`;
  const label = e.target_label || String(e.target_id);
  const target = e.target_kind === "paper" ? h("a", { href: `/papers/${e.target_id}/`, text: label }) : label;
  return h(
    "tr",
    {},
    h("td", {}, h("time", { datetime: e.created_at, text: stamp })),
    h("td", { text: e.moderator || "—" }),
    h("td", { text: ACTIONS[e.action] || e.action }),
    h("td", {}, `${KINDS[e.target_kind] || e.target_kind}: `, target),
    h("td", { text: e.from_state || e.to_state ? `${e.from_state} → ${e.to_state}` : "" }),
    h("td", { text: e.reason }),
  );
}

const button = document.querySelector("[data-load-log]");
button?.addEventListener("click", async () => {
  busy(button, true);
  clearError(button.parentNode, "load-more");
  try {
    const page = await api(button.dataset.loadLog);
    const body = document.querySelector("[data-items]");
    page.results.forEach((e) => body.append(row(e)));
    if (page.next) button.dataset.loadLog = page.next;
    else button.parentNode.replaceWith(h("p", { class: "end", text: "That is the whole log." }));
  } catch (error) {
    showError(button.parentNode, "load-more", error.message);
  } finally {
    busy(button, false);
  }
});
