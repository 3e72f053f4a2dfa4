// "Add to list" on every paper card and on the paper page. One dialog for the page, made on
// first use: it offers the lists I may change (GET /api/lists/?scope=editable&paper=...; a
// list that holds the paper already says so and cannot be chosen), a note in Markdown, and
// adds the paper through the API. A native modal <dialog>: the keyboard stays inside it,
// Escape closes it, and the focus goes back to the button that opened it.
import { api } from "./api.js";
import { announce, busy, clearError, h, showFormErrors } from "./ui.js";

let parts = null;
let opener = null;

function build() {
  const heading = h("h2", { id: "add-to-list-h" });
  const select = h("select", { id: "add-to-list-list", name: "list", required: true });
  const note = h("textarea", { id: "add-to-list-note", name: "note", rows: 3, maxlength: 10000 });
  const submit = h("button", { type: "submit", text: "Add" });
  const cancel = h("button", { type: "button", class: "secondary", text: "Cancel" });
  const fields = h(
    "div",
    { class: "stack" },
    h("label", { for: "add-to-list-list", text: "List" }),
    select,
    h("label", { for: "add-to-list-note" }, "Note ", h("span", { class: "hint", text: "(Markdown, optional)" })),
    note,
  );
  const empty = h(
    "p",
    { hidden: true, "data-empty": true },
    "You have no list you can add papers to yet. ",
    h("a", { href: "/lists/", text: "Make one on My lists" }),
    ".",
  );
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    heading,
    empty,
    fields,
    h("div", { class: "row-form" }, submit, cancel),
    h("p", { class: "error", role: "alert", "data-error-for": "add-to-list" }),
  );
  const dialog = h("dialog", { class: "add-to-list-dialog", "aria-labelledby": "add-to-list-h" }, form);
  document.body.append(dialog);
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (opener && opener.isConnected) opener.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    add();
  });
  return { dialog, form, heading, select, note, submit, fields, empty };
}

async function editableLists(paperId) {
  const lists = [];
  let url = `/api/lists/?scope=editable&page_size=100&paper=${encodeURIComponent(paperId)}`;
  while (url) {
    const page = await api(url);
    lists.push(...page.results);
    url = page.next;
  }
  return lists;
}

async function open(button) {
  parts = parts || build();
  opener = button;
  const { dialog, form, heading, select, note, submit, fields, empty } = parts;
  form.dataset.paper = button.dataset.addToList;
  heading.textContent = `Add “${button.dataset.paperTitle}” to a list`;
  note.value = "";
  clearError(form, "add-to-list");
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  select.replaceChildren(h("option", { value: "", text: "Loading your lists…" }));
  fields.hidden = false;
  empty.hidden = true;
  submit.hidden = false;
  busy(submit, true);
  dialog.showModal();
  select.focus();
  try {
    const lists = await editableLists(form.dataset.paper);
    const choices = lists.map((list) =>
      h("option", {
        value: list.id,
        "data-name": list.name,
        disabled: list.has_paper,
        text: `${list.name} (${list.visibility === "team" ? "team" : "personal"})${list.has_paper ? ": on it already" : ""}`,
      }),
    );
    select.replaceChildren(...choices);
    const free = lists.find((list) => !list.has_paper);
    if (free) select.value = String(free.id);
    if (!lists.length) {
      fields.hidden = true;
      submit.hidden = true;
      empty.hidden = false;
      empty.querySelector("a").focus();
    } else if (!free) {
      showFormErrors(form, "add-to-list", { message: "This paper is on each of your lists already." });
    }
    busy(submit, !free);
  } catch (error) {
    select.replaceChildren();
    showFormErrors(form, "add-to-list", error);
  }
}

async function add() {
  const { dialog, form, select, note, submit } = parts;
  const choice = select.selectedOptions[0];
  if (!choice || !choice.value || choice.disabled) return;
  busy(submit, true);
  clearError(form, "add-to-list");
  try {
    await api(`/api/lists/${encodeURIComponent(choice.value)}/items/`, {
      method: "POST",
      json: { paper: Number(form.dataset.paper), note: note.value },
    });
    const name = choice.dataset.name;
    dialog.close();
    announce(`Added to “${name}”.`);
  } catch (error) {
    showFormErrors(form, "add-to-list", error);
  } finally {
    busy(submit, false);
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-add-to-list]");
  if (button) open(button);
});
