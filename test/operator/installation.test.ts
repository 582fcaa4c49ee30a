import { describe, expect, it } from "vitest";
import { installationFindings, type OwnerFacts } from "../../src/operator/installation.js";

const start = new Date("2026-03-01T00:00:00Z");
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
const owner = (overrides: Partial<OwnerFacts> = {}): OwnerFacts => ({
  owner: "acme",
  controlRepository: "acme/mission-control",
  dispatchWorkflow: "mission-control-dispatch.yml",
  lastDispatchAt: null,
  watchingSince: start,
  repositories: [],
  ...overrides,
});
const t = { dispatchIntervalMs: 5 * 60_000 };

describe("installation conditions", () => {
  it("dispatch silence: only past twice the interval, counted from the last call or else from the app's start", () => {
    expect(installationFindings(owner(), at(10), t)).toEqual([]);
    expect(installationFindings(owner(), at(11), t).map((f) => f.condition)).toEqual([
      "dispatch_workflow_silent",
    ]);
    expect(installationFindings(owner({ lastDispatchAt: at(5) }), at(15), t)).toEqual([]);
    expect(installationFindings(owner({ lastDispatchAt: at(5) }), at(16), t)[0]?.message).toMatch(
      /last call 2026-03-01T00:05:00.000Z/,
    );
  });

  it("a required check is reported only when commits were looked at; a repository without a workflow launcher needs no file", () => {
    const repository = {
      repository: "acme/widgets",
      defaultBranch: "main",
      agentWorkflow: null,
      protected: true,
      requiredChecks: [{ name: "build", seen: false }],
      commitsLooked: 0,
    };
    expect(
      installationFindings(owner({ lastDispatchAt: at(0), repositories: [repository] }), at(1), t),
    ).toEqual([]);
    expect(
      installationFindings(
        owner({ lastDispatchAt: at(0), repositories: [{ ...repository, commitsLooked: 2 }] }),
        at(1),
        t,
      ).map((f) => [f.condition, f.subject]),
    ).toEqual([["required_check_never_seen", "acme/widgets"]]);
  });
});
