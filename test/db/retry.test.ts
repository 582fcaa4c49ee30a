import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { sqlState } from "../../src/db/errors.js";
import { retryTransaction } from "../../src/db/retry.js";
import { describePostgres } from "../helpers/databases.js";

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
const noSleep = async () => {};

describe("retryTransaction", () => {
  it("retries serialization failures and deadlocks, found through drizzle's cause chain", async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await retryTransaction(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error("Failed query", { cause: pgError("40001") });
        if (calls === 2) throw pgError("40P01");
        return "done";
      },
      { sleep: async (ms) => void delays.push(ms), random: () => 0.5, baseDelayMs: 10 },
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(delays).toEqual([10, 20]);
  });

  it("rethrows any other error at once, and the last retryable one when out of attempts", async () => {
    let calls = 0;
    const failWith = (error: Error) => async () => {
      calls += 1;
      throw error;
    };
    const unique = pgError("23505");
    await expect(retryTransaction(failWith(unique), { sleep: noSleep })).rejects.toBe(unique);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retryTransaction(failWith(pgError("40001")), {
        attempts: 4,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ code: "40001" });
    expect(calls).toBe(4);
  });

  it("reads SQLSTATE codes only where they look like one", () => {
    expect(sqlState(new Error("x", { cause: new Error("y", { cause: pgError("40P01") }) }))).toBe("40P01");
    expect(sqlState(Object.assign(new Error("fs"), { code: "ENOENT" }))).toBeUndefined();
    expect(sqlState("nope")).toBeUndefined();
  });
});

describePostgres("retryTransaction on real serialization failures", ({ db }) => {
  it("eight serializable read-modify-write transactions that must conflict all land exactly once", async () => {
    await db().execute(sql`create table counter (n int not null)`);
    await db().execute(sql`insert into counter values (0)`);
    const racers = 8;
    let arrived = 0;
    let release: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    await Promise.all(
      Array.from({ length: racers }, () =>
        retryTransaction(
          () =>
            db().transaction(
              async (tx) => {
                runs += 1;
                const [row] = await queryRows<{ n: number }>(tx, sql`select n from counter`);
                // Everyone reads before anyone writes: a guaranteed write skew for SERIALIZABLE to refuse.
                if (++arrived === racers) release();
                await barrier;
                await tx.execute(sql`update counter set n = ${(row?.n ?? 0) + 1}`);
              },
              { isolationLevel: "serializable" },
            ),
          { baseDelayMs: 2, attempts: 30 },
        ),
      ),
    );
    const [final] = await queryRows<{ n: number }>(db(), sql`select n from counter`);
    expect(final?.n).toBe(racers);
    expect(runs).toBeGreaterThan(racers);
  });
});
