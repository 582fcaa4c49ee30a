/**
 * The secret scanner of the whole-suite log scan (docs/hardening.md): pure functions over text.
 * Deliberately independent of the app's own redaction (src/app/log.ts): a test must not trust the
 * code it checks. Each finding names the kind of secret and shows it redacted, never in full.
 */

export type SecretKind =
  | "private_key_pem"
  | "private_key_der"
  | "github_token"
  | "jwt"
  | "authorization_header"
  | "webhook_secret"
  | "database_password"
  | "signal_token";

export interface SecretFinding {
  readonly kind: SecretKind;
  /** 1-based line of the text the secret starts on. */
  readonly line: number;
  /** The secret shortened and masked: its first few characters, then its length. */
  readonly redacted: string;
}

/** The webhook secrets the test suite uses (test/app/support/harness.ts, the crash test, the stand-in tests). */
export const TEST_WEBHOOK_SECRETS: readonly string[] = [
  "test-webhook-secret",
  "crash-test-secret",
  "webhook-secret",
  "s3cret",
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface Rule {
  readonly kind: SecretKind;
  readonly pattern: RegExp;
  /** The capture group holding the secret itself (0: the whole match). */
  readonly group?: number;
}

const RULES: readonly Rule[] = [
  // A PEM private key of any type (RSA, EC, PKCS#8, OpenSSH), framed or JSON-escaped.
  { kind: "private_key_pem", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  // The base64 DER body of a private key without its frame: PKCS#8 RSA, PKCS#1 RSA and SEC1 EC openings.
  {
    kind: "private_key_der",
    pattern:
      /MII[A-Za-z0-9+/]{3}(?:IBADANBgkqhkiG9w0BAQEFAAS|IBAAK)[A-Za-z0-9+/]{8,}|MHcCAQEEI[A-Za-z0-9+/]{20,}/g,
  },
  // GitHub tokens: installation (ghs_, also the stand-in's ghs_ + 24), personal, OAuth, user-to-server,
  // refresh, fine-grained.
  { kind: "github_token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,})/g },
  // A JSON Web Token (the app's RS256 JWT): header and payload are base64url JSON objects.
  { kind: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  // An Authorization header with a credential in it (Octokit's "token [REDACTED]" is fine).
  {
    kind: "authorization_header",
    pattern:
      /authorization\\?["']?\s*[:=]\s*\\?["']?\s*(?:token|bearer|basic)\s+((?!\[REDACTED\])(?!\*{3})[A-Za-z0-9._~+/=-]{8,})/gi,
    group: 1,
  },
  // A password inside a PostgreSQL URL (the test server trusts, so any password here is a leak).
  {
    kind: "database_password",
    pattern: /postgres(?:ql)?:\/\/[^\s:/@"']+:((?!\*{3}@)(?!\[REDACTED\])[^\s@/"']+)@/gi,
    group: 1,
  },
  // The worker's signal channel token when an environment is dumped.
  { kind: "signal_token", pattern: /MCTL_SIGNAL_TOKEN\\?["']?\s*[:=]\s*\\?["']?([0-9a-f]{32,})/g, group: 1 },
  // The suite's webhook secrets, as whole words ("--webhook-secret" in a help text is not one).
  {
    kind: "webhook_secret",
    pattern: new RegExp(`(?<![\\w-])(?:${TEST_WEBHOOK_SECRETS.map(escapeRegExp).join("|")})(?![\\w-])`, "g"),
  },
];

/** Masks a secret: enough to recognize which one it was, never enough to use it. */
export function redact(secret: string): string {
  const shown = secret.length > 12 ? secret.slice(0, 4) : secret.slice(0, 1);
  return `${shown}… (${secret.length} chars, redacted)`;
}

/** Every secret in `text`, in order of appearance. */
export function scanText(text: string): SecretFinding[] {
  const findings: (SecretFinding & { index: number })[] = [];
  for (const rule of RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const secret = match[rule.group ?? 0] ?? match[0];
      const index = match.index ?? 0;
      findings.push({ kind: rule.kind, line: lineOf(text, index), redacted: redact(secret), index });
    }
  }
  return findings.sort((a, b) => a.index - b.index).map(({ index: _index, ...finding }) => finding);
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** One finding as a line: `file:line kind secret(redacted)`. */
export function describeFinding(file: string, finding: SecretFinding): string {
  return `${file}:${finding.line} ${finding.kind} ${finding.redacted}`;
}
