// "Load more" on every list page (feeds, a tag, search, a digest day, the moderation log and
// queue): the link leads to the page after this one; here the page's items alone are fetched
// (`partial=items`, rendered by the same templates as the first page) and appended, and the
// link is replaced by the one that came with them.
import { busy, clearError, showError } from "./ui.js";

function partialUrl(href) {
  const url = new URL(href, location.href);
  url.searchParams.set("partial", "items");
  return url;
}

document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[data-load-more]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  if (link.getAttribute("aria-busy") === "true") return;
  const list = link.closest("[data-list]");
  const items = list.querySelector("[data-items]");
  const box = link.parentNode;
  busy(link, true);
  clearError(box, "load-more");
  try {
    const response = await fetch(partialUrl(link.href), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (!response.ok) throw new Error(`The next page could not be loaded (${response.status}).`);
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const added = [...page.querySelector("[data-items]").children];
    const first = items.children.length;
    items.append(...added.map((node) => document.importNode(node, true)));
    const next = page.querySelector(".load-more, .end");
    box.replaceWith(next ? document.importNode(next, true) : "");
    // Keyboard users land on the first new item.
    const landing = items.children[first]?.querySelector("a, button");
    if (landing) landing.focus();
  } catch (error) {
    showError(box, "load-more", error.message);
    busy(link, false);
  }
});
