// My page: create, rotate and revoke my personal API token (/api/me/token/).
import { api } from "./api.js";
import { announce, busy, clearError, h, showError } from "./ui.js";

const box = document.querySelector("[data-token]");
const create = box.querySelector("[data-token-create]");
const revoke = box.querySelector("[data-token-revoke]");
const summary = box.querySelector("[data-token-summary]");
const secretBox = box.querySelector("[data-token-secret]");
const secret = secretBox.querySelector("input");

create.addEventListener("click", async () => {
  if (!revoke.hidden && !window.confirm("Make a new token? The current one stops working at once.")) return;
  busy(create, true);
  clearError(box, "token");
  try {
    const token = await api("/api/me/token/", { method: "POST" });
    secret.value = token.token;
    secretBox.hidden = false;
    secret.focus();
    secret.select();
    summary.replaceChildren("A token starting ", h("code", { text: token.prefix }), " exists, created just now.");
    create.textContent = "Rotate my token";
    revoke.hidden = false;
    announce(token.rotated ? "Your token was rotated; the old one no longer works." : "Your token was created.");
  } catch (error) {
    showError(box, "token", error.message);
  } finally {
    busy(create, false);
  }
});

revoke.addEventListener("click", async () => {
  if (!window.confirm("Revoke your token? Clients using it stop working at once.")) return;
  busy(revoke, true);
  clearError(box, "token");
  try {
    await api("/api/me/token/", { method: "DELETE" });
    summary.textContent = "You have no token.";
    secretBox.hidden = true;
    secret.value = "";
    revoke.hidden = true;
    create.textContent = "Create a token";
    announce("Your token was revoked.");
  } catch (error) {
    showError(box, "token", error.message);
  } finally {
    busy(revoke, false);
  }
});
