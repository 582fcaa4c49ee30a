/**
 * Issue 21, "says clearly what happened", the CLI bullets. What streams, pipes and exit codes promise
 * runs as a real `mctl` process (the built binary), on commands that fail or finish before opening a
 * database; what needs a database runs in-process (the same command tree and output).
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureChildOutput, MCTL, runMctl, tempDir } from "../helpers/cli.js";
import { inProcessCli } from "../helpers/cli-in-process.js";
import { describeOnDriver } from "../helpers/databases.js";

describe("mctl says clearly what happened", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await tempDir();
    env = { MCTL_DATA_DIR: `${dir.path}/data`, MCTL_ACTOR: "alice" };
  });
  afterAll(() => dir.remove());

  it("commander's errors are one line starting `mctl:`, and zod's texts are said in words", async () => {
    const unknown = await runMctl(["ticket", "frobnicate"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("mctl: unknown command 'frobnicate' (run with --help for usage)\n");
    const missing = await runMctl(["ticket", "create"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^mctl: required option '--title <title>' not specified .*\n$/);
    const limit = await runMctl(["ticket", "list", "--limit", "0"], env);
    expect(limit).toMatchObject({ code: 2, stderr: "mctl: --limit must be a whole number of at least 1\n" });
    const word = await runMctl(["dispatch", "history", "--limit", "ten"], env);
    expect(word).toMatchObject({ code: 2, stderr: 'mctl: --limit must be a whole number, not "ten"\n' });
    const appId = await runMctl(["webhooks", "redeliver"], { ...env, APP_ID: "abc", PRIVATE_KEY: "x" });
    expect(appId).toMatchObject({
      code: 2,
      stderr: "mctl: configuration: APP_ID must be a number (the GitHub App's id)\n",
    });
  });

  it("with --json a usage error is JSON on stdout, and the one line stays on stderr", async () => {
    const usage = await runMctl(["ticket", "list", "--limit", "0", "--json"], env);
    expect(usage).toMatchObject({ code: 2, stderr: "mctl: --limit must be a whole number of at least 1\n" });
    expect(JSON.parse(usage.stdout)).toEqual({
      error: { code: "usage", message: "--limit must be a whole number of at least 1" },
    });
    const commander = await runMctl(["ticket", "list", "--state", "soon", "--json"], env);
    expect(commander.code).toBe(2);
    expect(JSON.parse(commander.stdout)).toMatchObject({
      error: {
        code: "usage",
        message: expect.stringMatching(/^option '--state <state>' argument 'soon' is invalid/),
      },
    });
  });

  it("a closed pipe ends quietly with exit 0", async () => {
    const child = spawn(process.execPath, [MCTL, "config", "check", "--json"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    captureChildOutput(child, "mctl-epipe");
    // The reader goes away before mctl writes anything: its write meets EPIPE, as under `| head -0`.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("a configuration error names only the sources that exist", async () => {
    const noFile = await runMctl(["ticket", "list"], {
      ...env,
      MCTL__DISPATCH__MAX_WORKERS: "many",
    });
    expect(noFile).toMatchObject({
      code: 2,
      stderr:
        'mctl: configuration: MCTL__DISPATCH__MAX_WORKERS: dispatch.max_workers (from MCTL__DISPATCH__MAX_WORKERS): must be a whole number, not "many"\n',
    });
    expect(noFile.stderr).not.toContain("mission-control.yml");
  });

  it("commands that do not read the configuration (inbox, ticket, maintenance) still refuse a broken file", async () => {
    const file = path.join(dir.path, "broken.yml");
    await writeFile(file, "dispatch:\n  max_worker: 4\n");
    for (const args of [
      ["inbox", "list"],
      ["ticket", "list"],
      ["maintenance", "status"],
    ]) {
      const run = await runMctl(args, { ...env, MCTL_CONFIG: file });
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toBe(
        `mctl: configuration: ${path.relative(process.cwd(), file)}: dispatch: unknown key(s) max_worker\n`,
      );
    }
  });

  it("config check prints each effective value with its source, and refuses what every command refuses", async () => {
    const project = path.join(dir.path, "project");
    await mkdir(path.join(project, ".github"), { recursive: true });
    const none = await runMctl(["config", "check"], { MCTL_CONFIG: path.join(project, "none.yml") });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^mctl: configuration: cannot read configuration .*none\.yml: /);

    const file = path.join(project, ".github", "mission-control.yml");
    await writeFile(file, "dispatch:\n  max_workers: 4\n  backoff:\n    base_seconds: 30\n");
    const check = await runMctl(["config", "check", "--json"], {
      MCTL_CONFIG: file,
      MCTL__DISPATCH__MAX_ATTEMPTS: "5",
    });
    expect(check.code, check.stderr).toBe(0);
    const report = JSON.parse(check.stdout) as {
      valid: boolean;
      values: { key: string; value: unknown; source: string; variable?: string }[];
    };
    expect(report.valid).toBe(true);
    const value = (key: string) => report.values.find((v) => v.key === key);
    expect(value("dispatch.max_workers")).toEqual({ key: "dispatch.max_workers", value: 4, source: "file" });
    expect(value("dispatch.backoff.base_seconds")).toMatchObject({ value: 30, source: "file" });
    expect(value("dispatch.backoff.cap_seconds")).toMatchObject({ value: 3600, source: "default" });
    expect(value("dispatch.max_attempts")).toEqual({
      key: "dispatch.max_attempts",
      value: 5,
      source: "environment",
      variable: "MCTL__DISPATCH__MAX_ATTEMPTS",
    });

    const text = await runMctl(["config", "check"], { MCTL_CONFIG: file });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^configuration is valid: /);
    expect(text.stdout).toMatch(/dispatch\.max_workers\s+4\s+file\n/);
    expect(text.stdout).toMatch(/dispatch\.lease_seconds\s+120\s+default\n/);

    const bad = await runMctl(["config", "check", "--json"], {
      MCTL_CONFIG: file,
      MCTL__APP__TICKET_LABEL: "''",
    });
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      error: { code: "usage", message: expect.stringMatching(/app\.ticket_label .*must not be empty/) },
    });
  });
});

describeOnDriver("mctl --json on a database", ({ handle }) => {
  it("is JSON whatever happened: an empty history is [], a refusal is an error object", async () => {
    const mctl = inProcessCli(handle(), { MCTL_ACTOR: "alice" });
    const history = await mctl(["dispatch", "history", "--json"]);
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toEqual([]);
    expect((await mctl(["dispatch", "history"])).stdout).toBe("no dispatch cycles yet\n");
    const none = await mctl(["ticket", "show", "MC-404", "--json"]);
    expect(none).toMatchObject({ code: 1, stderr: "mctl: no ticket MC-404\n" });
    expect(JSON.parse(none.stdout)).toEqual({ error: { code: "refused", message: "no ticket MC-404" } });
  });
});
