import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/load.js";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { tempDir } from "../helpers/cli.js";

describe("configuration", () => {
  it("an empty or missing file means the documented defaults", async () => {
    expect(parseConfig("", "x.yml")).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.dispatch).toMatchObject({
      max_workers: 2,
      max_attempts: 3,
      launcher: { kind: "command" },
    });
    const dir = await tempDir();
    try {
      expect(await loadConfig({ cwd: dir.path })).toEqual(DEFAULT_CONFIG);
      await expect(loadConfig({ cwd: dir.path, path: "nope.yml" })).rejects.toThrow(
        /cannot read configuration/,
      );
      await writeFile(`${dir.path}/mc.yml`, "dispatch:\n  max_workers: 8\n");
      expect((await loadConfig({ cwd: dir.path, path: "mc.yml" })).dispatch.max_workers).toBe(8);
    } finally {
      await dir.remove();
    }
  });

  it("names the key and the problem, and rejects unknown keys (typos)", () => {
    expect(() => parseConfig("dispatch:\n  max_workers: four\n", "mc.yml")).toThrow(
      /^mc\.yml: dispatch\.max_workers: Invalid input: expected number, received string$/,
    );
    expect(() => parseConfig("dispatch:\n  max_worker: 4\n", "mc.yml")).toThrow(
      /dispatch: unknown key\(s\) max_worker/,
    );
    expect(() => parseConfig("dispatch:\n  launcher: { kind: ssh }\n", "mc.yml")).toThrow(
      /dispatch\.launcher/,
    );
    expect(() => parseConfig("dispatch: [\n", "mc.yml")).toThrow(ConfigError);
    expect(() => parseConfig("dispatch: {}\ndispatch: {}\n", "mc.yml")).toThrow(/invalid YAML/);
  });

  it("reads YAML 1.2: `yes` is a string, never a boolean", () => {
    const launcher = "dispatch:\n  launcher:\n    kind: github-workflow\n    repository: acme/app\n";
    expect(parseConfig(launcher, "mc.yml").dispatch.launcher).toEqual({
      kind: "github-workflow",
      repository: "acme/app",
      workflow: "mission-control-agent.yml",
      ref: "main",
    });
    expect(() => parseConfig("dispatch:\n  max_workers: yes\n", "mc.yml")).toThrow(/received string/);
  });
});
