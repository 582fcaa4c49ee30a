import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { octokitConfigReader, ownerConfigs, readOwnerConfig } from "../../src/config/owner-config.js";
import {
  allowedRepositories,
  controlRepository,
  repositoryAllowed,
  repositorySettings,
} from "../../src/config/repositories.js";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { manualClock } from "../builders/tickets.js";

const FILE = ".github/mission-control.yml";

describe("the repositories: allow-list", () => {
  const config = parseConfig(
    [
      "dispatch:",
      "  max_workers: 6",
      "  launcher: { kind: github-workflow, workflow: agent.yml, ref: main }",
      "  policy: { excluded_labels: [no-agent] }",
      "repositories:",
      "  acme/api: {}",
      "  acme/web:",
      "  acme/tools:",
      "    launcher: { kind: command, command: [run, '{attempt}'] }",
      "    max_workers: 2",
      "    policy: { excluded_labels: [wip] }",
      "app:",
      "  control_repository_name: mc-control",
    ].join("\n"),
    "mission-control.yml",
  );

  it("absent means every repository; present, only the listed ones (names compare without case)", () => {
    expect(DEFAULT_CONFIG.repositories).toBeUndefined();
    expect(repositoryAllowed(DEFAULT_CONFIG, "anyone/anything")).toBe(true);
    expect(allowedRepositories(DEFAULT_CONFIG)).toBeNull();
    expect(repositoryAllowed(config, "acme/api")).toBe(true);
    expect(repositoryAllowed(config, "ACME/Web")).toBe(true);
    expect(repositoryAllowed(config, "acme/secret")).toBe(false);
    expect(allowedRepositories(config, "acme")).toEqual(["acme/api", "acme/web", "acme/tools"]);
    expect(allowedRepositories(config, "other")).toEqual([]);
  });

  it("an entry may be empty: its launcher, policy and cap default to dispatch:", () => {
    expect(repositorySettings(config, "acme/web")).toEqual({
      repository: "acme/web",
      launcher: { kind: "github-workflow", workflow: "agent.yml", ref: "main" },
      maxWorkers: null,
      excludedCampaigns: [],
      excludedLabels: ["no-agent"],
    });
    expect(repositorySettings(config, "acme/tools")).toEqual({
      repository: "acme/tools",
      launcher: { kind: "command", command: ["run", "{attempt}"] },
      maxWorkers: 2,
      excludedCampaigns: [],
      excludedLabels: ["wip"],
    });
    expect(repositorySettings(config, "acme/secret")).toBeNull();
    expect(controlRepository(config, "acme")).toBe("acme/mc-control");
    expect(controlRepository(DEFAULT_CONFIG, "acme")).toBe("acme/mission-control");
  });

  it("refuses a key that is not owner/name, and the old launcher.repository with the reason", () => {
    expect(() => parseConfig("repositories:\n  acme: {}\n", "mc.yml")).toThrow(
      /^mc\.yml: repositories\.acme: is not a valid key: must be owner\/name/,
    );
    expect(() => parseConfig("repositories:\n  acme/api: { max_worker: 2 }\n", "mc.yml")).toThrow(
      /unknown key\(s\) max_worker/,
    );
    expect(() =>
      parseConfig("dispatch:\n  launcher: { kind: github-workflow, repository: acme/app }\n", "mc.yml"),
    ).toThrow(
      /dispatch\.launcher\.repository: is no longer accepted: the github-workflow launcher always dispatches in the ticket's own repository/,
    );
    expect(() =>
      parseConfig(
        "repositories:\n  acme/api:\n    launcher: { kind: github-workflow, repository: acme/x }\n",
        "mc.yml",
      ),
    ).toThrow(/repositories\.acme\/api\.launcher\.repository: is no longer accepted/);
    expect(() => parseConfig("app:\n  control_repository_name: acme/mc\n", "mc.yml")).toThrow(
      /app\.control_repository_name: must be a repository name/,
    );
  });
});

describe("an owner's configuration from its control repository (against the GitHub stand-in)", () => {
  let gh: GitHubStandin;
  beforeAll(async () => {
    gh = await startGitHubStandin();
    gh.world.repository({
      owner: "acme",
      name: "mission-control",
      files: { [FILE]: "dispatch:\n  max_workers: 3\n" },
    });
    gh.world.repository({ owner: "other", name: "mission-control", files: { "README.md": "no config" } });
  });
  afterAll(() => gh.stop());
  const reader = octokitConfigReader(
    async (owner, repo) => new Octokit({ baseUrl: gh.url, auth: gh.installationToken(`${owner}/${repo}`) }),
  );

  it("reads .github/mission-control.yml on the default branch, validated by the one schema", async () => {
    const acme = await readOwnerConfig("acme", reader);
    expect(acme).toMatchObject({ ok: true, error: null, source: `acme/mission-control:${FILE}` });
    expect(acme.ok && acme.config.dispatch.max_workers).toBe(3);
    expect(await readOwnerConfig("other", reader)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/other\/mission-control:.* does not exist/),
    });
    expect(await readOwnerConfig("-bad", reader)).toMatchObject({ ok: false });
  });

  it("caches for its TTL, and a broken file keeps the last good configuration with the error", async () => {
    gh.world.repository({
      owner: "cached",
      name: "mission-control",
      files: { [FILE]: "dispatch:\n  max_workers: 4\n" },
    });
    const clock = manualClock();
    let reads = 0;
    const counting = {
      read: (...args: Parameters<typeof reader.read>) => {
        reads += 1;
        return reader.read(...args);
      },
    };
    const configs = ownerConfigs({ ...counting, clock, ttlMs: 60_000 });
    const first = await configs.load("cached");
    expect(first.ok && first.config.dispatch.max_workers).toBe(4);
    gh.world.files("cached/mission-control", { [FILE]: "dispatch:\n  max_workers: four\n" });
    expect(await configs.load("cached")).toBe(first);
    expect(reads).toBe(1);

    clock.advance(60_000);
    const broken = await configs.load("cached");
    expect(reads).toBe(2);
    expect(broken).toMatchObject({
      ok: true,
      error: expect.stringMatching(/dispatch\.max_workers: must be a whole number, not "four"/),
    });
    expect(broken.ok && broken.config.dispatch.max_workers).toBe(4);

    gh.world.files("cached/mission-control", { [FILE]: "dispatch:\n  max_workers: 5\n" });
    clock.advance(60_000);
    const fixed = await configs.load("cached");
    expect(fixed).toMatchObject({ ok: true, error: null });
    expect(fixed.ok && fixed.config.dispatch.max_workers).toBe(5);
  });
});
