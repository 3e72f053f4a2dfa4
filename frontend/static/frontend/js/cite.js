// The paper page's "Cite" button: copies the paper's BibTeX (the server's cite.bib, the same
// text as the download) to the clipboard and says so in the page's live region. Where the
// browser has no clipboard for the page the button stays hidden; where it refuses to write,
// the reader is told to use the BibTeX link beside the button, which is always there.
import { announce, clearError, showError } from "./ui.js";

const MSG_COPIED = "Copied the BibTeX citation to the clipboard.";
const MSG_REFUSED = "The browser did not let the page copy. Download the BibTeX file instead.";
const MSG_UNAVAILABLE = "The citation could not be loaded. Download the BibTeX file instead.";

const button = document.querySelector("button[data-cite-copy]");
if (button && window.isSecureContext && navigator.clipboard && navigator.clipboard.writeText) {
  const box = button.closest("[data-cite]");
  let bibtex = null; // the text once fetched: a second copy needs no request

  async function load() {
    if (bibtex === null) {
      const response = await fetch(button.dataset.citeCopy, { credentials: "same-origin" });
      if (!response.ok) throw new Error(MSG_UNAVAILABLE);
      bibtex = await response.text();
    }
    return bibtex;
  }

  // Fetched as soon as the reader shows the intent to cite, so that the click itself only
  // writes: some browsers allow the clipboard only close to the click.
  const preload = () => load().catch(() => {});
  button.addEventListener("pointerenter", preload, { once: true });
  button.addEventListener("focus", preload, { once: true });

  // Busy without being disabled: a disabled button would drop the keyboard's focus.
  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    clearError(box, "cite");
    try {
      let text;
      try {
        text = await load();
      } catch {
        showError(box, "cite", MSG_UNAVAILABLE);
        return;
      }
      try {
        await navigator.clipboard.writeText(text);
        announce(MSG_COPIED);
      } catch {
        showError(box, "cite", MSG_REFUSED);
      }
    } finally {
      button.setAttribute("aria-busy", "false");
    }
  });
  button.hidden = false;
  announce(""); // the live region exists before the first message, so readers hear it
}
