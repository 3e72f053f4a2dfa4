// A list's page: move its papers up and down, write their notes, take them off, through the
// API (/api/lists/<id>/items/<item>/). The services decide who may; their sentence shows
// next to the paper. Papers are added from their cards (addtolist.js).
import { api } from "./api.js";
import { announce, busy, clearError, h, showError, showFormErrors } from "./ui.js";

const page = document.querySelector("[data-list-id]");
const base = `/api/lists/${page.dataset.listId}/items`;
const items = page.querySelector("ol[data-items]");

function rows() {
  return [...items.querySelectorAll(":scope > li[data-item-id]")];
}

// The first paper cannot move up, nor the last down (while no later page waits unloaded).
// aria-disabled rather than disabled: the button keeps the keyboard focus.
function refresh() {
  const all = rows();
  const more = Boolean(page.querySelector("a[data-load-more]"));
  all.forEach((row, i) => {
    const up = row.querySelector('button[data-move="up"]');
    const down = row.querySelector('button[data-move="down"]');
    if (up) up.setAttribute("aria-disabled", i === 0 ? "true" : "false");
    if (down) down.setAttribute("aria-disabled", i === all.length - 1 && !more ? "true" : "false");
  });
  page.querySelector("[data-no-items]").hidden = all.length > 0;
}

async function move(row, button) {
  if (button.getAttribute("aria-disabled") === "true") return;
  const direction = button.dataset.move;
  const neighbour = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
  button.setAttribute("aria-busy", "true");
  const item = await api(`${base}/${row.dataset.itemId}/`, { method: "PATCH", json: { move: direction } });
  button.setAttribute("aria-busy", "false");
  if (neighbour) {
    if (direction === "up") neighbour.before(row);
    else neighbour.after(row);
  } else if (direction === "down") {
    row.remove(); // it went past the papers of this page: it is on the next one
  }
  refresh();
  // Moving the row took the focus off its button: give it back, or to the other way.
  const again = row.isConnected ? row.querySelector(`button[data-move="${direction}"]`) : null;
  const other = row.isConnected ? row.querySelector(`button[data-move="${direction === "up" ? "down" : "up"}"]`) : null;
  if (again && again.getAttribute("aria-disabled") !== "true") again.focus();
  else if (other) other.focus();
  else document.getElementById("main").focus();
  const place = rows().indexOf(row) + 1;
  announce(place ? `Moved “${row.dataset.title}” to place ${place}.` : `Moved “${row.dataset.title}” down, to the next page.`);
  return item;
}

async function remove(row, button) {
  if (!window.confirm(`Take “${row.dataset.title}” off this list? Its note goes with it.`)) return;
  busy(button, true);
  try {
    await api(`${base}/${row.dataset.itemId}/`, { method: "DELETE" });
  } catch (error) {
    busy(button, false);
    throw error;
  }
  const next = row.nextElementSibling || row.previousElementSibling;
  row.remove();
  refresh();
  const count = page.querySelector("[data-item-count]");
  if (count) {
    const left = Math.max(0, Number(count.dataset.itemCount) - 1);
    count.dataset.itemCount = String(left);
    count.textContent = `${left} paper${left === 1 ? "" : "s"}`;
  }
  announce(`Took “${row.dataset.title}” off the list.`);
  const landing = next ? next.querySelector(".item-actions button") : document.getElementById("main");
  if (landing) landing.focus();
}

function editNote(row) {
  const actions = row.querySelector(".item-actions");
  row.querySelector("form.note-form")?.remove();
  const source = row.querySelector("template[data-note-source]");
  const id = `note-${row.dataset.itemId}`;
  const field = h("textarea", { id, name: "note", rows: 3, maxlength: 10000 });
  field.value = source ? source.content.textContent : "";
  const form = h(
    "form",
    { class: "note-form inline-form" },
    h("label", { for: id, text: `Note on “${row.dataset.title}” (Markdown)` }),
    field,
    h(
      "div",
      { class: "row-form" },
      h("button", { type: "submit", text: "Save note" }),
      h("button", { type: "button", "data-cancel": true, text: "Cancel" }),
      h("span", { class: "error", role: "alert", "data-error-for": "note" }),
    ),
  );
  const close = () => {
    form.remove();
    row.querySelector("button[data-edit-note]").focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    busy(submit, true);
    clearError(form, "note");
    try {
      const item = await api(`${base}/${row.dataset.itemId}/`, { method: "PATCH", json: { note: field.value } });
      // Sanitized by the server when the note was written: the one HTML inserted here.
      row.querySelector("[data-note]").innerHTML = item.note_html;
      if (source) source.content.textContent = item.note;
      announce(item.note ? "The note was saved." : "The note was taken off.");
      close();
    } catch (error) {
      showFormErrors(form, "note", error);
      busy(submit, false);
    }
  });
  form.querySelector("[data-cancel]").addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  actions.before(form);
  field.focus();
}

items.addEventListener("click", async (event) => {
  const button = event.target.closest(".item-actions button");
  if (!button || button.getAttribute("aria-busy") === "true") return;
  const row = button.closest("li[data-item-id]");
  clearError(row, "item");
  try {
    if (button.dataset.move) await move(row, button);
    else if ("removeItem" in button.dataset) await remove(row, button);
    else if ("editNote" in button.dataset) editNote(row);
  } catch (error) {
    button.setAttribute("aria-busy", "false");
    showError(row.querySelector(".item-actions"), "item", error.message);
  }
});

// Rows appended by "Load more" need their buttons' state too.
new MutationObserver(refresh).observe(items, { childList: true });
refresh();
