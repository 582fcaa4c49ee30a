import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const DEMO = path.resolve(import.meta.dirname, "../../dist/demo/main.js");

function runDemo(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the demo's command line (a real process)", () => {
  it("a taken port is one clear error, exit 1, before anything is created", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    // Its own temporary directory: the demo must not have made its folder there.
    const tmp = mkdtempSync(path.join(os.tmpdir(), "mctl-demo-cli-"));
    try {
      const json = await runDemo(["--port", String(port), "--json"], { TMPDIR: tmp });
      expect(json.code).toBe(1);
      expect(json.stderr).toBe(
        `mctl demo: port ${port} is already in use; pass --port <n> (0 picks a free one)\n`,
      );
      expect(JSON.parse(json.stdout)).toEqual({
        type: "error",
        message: `port ${port} is already in use; pass --port <n> (0 picks a free one)`,
      });
      const text = await runDemo(["--port", String(port)]);
      expect(text.code).toBe(1);
      expect(text.stdout).toBe("");
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      server.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("a bad option exits 2 naming it; --help exits 0", async () => {
    const bad = await runDemo(["--port", "99999"]);
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toBe("mctl demo: --port: must be 0 (any free port) or 1–65535 (see --help)\n");
    const unknown = await runDemo(["--frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^mctl demo: unknown option '--frobnicate'/);
    const help = await runDemo(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: npm run demo -- [options]");
  });
});
