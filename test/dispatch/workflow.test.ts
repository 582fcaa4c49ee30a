import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "../..");
const caller = path.join(ROOT, "examples/control-repository/.github/workflows/mission-control-dispatch.yml");
const reusable = path.join(ROOT, ".github/workflows/dispatch.yml");

describe("the scheduled dispatch workflow", () => {
  it("the control repository's caller runs one cycle on a schedule and on demand, serialized and never cancelled mid-cycle", async () => {
    const workflow = parse(await readFile(caller, "utf8")) as {
      on: { schedule: { cron: string }[]; workflow_dispatch: unknown };
      concurrency: { group: string; "cancel-in-progress": boolean };
      permissions: Record<string, string>;
      jobs: Record<string, { uses?: string }>;
    };
    expect(workflow.on.schedule).toEqual([{ cron: "*/5 * * * *" }]);
    expect("workflow_dispatch" in workflow.on).toBe(true);
    expect(workflow.concurrency).toEqual({ group: "mission-control-dispatch", "cancel-in-progress": false });
    expect(workflow.permissions).toEqual({ "id-token": "write" });
    expect(Object.values(workflow.jobs).map((job) => job.uses)).toEqual([
      expect.stringMatching(/\/\.github\/workflows\/dispatch\.yml@/),
    ]);
  });

  it("the reusable workflow asks the app over OIDC, with id-token as its only permission and no secret", async () => {
    const text = await readFile(reusable, "utf8");
    const workflow = parse(text) as {
      on: { workflow_call: unknown };
      permissions: Record<string, string>;
      jobs: Record<string, { permissions: Record<string, string>; steps: { run?: string }[] }>;
    };
    expect("workflow_call" in workflow.on).toBe(true);
    expect(workflow.permissions).toEqual({ "id-token": "write" });
    for (const job of Object.values(workflow.jobs)) expect(job.permissions).toEqual({ "id-token": "write" });
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ""));
    expect(runs).toContain('mctl dispatch --via "$APP_URL"');
    expect(text).not.toMatch(/secrets\.|DATABASE_URL/);
  });
});
