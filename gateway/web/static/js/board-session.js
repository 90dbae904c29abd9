// The board's access token, kept in this tab's sessionStorage only: never in the URL,
// never in localStorage or a cookie, gone when the tab closes or on "Sign out".

const KEY = "talentgraph.board.token";

export function storedToken() {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch (cause) {
    return null;
  }
}

export function storeToken(token) {
  try {
    window.sessionStorage.setItem(KEY, token);
  } catch (cause) {
    // Storage refused (private mode): the token lives for this page only.
  }
}

export function forgetToken() {
  try {
    window.sessionStorage.removeItem(KEY);
  } catch (cause) {
    // Nothing was stored.
  }
}

// What the person pasted, without a "Bearer " prefix or surrounding blanks.
export function cleanToken(pasted) {
  return String(pasted || "").trim().replace(/^bearer\s+/i, "").trim();
}
