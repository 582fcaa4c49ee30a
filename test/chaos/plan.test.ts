/**
 * The harness's pure parts: a seed gives the same kill schedule and workload every time, within
 * their bounds; failed deliveries and orchestrator pass reports are read right.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WEIGHTS, planKills } from "./driver.js";
import { failedDeliveries } from "./monitor.js";
import { readPassReports } from "./pass-reports.js";
import { Rng } from "./prng.js";
import { GENERATION_MARK } from "./processes.js";
import { parseKindWeights, planWorkload } from "./workload.js";

describe("the seeded plans", () => {
  const kills = (seed: number) =>
    planKills(new Rng(seed, 2), {
      windowMs: 60_000,
      maxKills: 15,
      gapMs: [2_000, 6_000],
      downMs: [300, 4_000],
      weights: DEFAULT_WEIGHTS,
    });

  it("the kill schedule is the same for a seed, bounded in count and time, and differs between seeds", () => {
    expect(kills(7)).toEqual(kills(7));
    expect(kills(7)).not.toEqual(kills(8));
    for (const seed of [1, 2, 3, 42]) {
      const plan = kills(seed);
      expect(plan.length).toBeLessThanOrEqual(15);
      expect(plan.every((k) => k.atMs < 60_000 && k.downMs >= 300 && k.downMs < 4_000)).toBe(true);
      expect(plan.map((k) => k.atMs)).toEqual([...plan.map((k) => k.atMs)].sort((a, b) => a - b));
    }
  });

  it("the workload is the same for a seed and follows the kind weights", () => {
    const plan = (seed: number, weights = parseKindWeights("succeed=1,linger=3")) =>
      planWorkload(new Rng(seed, 1), 400, { upfront: 0.8, spreadMs: 30_000, weights });
    expect(plan(5)).toEqual(plan(5));
    const kinds = new Set(plan(5).map((t) => t.kind));
    expect(kinds).toEqual(new Set(["succeed", "linger"]));
    const lingering = plan(5).filter((t) => t.kind === "linger").length;
    expect(lingering).toBeGreaterThan(250);
    expect(plan(5).every((t) => t.atMs === 0 || (t.atMs > 0 && t.atMs <= 30_000))).toBe(true);
    expect(() => parseKindWeights("succeed=1,sleepy=2")).toThrow(/unknown kind "sleepy"/);
  });
});

describe("what the harness reads", () => {
  it("failed deliveries: GUIDs with no successful attempt, and how far back the oldest is", () => {
    const deliveries = [
      { guid: "a", statusCode: 200 },
      { guid: "b", statusCode: 0 },
      { guid: "c", statusCode: 500 },
      { guid: "b", statusCode: 200 },
      { guid: "d", statusCode: 0 },
    ];
    expect(failedDeliveries(deliveries)).toEqual({ guids: ["c", "d"], depth: 3 });
    expect(failedDeliveries([{ guid: "a", statusCode: 202 }])).toEqual({ guids: [], depth: 0 });
  });

  it("orchestrator pass reports, per process generation, without the one kill -9 cut short", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "mctl-chaos-plan-"));
    try {
      const report = (outcomes: { item: number; outcome: string }[]) =>
        `${JSON.stringify({ status: "completed", delivered: outcomes.length, outcomes }, null, 2)}\n`;
      const log = [
        `${GENERATION_MARK}orchestrator-0 #1 at 2026-01-01T00:00:00.000Z\n`,
        report([{ item: 1, outcome: "acted" }]),
        report([]),
        '{\n  "status": "completed",\n  "delivered": 1,\n  "outcomes": [\n    {\n      "item": 2,', // killed here
        "\n--- exit orchestrator-0 #1: SIGKILL\n",
        `${GENERATION_MARK}orchestrator-0 #2 at 2026-01-01T00:00:05.000Z\n`,
        report([
          { item: 2, outcome: "acted" },
          { item: 1, outcome: "replayed" },
        ]),
      ].join("");
      await writeFile(path.join(dir, "o.log"), log);
      const reports = await readPassReports("orchestrator-0", path.join(dir, "o.log"));
      expect(reports.passes.completed).toBe(3);
      expect(reports.outcomes).toEqual([
        { process: "orchestrator-0#1", item: 1, outcome: "acted" },
        { process: "orchestrator-0#2", item: 2, outcome: "acted" },
        { process: "orchestrator-0#2", item: 1, outcome: "replayed" },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
