// Sign-up through the API (the service checks the username, e-mail and password rules); the
// form also posts to the page itself when scripts are off.
import { api } from "./api.js";
import { busy, clearError, showFormErrors } from "./ui.js";

const form = document.querySelector("[data-signup]");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  busy(button, true);
  clearError(form, "signup");
  const value = (name) => form.elements.namedItem(name).value;
  try {
    await api("/api/auth/signup/", {
      method: "POST",
      json: { username: value("username"), email: value("email"), password: value("password") },
    });
    // The server checked `next` (only an address of this site); the check stays here too.
    const next = form.dataset.next || "/";
    const safe = next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\");
    location.assign(safe ? next : "/");
  } catch (error) {
    showFormErrors(form, "signup", error);
    busy(button, false);
  }
});
