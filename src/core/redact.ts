/**
 * Secrets out of what Baton prints: errors, log lines, the store's location. A store URL may carry
 * a password (`postgres://user:PASSWORD@host/db`, or `?password=…`) and an API key is a bearer
 * secret (`baton_<id>_<secret>`); anything that shows text to someone other than the operator who
 * typed it goes through here first.
 */

export const REDACTED = '***';

/** Query parameters whose value is a credential (`password`, `sslpassword`, `api_key`, `access_token`…). */
const SECRET_PARAM = /pass|secret|token|key|credential/i;
/** `scheme://` followed by the rest of a URL up to whitespace or a quote. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
/** An API key: its id stays (it names the key), its secret goes. */
const API_KEY_IN_TEXT = /\b(baton_[a-z0-9]{8,32}_)[A-Za-z0-9_-]{20,100}/g;

/** The URL with its password and any credential-like query parameter replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not parseable: whatever stands before an `@` may be `user:password`.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/i, `$1${REDACTED}@`);
  }
  let changed = false;
  if (parsed.password) {
    parsed.password = REDACTED;
    changed = true;
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) {
      parsed.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  // Unchanged URLs are returned as written, not as `URL` normalises them.
  return changed ? parsed.href : url;
}

/** `text` with the passwords of every URL in it, and the secret of every API key, replaced by `***`. */
export function redactText(text: string): string {
  if (!text.includes('://') && !text.includes('baton_')) return text;
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url)).replace(API_KEY_IN_TEXT, `$1${REDACTED}`);
}
