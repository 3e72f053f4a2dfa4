// The paper page: tags, the workflow (moderators), and the comment thread. Every write is an
// API call; the services behind it decide what is allowed and their sentence is shown next to
// what failed.
import { api } from "./api.js";
import { announce, busy, clearError, h, showError, showFormErrors } from "./ui.js";

const page = document.querySelector("[data-paper-id]");
const paperId = page ? page.dataset.paperId : null;
const base = `/api/papers/${paperId}`;

// After a new comment or reply, load the page again at that comment: the server renders the
// thread, so it reads the same as for everyone else.
function goToComment(id) {
  const url = new URL(location.href);
  url.searchParams.set("c", String(id));
  url.hash = `c${id}`;
  location.assign(url.toString());
}

// --- Tags ---------------------------------------------------------------------------------
const addTag = document.querySelector("[data-add-tag]");
if (addTag) {
  addTag.addEventListener("submit", async (event) => {
    event.preventDefault();
    const select = addTag.elements.namedItem("tag");
    const button = addTag.querySelector("button[type=submit]");
    busy(button, true);
    clearError(addTag, "tag");
    try {
      const tag = await api(`${base}/tags/`, { method: "POST", json: { tag: select.value } });
      const list = document.querySelector("[data-tag-list]");
      const empty = list.querySelector("[data-no-tags]");
      if (empty) empty.remove();
      list.append(
        h(
          "li",
          { "data-tag": tag.slug },
          h("a", { class: "chip", href: `/tags/${encodeURIComponent(tag.slug)}/`, text: tag.name }),
          " ",
          h("button", { type: "button", class: "chip-remove", "data-remove-tag": tag.slug, "aria-label": `Remove tag ${tag.name}`, text: "×" }),
        ),
      );
      select.querySelector(`option[value="${CSS.escape(tag.slug)}"]`)?.remove();
      if (!select.options.length) addTag.hidden = true;
      announce(`Tagged “${tag.name}”.`);
    } catch (error) {
      showError(addTag, "tag", error.message);
    } finally {
      busy(button, false);
    }
  });
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-remove-tag]");
  if (!button) return;
  const slug = button.dataset.removeTag;
  busy(button, true);
  clearError(button.closest(".paper-tags"), "tag-remove");
  try {
    await api(`${base}/tags/?tag=${encodeURIComponent(slug)}`, { method: "DELETE" });
    const item = button.closest("li");
    const name = item.querySelector("a").textContent;
    item.remove();
    const select = addTag ? addTag.elements.namedItem("tag") : null;
    if (select) {
      select.append(h("option", { value: slug, text: name }));
      addTag.hidden = false;
    }
    announce(`Removed the tag “${name}”.`);
  } catch (error) {
    showError(button.closest(".paper-tags"), "tag-remove", error.message);
    busy(button, false);
  }
});

// --- Workflow (moderators) ----------------------------------------------------------------
const transition = document.querySelector("[data-transition]");
if (transition) {
  transition.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = transition.querySelector("button[type=submit]");
    busy(button, true);
    clearError(transition, "transition");
    try {
      await api(`${base}/transition/`, {
        method: "POST",
        json: { to_state: transition.elements.namedItem("to_state").value, reason: transition.elements.namedItem("reason").value },
      });
      location.reload();
    } catch (error) {
      showError(transition, "transition", error.message);
      busy(button, false);
    }
  });
}

// --- Comments -----------------------------------------------------------------------------
const commentForm = document.querySelector("[data-comment-form]");
if (commentForm) {
  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = commentForm.querySelector("button[type=submit]");
    busy(button, true);
    clearError(commentForm, "comment");
    try {
      const comment = await api(`${base}/comments/`, {
        method: "POST",
        json: { body: commentForm.elements.namedItem("body").value },
      });
      goToComment(comment.id);
    } catch (error) {
      showFormErrors(commentForm, "comment", error);
      busy(button, false);
    }
  });
}

function inlineForm(article, { label, value = "", submitText, onSubmit, multiline = true }) {
  article.querySelector(".inline-form")?.remove();
  const id = `f-${article.dataset.commentId}-${Math.random().toString(36).slice(2, 7)}`;
  const field = multiline
    ? h("textarea", { id, name: "body", rows: 3, required: true, maxlength: 50000 })
    : h("input", { id, name: "reason", required: true, maxlength: 2000 });
  field.value = value;
  const form = h(
    "form",
    { class: "inline-form" },
    h("label", { for: id, text: label }),
    field,
    h("div", { class: "row-form" },
      h("button", { type: "submit", text: submitText }),
      h("button", { type: "button", "data-cancel": true, text: "Cancel" }),
      h("span", { class: "error", role: "alert", "data-error-for": "inline" }),
    ),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    busy(submit, true);
    clearError(form, "inline");
    try {
      await onSubmit(field.value, form);
    } catch (error) {
      showFormErrors(form, "inline", error);
    } finally {
      busy(submit, false);
    }
  });
  form.querySelector("[data-cancel]").addEventListener("click", () => form.remove());
  article.append(form);
  field.focus();
  return form;
}

