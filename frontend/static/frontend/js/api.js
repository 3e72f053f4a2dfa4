// The one way the pages talk to the REST API: same-origin fetch with the session cookie and
// the CSRF token, JSON in and out, and every 4xx/5xx turned into an ApiError whose message is
// the API's own sentence ({"error": {"code", "message", "fields"?}}).

export class ApiError extends Error {
  constructor(message, { status = 0, code = "error", fields = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) return meta.content;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function setCsrfToken(token) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) meta.content = token;
}

const FALLBACK = {
  401: "Please log in first.",
  403: "You are not allowed to do this.",
  404: "This was not found; it may have been removed.",
  413: "The file is too large.",
  429: "Too many requests; wait a moment and try again.",
};

export async function api(url, { method = "GET", json, form } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError("The server could not be reached. Check your connection and try again.");
  }
  if (response.status === 204) return null;
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = data && data.error ? data.error : null;
    const message =
      (err && err.message) ||
      FALLBACK[response.status] ||
      `The server answered with an error (${response.status}).`;
    throw new ApiError(message, {
      status: response.status,
      code: err ? err.code : "error",
      fields: err ? err.fields || null : null,
    });
  }
  return data;
}
