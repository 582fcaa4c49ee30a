/**
 * The sandbox's pieces without a worker run: who may be a sandbox user, what the agent's
 * environment holds, and which `agent_env` lists the configuration refuses.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { agentEnvironment, resolveSandboxUser, SandboxError } from "../../src/worker/sandbox.js";

const base = {
  PATH: "/usr/bin",
  HOME: "/root",
  LANG: "C.UTF-8",
  DATABASE_URL: "postgres://mc:pw@db/mc",
  GITHUB_TOKEN: "ghs_x",
  MCTL_DATA_DIR: "/srv/mc/data",
  ANTHROPIC_API_KEY: "sk-ant",
};
const attempt = { MCTL_ATTEMPT: "a-1", MCTL_SIGNAL_TOKEN: "t" };
const user = { name: "mctl-sandbox", uid: 999, gid: 995, home: "/home/mctl-sandbox" };

describe("agentEnvironment", () => {
  it("sandboxed: only the default allow-list, HOME the sandbox user's, plus the attempt's variables", () => {
    expect(agentEnvironment({ base, allow: undefined, sandbox: user, attempt })).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/mctl-sandbox",
      LANG: "C.UTF-8",
      ...attempt,
    });
  });

  it("an explicit list adds the agent's own keys but never a credential, even if it got past the schema", () => {
    const env = agentEnvironment({
      base,
      allow: ["PATH", "ANTHROPIC_API_KEY", "DATABASE_URL", "MCTL_DATA_DIR"],
      sandbox: user,
      attempt,
    });
    expect(env).toEqual({ PATH: "/usr/bin", ANTHROPIC_API_KEY: "sk-ant", ...attempt });
  });

  it("trusted (no sandbox, no list): the runner's environment minus DATABASE_URL", () => {
    const env = agentEnvironment({ base, allow: undefined, sandbox: undefined, attempt });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MCTL_DATA_DIR).toBe("/srv/mc/data");
    expect(env.MCTL_ATTEMPT).toBe("a-1");
  });
});

describe("resolveSandboxUser", () => {
  it("refuses when the runner is not root, naming what to do", async () => {
    await expect(resolveSandboxUser("mctl-sandbox", 1000)).rejects.toThrow(
      /cannot drop privileges to it: it runs as uid 1000, not root.*remove worker.sandbox/,
    );
  });

  it.runIf(process.getuid?.() === 0)("refuses a user that does not exist, and root itself", async () => {
    await expect(resolveSandboxUser("mctl-no-such-user", 0)).rejects.toThrow(
      /does not exist on this machine; create it \(useradd --system --no-create-home mctl-no-such-user\)/,
    );
    await expect(resolveSandboxUser("root", 0)).rejects.toBeInstanceOf(SandboxError);
  });
});

describe("worker.agent_env in the configuration", () => {
  it("refuses credentials and MCTL_* variables with the reason", () => {
    const yaml = "worker:\n  agent_env: [PATH, DATABASE_URL, MCTL_SIGNAL_TOKEN, GITHUB_TOKEN]\n";
    expect(() => parseConfig(yaml, "mc.yml")).toThrow(
      /DATABASE_URL cannot be given to the agent: it is a credential/,
    );
    expect(() => parseConfig(yaml, "mc.yml")).toThrow(
      /MCTL_SIGNAL_TOKEN cannot be given to the agent: MCTL_\* variables/,
    );
    expect(() => parseConfig(yaml, "mc.yml")).toThrow(/GITHUB_TOKEN cannot be given/);
  });

  it("accepts a sandbox user and an allow-list", () => {
    const config = parseConfig(
      "worker:\n  sandbox: { user: mctl-sandbox }\n  agent_env: [PATH, ANTHROPIC_API_KEY]\n",
      "mc.yml",
    );
    expect(config.worker.sandbox).toEqual({ user: "mctl-sandbox" });
    expect(config.worker.agent_env).toEqual(["PATH", "ANTHROPIC_API_KEY"]);
  });
});