// The heading's count of visible comments, as the API counts it after a change (a deleted
// comment that a moderator had hidden was not counted).
async function refreshCommentCount() {
  const count = document.querySelector("[data-comment-count]");
  if (!count) return;
  try {
    const paper = await api(`${base}/`);
    count.textContent = `(${paper.comment_count})`;
  } catch {
    // The change itself succeeded; the count is right again on the next page load.
  }
}

async function moderate(article, action, reason) {
  const id = article.dataset.commentId;
  const result = await api(`/api/comments/${id}/moderate/`, { method: "POST", json: { action, reason } });
  return result;
}

const ACTIONS = {
  reply(article) {
    inlineForm(article, {
      label: "Your reply (Markdown)",
      submitText: "Post reply",
      async onSubmit(body) {
        const comment = await api(`${base}/comments/`, {
          method: "POST",
          json: { body, parent: Number(article.dataset.commentId) },
        });
        goToComment(comment.id);
      },
    });
  },
  edit(article) {
    const source = article.querySelector("template[data-source]");
    inlineForm(article, {
      label: "Edit your comment (Markdown)",
      value: source ? source.content.textContent : "",
      submitText: "Save",
      async onSubmit(body, form) {
        const comment = await api(`/api/comments/${article.dataset.commentId}/`, { method: "PATCH", json: { body } });
        // Sanitized by the server when the comment was written: the one HTML we insert.
        article.querySelector("[data-body]").innerHTML = comment.body_html;
        if (source) source.content.textContent = comment.body;
        article.querySelector("[data-edited]").hidden = !comment.edited_at;
        form.remove();
        announce("Your comment was saved.");
      },
    });
  },
  async delete(article, button) {
    if (!window.confirm("Delete this comment? Replies stay in place.")) return;
    busy(button, true);
    await api(`/api/comments/${article.dataset.commentId}/`, { method: "DELETE" });
    article.classList.add("deleted");
    article.querySelector("[data-body]").textContent = "[deleted]";
    article.querySelector(".author")?.remove();
    article.querySelector(".comment-actions")?.remove();
    announce("Your comment was deleted.");
    await refreshCommentCount();
  },
  flag(article) {
    article.querySelector(".flag-form")?.remove();
    const template = document.getElementById("flag-form-template");
    const form = template.content.firstElementChild.cloneNode(true);
    form.append(h("span", { class: "error", role: "alert", "data-error-for": "flag" }));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const submit = form.querySelector("button[type=submit]");
      busy(submit, true);
      try {
        await api(`/api/comments/${article.dataset.commentId}/flag/`, {
          method: "POST",
          json: { reason: form.elements.namedItem("reason").value, note: form.elements.namedItem("note").value },
        });
        form.replaceWith(h("p", { class: "notice", role: "status", text: "Thank you: the moderators will look at it." }));
        article.querySelector('[data-action="flag"]')?.remove();
        const flagged = article.querySelector("[data-flagged]");
        if (flagged) flagged.hidden = false;
      } catch (error) {
        showError(form, "flag", error.message);
        busy(submit, false);
      }
    });
    form.querySelector("[data-cancel]").addEventListener("click", () => form.remove());
    article.append(form);
    form.querySelector("select").focus();
  },
  hide(article) {
    inlineForm(article, {
      label: "Why hide it? (shown in the moderation log)",
      submitText: "Hide",
      multiline: false,
      async onSubmit(reason) {
        await moderate(article, "hide", reason);
        location.reload();
      },
    });
  },
  restore(article) {
    inlineForm(article, {
      label: "Why restore it? (shown in the moderation log)",
      submitText: "Restore",
      multiline: false,
      async onSubmit(reason) {
        await moderate(article, "restore", reason);
        location.reload();
      },
    });
  },
};

document.addEventListener("click", async (event) => {
  const button = event.target.closest(".comment-actions button[data-action]");
  if (!button) return;
  const article = button.closest("article.comment");
  clearError(article, "comment-action");
  try {
    await ACTIONS[button.dataset.action](article, button);
  } catch (error) {
    showError(article, "comment-action", error.message);
    busy(button, false);
  }
});
