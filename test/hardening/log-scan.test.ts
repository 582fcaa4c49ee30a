/**
 * The whole-suite secret scan (test/setup/*, docs/hardening.md) and the app's redacting logger
 * (src/app/log.ts), each checked on planted secrets: the scanner finds every kind and does not cry
 * wolf on redacted or public material; the end-of-run check fails the run and names the file; the
 * logger masks secrets wherever they sit in a log line, where plain pino does not.
 *
 * To see the real run fail: `MCTL_LOG_SCAN_PLANT=1 npx vitest run test/hardening/log-scan.test.ts`
 * (the last test then prints a fake installation token; the run exits 1 and names it, redacted).
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createAppLogger, logLevelFrom, scrubSecrets } from "../../src/app/log.js";
import setupLogScan, { scanRunFolder } from "../setup/log-scan.js";
import { redact, scanText } from "../setup/secret-scan.js";

// Built at run time, so this file holds no secret-shaped literal of its own.
const fake = {
  installationToken: ["ghs", "_", "Q7xk2Lm9", "Pz4Rt8Wv", "3Yb6Nc1D"].join(""),
  personalToken: ["ghp", "_", "a".repeat(36)].join(""),
  fineGrained: ["github", "_pat_", "11ABCDEFG0", "x".repeat(60)].join(""),
  jwt: ["eyJhbGciOiJSUzI1NiJ9", "eyJpc3MiOiIxMjM0NSJ9", "c2lnbmF0dXJl"].join("."),
  password: "hunter2-hunter2",
};
const key = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const keyBody = key.privateKey.split("\n").slice(1, -2).join("\n");

describe("the secret scanner", () => {
  it("finds each kind of secret, raw or inside JSON, and shows it redacted", () => {
    const samples: [string, string][] = [
      ["private_key_pem", key.privateKey],
      ["private_key_pem", JSON.stringify({ privateKey: key.privateKey })],
      ["private_key_der", `key material: ${keyBody}`],
      ["github_token", `token ${fake.installationToken}`],
      ["github_token", fake.personalToken],
      ["github_token", fake.fineGrained],
      ["jwt", `{"jwt":"${fake.jwt}"}`],
      ["authorization_header", `Authorization: Basic ${Buffer.from("user:pass").toString("base64")}`],
      ["authorization_header", `{"headers":{"authorization":"bearer opaque-value-1234"}}`],
      ["database_password", `DATABASE_URL=postgres://mc:${fake.password}@db:5432/mc`],
      ["signal_token", `MCTL_SIGNAL_TOKEN=${"ab".repeat(24)}`],
      ["webhook_secret", "secret is test-webhook-secret"],
      ["webhook_secret", '{"secret":"crash-test-secret"}'],
    ];
    for (const [kind, text] of samples) {
      const findings = scanText(`line one\n${text}\n`);
      expect(
        findings.map((f) => f.kind),
        text.slice(0, 60),
      ).toContain(kind);
      expect(findings[0]?.line).toBe(2);
      for (const finding of findings) {
        expect(finding.redacted).toMatch(/redacted\)$/);
        expect(finding.redacted).not.toContain(fake.installationToken);
      }
    }
  });

  it("does not flag redacted values, public keys, help texts or passwordless URLs", () => {
    const clean = [
      '"authorization":"token [REDACTED]"',
      '"authorization":"[REDACTED]"',
      "Authorization: bearer [REDACTED]",
      "ghs_[REDACTED]",
      key.publicKey,
      "  --webhook-secret S   the webhook secret",
      "postgres://postgres@127.0.0.1:5432/mctl_test",
      "postgres://mc:***@db:5432/mc",
      redact(fake.installationToken),
      "eyJ alone is not a token",
    ].join("\n");
    expect(scanText(clean)).toEqual([]);
  });

  it("the end-of-run check fails the run (exit code 1) and names the file, the test file and the kind", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "mctl-scan-test-"));
    const exitCode = process.exitCode;
    const errors: string[] = [];
    const consoleError = console.error;
    try {
      await writeFile(
        path.join(dir, "worker-1-0.log"),
        "\n=== test file: test/clean.test.ts ===\nall good\n",
      );
      await writeFile(
        path.join(dir, "worker-2-0.log"),
        `\n=== test file: test/leaky.test.ts ===\nconnecting\nusing ${fake.installationToken}\n`,
      );
      const report = scanRunFolder(dir);
      expect(report.files).toBe(2);
      expect(report.findings).toEqual([
        expect.stringMatching(
          /^worker-2-0\.log:4 github_token ghs_… \(28 chars, redacted\) \(during test\/leaky\.test\.ts\)$/,
        ),
      ]);
      // The global set-up's teardown on that folder: exit code 1 and a message, the secret masked.
      let provided: unknown;
      const teardown = setupLogScan({
        provide: (_key: string, value: unknown) => {
          provided = value;
        },
      } as never);
      const runDir = (provided as { dir: string }).dir;
      await writeFile(path.join(runDir, "worker-9-0.log"), `leak ${fake.installationToken}\n`);
      console.error = (...args: unknown[]) => {
        errors.push(args.join(" "));
      };
      teardown();
      expect(process.exitCode).toBe(1);
      expect(errors.join("\n")).toMatch(
        /SECRET SCAN FAILED: 1 secret\(s\)[\s\S]*worker-9-0\.log:1 github_token ghs_…/,
      );
      expect(errors.join("\n")).not.toContain(fake.installationToken);
      await rm(runDir, { recursive: true, force: true });
    } finally {
      console.error = consoleError;
      process.exitCode = exitCode;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.env.MCTL_LOG_SCAN_PLANT === "1")(
    "plants a fake token in the output (to see the scan fail)",
    () => {
      console.log(`a planted secret: ${fake.installationToken}`);
    },
  );
});

describe("the app's logger (src/app/log.ts)", () => {
  /** Logs the same hostile records through `logger`, returns the text written. */
  function logHostile(make: (destination: { write(line: string): void }) => pino.Logger): string {
    const lines: string[] = [];
    const logger = make({ write: (line) => lines.push(line) });
    const requestError = Object.assign(new Error("Bad credentials"), {
      status: 401,
      request: {
        method: "GET",
        url: "https://api.github.com/app",
        headers: { authorization: `bearer ${fake.jwt}` },
      },
    });
    logger.error({ err: new AggregateError([requestError], "webhook failed") }, "handler failed");
    logger.error({ err: requestError }, `retrying with token ${fake.installationToken}`);
    logger.info(
      {
        req: {
          method: "GET",
          url: "/api/v1/tickets",
          headers: { authorization: `token ${fake.personalToken}` },
        },
      },
      "request",
    );
    logger.warn({ options: { privateKey: key.privateKey, appId: 1 } }, "auth options");
    logger.warn({ detail: `the key was ${keyBody.replace(/\n/g, "")}` }, "key without its frame");
    logger.info({ url: `postgres://mc:${fake.password}@db:5432/mc` }, "database");
    logger.info({ nested: { deeper: [{ auth: `Authorization: token ${fake.fineGrained}` }] } }, "deep");
    return lines.join("");
  }

  it("masks secrets wherever they sit in a line; plain pino lets them all through", () => {
    const plain = logHostile((destination) => pino({ level: "trace" }, destination));
    const kinds = new Set(scanText(plain).map((f) => f.kind));
    expect([...kinds].sort()).toEqual(
      [
        "authorization_header",
        "database_password",
        "github_token",
        "jwt",
        "private_key_der",
        "private_key_pem",
      ].sort(),
    );
    const redacted = logHostile((destination) => createAppLogger({ level: "trace", destination }));
    expect(scanText(redacted)).toEqual([]);
    expect(redacted).toContain("[REDACTED]");
    // Still JSON lines, still useful: the messages and the error status survive.
    const records = redacted
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(7);
    expect(records[0]).toMatchObject({ msg: "handler failed", level: 50 });
    expect(JSON.stringify(records[1])).toContain('"status":401');
  });

  it("scrubSecrets leaves ordinary text alone", () => {
    const text = '{"msg":"GET /repos/acme/widgets/issues/1 - 200 in 12ms","url":"http://127.0.0.1:3000/x"}';
    expect(scrubSecrets(text)).toBe(text);
  });

  it("LOG_LEVEL is validated", () => {
    expect(logLevelFrom(undefined)).toBe("info");
    expect(logLevelFrom(" TRACE ")).toBe("trace");
    expect(() => logLevelFrom("verbose")).toThrow(
      /LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent/,
    );
  });
});
