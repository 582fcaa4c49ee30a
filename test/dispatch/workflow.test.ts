import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const file = path.resolve(import.meta.dirname, "../../.github/workflows/mission-control-dispatch.yml");

describe("the scheduled dispatch workflow", () => {
  it("runs one mctl dispatch cycle on a schedule and on demand, serialized and never cancelled mid-cycle", async () => {
    const workflow = parse(await readFile(file, "utf8")) as {
      on: { schedule: { cron: string }[]; workflow_dispatch: unknown };
      concurrency: { group: string; "cancel-in-progress": boolean };
      jobs: Record<string, { steps: { run?: string; env?: Record<string, string> }[] }>;
    };
    expect(workflow.on.schedule).toEqual([{ cron: "*/5 * * * *" }]);
    expect("workflow_dispatch" in workflow.on).toBe(true);
    expect(workflow.concurrency).toEqual({ group: "mission-control-dispatch", "cancel-in-progress": false });
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const dispatch = steps.find((step) => step.run === "npx mctl dispatch");
    expect(dispatch?.env?.DATABASE_URL).toMatch(/secrets\./);
  });
});
