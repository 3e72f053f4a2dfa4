// My page: make, rotate and stop my private calendar address (/api/sessions/calendar/).
import { api } from "./api.js";
import { announce, busy, clearError, h, showError } from "./ui.js";

const box = document.querySelector("[data-calendar-feed]");
const create = box.querySelector("[data-calendar-create]");
const revoke = box.querySelector("[data-calendar-revoke]");
const summary = box.querySelector("[data-calendar-summary]");
const urlBox = box.querySelector("[data-calendar-url]");
const url = urlBox.querySelector("input");

create.addEventListener("click", async () => {
  if (!revoke.hidden && !window.confirm("Make a new address? Calendars using the current one stop updating.")) return;
  busy(create, true);
  clearError(box, "calendar");
  try {
    const feed = await api("/api/sessions/calendar/", { method: "POST" });
    url.value = feed.url;
    urlBox.hidden = false;
    url.focus();
    url.select();
    summary.replaceChildren("A private calendar address starting ", h("code", { text: feed.prefix }), " exists, made just now.");
    create.textContent = "Make a new address";
    revoke.hidden = false;
    announce(feed.rotated ? "Your calendar address was replaced; the old one no longer works." : "Your calendar address was made.");
  } catch (error) {
    showError(box, "calendar", error.message);
  } finally {
    busy(create, false);
  }
});

revoke.addEventListener("click", async () => {
  if (!window.confirm("Stop your calendar address? Calendars using it stop updating.")) return;
  busy(revoke, true);
  clearError(box, "calendar");
  try {
    await api("/api/sessions/calendar/", { method: "DELETE" });
    summary.textContent = "You have no calendar address.";
    urlBox.hidden = true;
    url.value = "";
    revoke.hidden = true;
    create.textContent = "Make my calendar address";
    announce("Your calendar address was stopped.");
  } catch (error) {
    showError(box, "calendar", error.message);
  } finally {
    busy(revoke, false);
  }
});
