// Sign-up through the API (the service checks the username, e-mail and password rules).
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
    const next = form.dataset.next || "/";
    // Only a path of this site: never an address someone slipped into ?next=.
    location.assign(next.startsWith("/") && !next.startsWith("//") ? next : "/");
  } catch (error) {
    showFormErrors(form, "signup", error);
    busy(button, false);
  }
});
