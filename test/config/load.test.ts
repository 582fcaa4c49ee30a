import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/load.js";
import { readConfigOverrides } from "../../src/config/overrides.js";
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
      /^mc\.yml: dispatch\.max_workers: must be a whole number, not "four"$/,
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
    const launcher = "dispatch:\n  launcher:\n    kind: github-workflow\n    ref: yes\n";
    expect(parseConfig(launcher, "mc.yml").dispatch.launcher).toEqual({
      kind: "github-workflow",
      workflow: "mission-control-agent.yml",
      ref: "yes",
    });
    expect(() => parseConfig("dispatch:\n  max_workers: yes\n", "mc.yml")).toThrow(
      /must be a whole number, not "yes"/,
    );
  });

  it("MCTL__SECTION__KEY variables override the file, read by the same parser and schema", () => {
    const overrides = readConfigOverrides({
      MCTL__DISPATCH__MAX_WORKERS: "8",
      MCTL__DISPATCH__BACKOFF__BASE_SECONDS: "5",
      MCTL__DISPATCH__POLICY__EXCLUDED_LABELS: "[wip, no-agent]",
      MCTL_CONFIG: "not an override",
      MCTL__: "ignored",
    });
    expect(overrides.map((o) => o.variable)).toEqual([
      "MCTL__DISPATCH__BACKOFF__BASE_SECONDS",
      "MCTL__DISPATCH__MAX_WORKERS",
      "MCTL__DISPATCH__POLICY__EXCLUDED_LABELS",
    ]);
    const config = parseConfig("dispatch:\n  max_workers: 2\n  batch_size: 7\n", "mc.yml", overrides);
    expect(config.dispatch).toMatchObject({
      max_workers: 8,
      batch_size: 7,
      backoff: { base_seconds: 5, cap_seconds: 3600 },
      policy: { excluded_labels: ["wip", "no-agent"] },
    });
  });

  it("a bad override is refused naming the variable, like a bad file", () => {
    const yes = readConfigOverrides({ MCTL__ORCHESTRATOR__REVIEW_REQUIRED: "yes" });
    expect(() => parseConfig("", "mc.yml", yes)).toThrow(
      /^mc\.yml \+ MCTL__ORCHESTRATOR__REVIEW_REQUIRED: orchestrator\.review_required \(from MCTL__ORCHESTRATOR__REVIEW_REQUIRED\): must be true or false/,
    );
    const typo = readConfigOverrides({ MCTL__DISPATCH__MAX_WORKER: "4" });
    expect(() => parseConfig("", "mc.yml", typo)).toThrow(/dispatch: unknown key\(s\) max_worker/);
    const broken = readConfigOverrides({ MCTL__DISPATCH__MAX_WORKERS: "[1" });
    expect(() => parseConfig("", "mc.yml", broken)).toThrow(
      /environment MCTL__DISPATCH__MAX_WORKERS: invalid YAML/,
    );
  });
});
