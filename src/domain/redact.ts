/**
 * The one masker: every credential-looking substring of a text becomes `[REDACTED]`. The app's log
 * runs it over each serialized line; the lifecycle runs it over what an agent wrote (its log, its
 * question, its failure reason, its test summary) before storing it; the verifier over check-run
 * text before publishing it. An agent runs model output, so what it prints is treated as hostile.
 *
 * Pure (no I/O), so a property test can show that no planted secret survives.
 */

export const REDACTED = "[REDACTED]";

const SCRUBS: readonly [RegExp, string][] = [
  // A whole PEM private key, raw or JSON-escaped (its line breaks are then the two characters \n).
  [
    /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g,
    `-----BEGIN $1PRIVATE KEY----- ${REDACTED}`,
  ],
  // A key cut short, or a header on its own: mask the header and whatever base64 follows it.
  [
    /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----(?! \[REDACTED\])(?:\\[nr]|[\sA-Za-z0-9+/=])*/g,
    `-----BEGIN $1PRIVATE KEY----- ${REDACTED}`,
  ],
  // The DER body of a private key without its frame (PKCS#8 RSA, PKCS#1 RSA, SEC1 EC).
  [/MII[A-Za-z0-9+/]{3}(?:IBADANBgkqhkiG9w0BAQEFAAS|IBAAK)[A-Za-z0-9+/=]*/g, REDACTED],
  [/MHcCAQEEI[A-Za-z0-9+/=]{20,}/g, REDACTED],
  // GitHub tokens: installation, personal, OAuth, user-to-server, refresh, fine-grained.
  [/(gh[pousr]_)[A-Za-z0-9]{20,}/g, `$1${REDACTED}`],
  [/github_pat_[A-Za-z0-9_]{22,}/g, `github_pat_${REDACTED}`],
  // Mission Control's own API tokens (`mctl api-token create`).
  [/\bmct_[A-Za-z0-9_-]{20,}/g, `mct_${REDACTED}`],
  // JSON Web Tokens (the app's JWT, an OIDC token).
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Authorization values in any serialization: `authorization: token …`, `"authorization":"bearer …"`.
  [
    /(authorization\\?["']?\s*[:=]\s*\\?["']?\s*(?:token|bearer|basic)\s+)(?!\[REDACTED\])[A-Za-z0-9._~+/=-]+/gi,
    `$1${REDACTED}`,
  ],
  // An Authorization header with a bare credential (no scheme word): `Authorization: abc123`.
  [
    /(authorization\\?["']?\s*[:=]\s*\\?["']?\s*)(?!\[REDACTED\]|token\s|bearer\s|basic\s)[A-Za-z0-9._~+/=-]{8,}/gi,
    `$1${REDACTED}`,
  ],
  // Passwords in connection URLs (DATABASE_URL): postgres://user:password@host → postgres://user:[REDACTED]@host.
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:)(?!\[REDACTED\]@)[^\s@/"']+@/gi, `$1${REDACTED}@`],
];

/** Masks every credential-looking substring of `text`. Idempotent. */
export function redactSecrets(text: string): string {
  let scrubbed = text;
  for (const [pattern, replacement] of SCRUBS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

/**
 * Masks every string inside a JSON-like value (objects, arrays), keeping its shape: for outcomes
 * and details that carry an agent's words at unknown depths.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item)) as T;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}

/**
 * `text` masked and cut to at most `maxChars` characters, ending with `note` when it was cut (the
 * reader must know something is missing). Masks first, so a cut never splits a secret in two.
 */
export function redactAndBound(text: string, maxChars: number, note = "\n\n… (truncated)"): string {
  const masked = redactSecrets(text);
  if (masked.length <= maxChars) return masked;
  const keep = Math.max(0, maxChars - note.length);
  return `${masked.slice(0, keep)}${note}`.slice(0, maxChars);
}
