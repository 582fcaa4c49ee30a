/**
 * The one masker (src/domain/redact.ts): each credential shape, and a property — no text with a
 * planted secret comes out still containing it, whatever surrounds it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, redactAndBound, redactDeep, redactSecrets } from "../../src/domain/redact.js";

const PEM = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
  "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
  "-----END RSA PRIVATE KEY-----",
].join("\n");

describe("redactSecrets", () => {
  it.each([
    ["a classic token", "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok", "ghp_abcdefghij"],
    ["an installation token", "x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F292c"],
    ["an OAuth token glued to a word", "tok=gho_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F292c"],
    ["a fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "11ABCDEFG01234"],
    [
      "a Mission Control API token",
      "Bearer-less mct_Zm9vYmFyYmF6cXV4cXV1eHl6enlYWVpfLTAxMjM0NTY3 in a log",
      "Zm9vYmFyYmF6",
    ],
    ["a URL password", "DATABASE_URL=postgres://u:hunter2@h/db", "hunter2"],
    ["a URL password without a user", "redis://:s3cr3tpass@cache:6379", "s3cr3tpass"],
    ["a bearer header", "Authorization: Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"],
    ["a bare Authorization value", "authorization: s3cr3tvalue99", "s3cr3tvalue99"],
    ["a PEM block", `key:\n${PEM}\nafter`, "MIIEpAIBAAKCAQEAu1SU1"],
  ])("masks %s", (_name, text, secret) => {
    const masked = redactSecrets(text);
    expect(masked).not.toContain(secret);
    expect(masked).toContain(REDACTED);
  });

  it("keeps what is not a secret, and keeps the user of a connection string", () => {
    expect(redactSecrets("postgres://u:hunter2@h/db")).toBe(`postgres://u:${REDACTED}@h/db`);
    expect(redactSecrets("all 12 tests passed in 3.1s; see https://example.com/a:b")).toBe(
      "all 12 tests passed in 3.1s; see https://example.com/a:b",
    );
    expect(redactSecrets("the ghp_ prefix alone is fine")).toBe("the ghp_ prefix alone is fine");
  });

  it("is idempotent", () => {
    const once = redactSecrets(`ghp_abcdefghijklmnopqrstuvwxyz postgres://u:pw@h ${PEM}`);
    expect(redactSecrets(once)).toBe(once);
  });
});

describe("redactDeep and redactAndBound", () => {
  it("masks strings at any depth and keeps the shape", () => {
    const value = { reason: "x", detail: { out: ["ok", "postgres://a:b@c/d"], n: 3, none: null } };
    expect(redactDeep(value)).toEqual({
      reason: "x",
      detail: { out: ["ok", `postgres://a:${REDACTED}@c/d`], n: 3, none: null },
    });
  });

  it("cuts after masking, with the note, within the limit", () => {
    const text = `${"a".repeat(100)} ghp_abcdefghijklmnopqrstuvwxyz0123456789`;
    const bounded = redactAndBound(text, 60, " [cut]");
    expect(bounded.length).toBeLessThanOrEqual(60);
    expect(bounded.endsWith(" [cut]")).toBe(true);
    expect(redactAndBound("short", 60)).toBe("short");
  });
});

const alnum = fc.stringMatching(/^[A-Za-z0-9]{20,40}$/);
const secrets = fc.oneof(
  fc
    .tuple(fc.constantFrom("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), alnum)
    .map(([p, s]) => ({ planted: p + s, core: s })),
  alnum.map((s) => ({ planted: `github_pat_${s}ABCDEFGHIJ`, core: `${s}ABCDEFGHIJ` })),
  fc
    .stringMatching(/^[A-Za-z0-9!#$%^&*()-]{6,30}$/)
    .map((pw) => ({ planted: `postgres://svc:${pw}@db.internal:5432/mc`, core: `:${pw}@` })),
  alnum.map((s) => ({ planted: `Authorization: token ${s}`, core: s })),
  alnum.map((s) => ({
    planted: `${PEM.replace("u1SU1LfVLPHCozMxH2Mo", s.slice(0, 20))}`,
    core: s.slice(0, 20),
  })),
);

describe("property: a planted secret never survives", () => {
  it("whatever text surrounds it (spaces, quotes, JSON, line breaks)", () => {
    const filler = fc.string({ maxLength: 40 });
    const sep = fc.constantFrom(" ", "\n", '"', "'", "=", "\t", " : ", "");
    fc.assert(
      fc.property(filler, sep, secrets, sep, filler, (before, s1, secret, s2, after) => {
        const text = `${before}${s1}${secret.planted}${s2}${after}`;
        expect(redactSecrets(text)).not.toContain(secret.core);
        expect(redactAndBound(JSON.stringify({ log: text }), 100_000)).not.toContain(secret.core);
      }),
      { numRuns: 500 },
    );
  });
});
