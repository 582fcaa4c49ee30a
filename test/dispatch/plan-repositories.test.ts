import { describe, expect, it } from "vitest";
import { type Candidate, planRepositories, type RepositoryQueue } from "../../src/dispatch/plan.js";

const policy = { agentIdentities: ["agent"], excludedCampaigns: [], excludedLabels: ["no-agent"] };
const now = new Date("2026-01-01T00:00:00Z");

const candidate = (key: string, overrides: Partial<Candidate> = {}): Candidate => ({
  key,
  version: 1,
  assignee: null,
  campaign: null,
  labels: [],
  blockedBy: [],
  attemptCount: 0,
  extraAttempts: 0,
  nextEligibleAt: null,
  ...overrides,
});

const queue = (
  repository: string,
  keys: string[],
  own: Partial<Pick<RepositoryQueue, "workers" | "maxWorkers" | "policy">> = {},
): RepositoryQueue => ({
  repository,
  candidates: keys.map((k) => candidate(k)),
  workers: 0,
  maxWorkers: null,
  policy,
  ...own,
});

const plan = (queues: RepositoryQueue[], freeSlots: number, batchLeft?: number) =>
  planRepositories({
    queues,
    blockerStates: new Map(),
    freeSlots,
    ...(batchLeft === undefined ? {} : { batchLeft }),
    maxAttempts: 3,
    now,
  });
const keys = (cs: readonly Candidate[]) => cs.map((c) => c.key);
const stops = (p: ReturnType<typeof plan>) =>
  p.decisions.map((d) => `${d.code}${"ticket" in d && d.ticket ? ` ${d.ticket}` : ""}`);

describe("the pick phase across repositories", () => {
  it("takes repositories in turn: one repository's backlog does not starve another's", () => {
    const p = plan(
      [queue("acme/a", ["A1", "A2", "A3", "A4"]), queue("acme/b", ["B1", "B2"]), queue("acme/c", ["C1"])],
      5,
    );
    expect(keys(p.claims)).toEqual(["A1", "B1", "C1", "A2", "B2"]);
    expect(stops(p)).toEqual(["no_slot A3"]);
  });

  it("a repository's own max_workers caps it, the others still fill the global slots", () => {
    const p = plan(
      [
        queue("acme/a", ["A1", "A2", "A3"], { maxWorkers: 2, workers: 1 }),
        queue("acme/b", ["B1", "B2", "B3"]),
      ],
      4,
    );
    expect(keys(p.claims)).toEqual(["A1", "B1", "B2", "B3"]);
    expect(p.decisions).toEqual([
      { code: "repository_full", repository: "acme/a", workers: 1, maxWorkers: 2, ticket: "A2" },
    ]);
    // A repository already at its cap claims nothing.
    const full = plan([queue("acme/a", ["A1"], { maxWorkers: 1, workers: 1 }), queue("acme/b", ["B1"])], 4);
    expect(keys(full.claims)).toEqual(["B1"]);
    expect(stops(full)).toEqual(["repository_full A1"]);
  });

  it("the global cap (and the batch) bound the sum over repositories", () => {
    const p = plan([queue("acme/a", ["A1", "A2"]), queue("acme/b", ["B1", "B2"])], 3);
    expect(keys(p.claims)).toEqual(["A1", "B1", "A2"]);
    expect(stops(p)).toEqual(["no_slot B2"]);
    const none = plan([queue("acme/a", ["A1"]), queue("acme/b", ["B1"])], 0);
    expect(none.claims).toEqual([]);
    expect(stops(none)).toEqual(["no_slot A1", "no_slot B1"]);
    const batch = plan([queue("acme/a", ["A1", "A2"]), queue("acme/b", ["B1"])], 10, 2);
    expect(keys(batch.claims)).toEqual(["A1", "B1"]);
    expect(stops(batch)).toEqual(["batch_limit A2"]);
  });

  it("each repository's own policy decides for its tickets", () => {
    const strict = { ...policy, excludedLabels: ["wip"] };
    const p = plan(
      [
        { ...queue("acme/a", []), candidates: [candidate("A1", { labels: ["wip"] })], policy: strict },
        { ...queue("acme/b", []), candidates: [candidate("B1", { labels: ["wip"] })] },
      ],
      5,
    );
    expect(keys(p.claims)).toEqual(["B1"]);
    expect(stops(p)).toEqual(["skipped_policy A1"]);
  });
});
