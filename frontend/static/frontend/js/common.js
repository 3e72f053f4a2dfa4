// Loaded on every page: upvote buttons wherever they are (feed cards, the paper page), the
// lists' "Load more", a member's marks and "Add to list" on papers, and Follow buttons.
import "./loadmore.js";
import "./marks.js";
import "./addtolist.js";
import "./follow.js";
import { api } from "./api.js";
import { busy, clearError, showError } from "./ui.js";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-vote]");
  if (!button) return;
  const voted = button.getAttribute("aria-pressed") === "true";
  const url = `/api/papers/${encodeURIComponent(button.dataset.vote)}/vote/`;
  busy(button, true);
  clearError(button.parentNode, "vote");
  try {
    const result = await api(url, { method: voted ? "DELETE" : "POST" });
    button.setAttribute("aria-pressed", result.voted ? "true" : "false");
    button.querySelector(".vote-count").textContent = String(result.vote_count);
  } catch (error) {
    showError(button.parentNode, "vote", error.message);
  } finally {
    busy(button, false);
  }
});
