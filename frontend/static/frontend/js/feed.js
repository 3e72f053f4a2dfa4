// Feed, tag, search and digest-day pages: "load more" follows the API's `next` link and
// appends the papers it returns, built with the same markup as the server's first paint.
import { api } from "./api.js";
import { busy, clearError, h, showError } from "./ui.js";

const SHORT = 240;

function abstractBlock(text) {
  if (!text) return null;
  if (text.length <= 280) return h("p", { class: "abstract", text });
  const short = `${text.slice(0, SHORT - 1)}…`;
  return h(
    "details",
    { class: "abstract" },
    h(
      "summary",
      {},
      h("span", { class: "abstract-short", text: short }),
      " ",
      h("span", { class: "more", text: "Show the whole abstract" }),
    ),
    h("p", { text }),
  );
}

export function paperCard(paper, { member, moderator }) {
  const paperUrl = `/papers/${paper.id}/`;
  const count = h("span", { class: "vote-count", text: String(paper.vote_count) });
  const vote = member
    ? h(
        "button",
        {
          type: "button",
          class: "vote",
          "data-vote": paper.id,
          "aria-pressed": paper.voted ? "true" : "false",
          "aria-label": `Upvote “${paper.title}”`,
        },
        h("span", { "aria-hidden": "true", text: "▲" }),
        " ",
        count,
      )
    : h(
        "a",
        { class: "vote", href: `/accounts/login/?next=${encodeURIComponent(location.pathname + location.search)}`, title: "Log in to vote" },
        h("span", { "aria-hidden": "true", text: "▲" }),
        " ",
        count,
        h("span", { class: "visually-hidden", text: "votes; log in to vote" }),
      );
  const meta = h("p", { class: "meta" });
  if (paper.first_digest_on) {
    meta.append(h("a", { href: `/?date=${paper.first_digest_on}`, text: `Digest ${paper.first_digest_on}` }), " · ");
  }
  const n = paper.comment_count;
  meta.append(h("a", { href: `${paperUrl}#comments`, text: `${n} comment${n === 1 ? "" : "s"}` }));
  if (moderator && paper.status) {
    meta.append(" · ", h("span", { class: `state state-${paper.status}`, text: paper.status[0].toUpperCase() + paper.status.slice(1) }));
  }
  const tags = (paper.tags || []).length
    ? h(
        "ul",
        { class: "tags", "aria-label": "Tags" },
        paper.tags.map((t) => h("li", {}, h("a", { class: "chip", href: `/tags/${encodeURIComponent(t.slug)}/`, text: t.name }))),
      )
    : null;
  return h(
    "article",
    { class: "paper", "data-paper-id": paper.id },
    h("div", { class: "vote-box" }, vote, h("span", { class: "error", role: "alert", "data-error-for": "vote" })),
    h(
      "div",
      { class: "paper-body" },
      h("h2", { class: "paper-title" }, h("a", { href: paperUrl, text: paper.title })),
      abstractBlock(paper.abstract || ""),
      meta,
      tags,
    ),
  );
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-load-more]");
  if (!button) return;
  const list = button.closest("[data-list]");
  const items = list.querySelector("[data-items]");
  const flags = { member: list.dataset.member === "1", moderator: list.dataset.moderator === "1" };
  busy(button, true);
  clearError(button.parentNode, "load-more");
  try {
    const page = await api(button.dataset.loadMore);
    const first = items.children.length;
    for (const paper of page.results) items.append(paperCard(paper, flags));
    // Keyboard users land on the first new paper.
    const firstNew = items.children[first];
    if (firstNew) {
      const link = firstNew.querySelector(".paper-title a");
      if (link) link.focus();
    }
    if (page.next) {
      button.dataset.loadMore = page.next;
    } else {
      button.parentNode.replaceWith(h("p", { class: "end", text: "That is all." }));
    }
  } catch (error) {
    showError(button.parentNode, "load-more", error.message);
  } finally {
    busy(button, false);
  }
});
