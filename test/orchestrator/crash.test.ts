/**
 * A real `mctl orchestrate` killed with SIGKILL between delivering and acting: nothing was marked
 * processed, the item is delivered again once its lease expires, and it is acted on exactly once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { testLifecycle } from "../builders/tickets.js";
import { captureChildOutput, MCTL, runMctl, tempDir } from "../helpers/cli.js";
import { describePostgres } from "../helpers/databases.js";
import { until } from "../helpers/until.js";
import { eventCount, givenVerifiedItem, itemRow } from "../inbox/support.js";

describePostgres("orchestrator crash between deliver and act", ({ db, url }) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    dir = await tempDir("mctl-orchestrate-");
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await dir.remove();
  });

  it("kill -9 after delivery: delivered again after the lease, acted exactly once", async () => {
    const lifecycle = testLifecycle(db());
    const { item, ticketKey, ticketId } = await givenVerifiedItem(lifecycle);
    await writeFile(`${dir.path}/mc.yml`, "orchestrator:\n  delivery_lease_seconds: 3\n");
    const env = { DATABASE_URL: url(), MCTL_CONFIG: `${dir.path}/mc.yml` };

    // 1. A real orchestrator delivers, then stops at the pause point; we kill it there.
    const proc = spawn(
      process.execPath,
      [MCTL, "orchestrate", "--pause-after-deliver-ms", "600000", "--holder", "doomed"],
      {
        cwd: dir.path,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = proc;
    captureChildOutput(proc, "mctl-orchestrate");
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await until(() => /delivered 1 item\(s\)/.test(stderr), { what: "the orchestrator to deliver" });
    const exited = new Promise((resolve) => proc.once("exit", (_code, signal) => resolve(signal)));
    proc.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const delivered = await itemRow(db(), item.id);
    expect(delivered).toMatchObject({
      state: "delivered",
      deliveredTo: "doomed",
      deliveryCount: 1,
      result: null,
      actedAt: null,
    });
    expect((await lifecycle.findTicket(ticketKey))?.state).toBe("verifying");

    // 2. Before the lease expires another pass cannot take it (checked only if that pass really
    // ended before the lease did: on a loaded machine it may not, and then it may rightly take it;
    // the lease is read before the pass, as a pass that takes the item also renews it).
    const leaseEnds = delivered.leaseExpiresAt?.getTime() ?? 0;
    const early = await runMctl(["orchestrate", "--json", "--holder", "early"], env);
    expect(early.code, early.stderr).toBe(0);
    if (Date.now() < leaseEnds)
      expect(JSON.parse(early.stdout)).toMatchObject({ status: "completed", delivered: 0 });

    // 3. After the lease: delivered again, acted once.
    await until(
      async () => {
        const [row] = await queryRows<{ expired: boolean }>(
          db(),
          sql`select lease_expires_at <= now() as expired from inbox_items where id = ${item.id}`,
        );
        return row?.expired === true || (await itemRow(db(), item.id)).state === "acted";
      },
      { what: "the delivery lease to expire", everyMs: 100 },
    );
    const late = await runMctl(["orchestrate", "--json", "--holder", "survivor"], env);
    expect(late.code, late.stderr).toBe(0);
    const acted = await itemRow(db(), item.id);
    expect(acted).toMatchObject({
      state: "acted",
      deliveryCount: 2,
      result: { decision: "accept", actor: { kind: "orchestrator" } },
    });
    expect((await lifecycle.findTicket(ticketKey))?.state).toBe("done");
    expect(await eventCount(db(), ticketId, "accepted")).toBe(1);

    // 4. And never again.
    const after = await runMctl(["orchestrate", "--json"], env);
    expect(JSON.parse(after.stdout)).toMatchObject({ delivered: 0 });
    expect(await eventCount(db(), ticketId, "accepted")).toBe(1);
    expect((await itemRow(db(), item.id)).deliveryCount).toBe(2);
  });
});
