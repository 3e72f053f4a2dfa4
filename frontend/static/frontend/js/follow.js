// Follow buttons (a tag's, a paper's, a list's and a search's page) and the Unfollow buttons
// of the inbox page's follows, through /api/follows/. A Follow button is a toggle: it says
// whether the reader follows (aria-pressed) and keeps its name; busy without `disabled`, so
// the keyboard focus stays on it.
import { api } from "./api.js";
import { clearError, h, showError } from "./ui.js";

function followed(box, following) {
  const state = box.querySelector("[data-follow-state]");
  if (!state) return;
  state.replaceChildren();
  if (following) {
    state.append("You follow it: what happens comes to your ", h("a", { href: "/inbox/", text: "inbox" }), ".");
  }
}

function body(button) {
  const kind = button.dataset.followKind;
  const target = button.dataset.followTarget;
  if (kind === "tag") return { kind, tag: target };
  if (kind === "paper") return { kind, paper: Number(target) };
  if (kind === "list") return { kind, list: Number(target) };
  const name = button.closest("[data-follow-box]").querySelector("[data-follow-name]");
  return { kind, query: target, name: name ? name.value : "" };
}

async function toggle(button) {
  const box = button.closest("[data-follow-box]");
  const id = button.dataset.followId;
  if (id) {
    await api(`/api/follows/${encodeURIComponent(id)}/`, { method: "DELETE" });
    button.dataset.followId = "";
    button.setAttribute("aria-pressed", "false");
    followed(box, false);
  } else {
    const follow = await api("/api/follows/", { method: "POST", json: body(button) });
    button.dataset.followId = String(follow.id);
    button.setAttribute("aria-pressed", "true");
    followed(box, true);
  }
}

async function unfollow(button) {
  await api(`/api/follows/${encodeURIComponent(button.dataset.unfollow)}/`, { method: "DELETE" });
  const item = button.closest("li");
  item.classList.add("stopped");
  item.querySelector("[data-follow-state]").textContent = "No longer followed.";
  button.hidden = true;
  const heading = document.getElementById("follows-h");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-follow-kind], button[data-unfollow]");
  if (!button || button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  clearError(button.parentNode, "follow");
  try {
    if (button.dataset.unfollow) await unfollow(button);
    else await toggle(button);
  } catch (error) {
    showError(button.parentNode, "follow", error.message);
  } finally {
    button.setAttribute("aria-busy", "false");
  }
});
