// Small DOM helpers. Text always goes in with textContent; the only HTML inserted is what the
// server rendered with its templates (a list's next items, see loadmore.js) and a comment's
// body_html, which the server sanitized when the comment was written.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// The message box for `key` nearest to `from`: a [data-error-for=key] inside `from` or in
// one of its ancestors.
function errorBox(from, key) {
  let scope = from;
  while (scope && scope !== document) {
    const box = scope.querySelector ? scope.querySelector(`[data-error-for="${key}"]`) : null;
    if (box) return box;
    scope = scope.parentNode;
  }
  return null;
}

export function showError(from, key, message) {
  const box = errorBox(from, key);
  if (box) {
    box.textContent = message;
    box.hidden = false;
  } else {
    window.alert(message); // never reached by the pages' own markup; a last resort
  }
}

export function clearError(from, key) {
  const box = errorBox(from, key);
  if (box) box.textContent = "";
}

// Field errors of a validation answer, next to each input of `form`; the rest in `key`.
export function showFormErrors(form, key, error) {
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  const fields = error.fields || {};
  let shownAll = Object.keys(fields).length > 0;
  for (const [name, messages] of Object.entries(fields)) {
    const input = form.elements.namedItem(name);
    if (input && input.insertAdjacentElement) {
      const id = `${input.id || name}-error`;
      const note = h("span", { class: "field-error error", id, text: messages.join(" ") });
      input.insertAdjacentElement("afterend", note);
      input.setAttribute("aria-describedby", id);
      input.setAttribute("aria-invalid", "true");
    } else {
      shownAll = false;
    }
  }
  showError(form, key, shownAll ? "Please correct the fields marked above." : error.message);
}

export function announce(message) {
  let region = document.getElementById("live-status");
  if (!region) {
    region = h("p", { id: "live-status", class: "live-status", role: "status", "aria-live": "polite" });
    document.querySelector("main").prepend(region);
  }
  region.textContent = message;
}

export function busy(button, on) {
  if (!button) return;
  button.disabled = on;
  button.setAttribute("aria-busy", on ? "true" : "false");
}
