// A member's own marks on a paper (read, not interested), wherever its buttons are: feed
// cards, a list's papers, the paper page. Each button says whether the mark is set
// (aria-pressed); with the "hide papers I marked" setting of My page, marked papers leave
// the member's listings at the next page load.
import { api } from "./api.js";
import { clearError, showError } from "./ui.js";

const LABELS = { read: "read", not_interested: "not interested" };

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-mark]");
  if (!button || button.getAttribute("aria-busy") === "true") return;
  const kind = button.dataset.mark;
  const set = button.getAttribute("aria-pressed") !== "true";
  const url = `/api/papers/${encodeURIComponent(button.dataset.paper)}/mark/`;
  // Busy without `disabled`: a disabled button drops the keyboard focus.
  button.setAttribute("aria-busy", "true");
  clearError(button.parentNode, "mark");
  try {
    const result = set
      ? await api(url, { method: "POST", json: { mark: kind } })
      : await api(`${url}?mark=${encodeURIComponent(kind)}`, { method: "DELETE" });
    button.setAttribute("aria-pressed", result.marks.includes(kind) ? "true" : "false");
    button.title = result.marks.includes(kind) ? `Marked ${LABELS[kind]}; press to take the mark off` : "";
  } catch (error) {
    showError(button.parentNode, "mark", error.message);
  } finally {
    button.setAttribute("aria-busy", "false");
  }
});
