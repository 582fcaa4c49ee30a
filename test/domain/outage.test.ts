/**
 * src/domain/outage.ts: when an outage is said, alerted and given up on, and the retry loop a
 * worker waits an outage out with (a manual clock: `sleep` advances it, nothing waits for real).
 */
import { describe, expect, it } from "vitest";
import { isTransientFailure } from "../../src/db/errors.js";
import { jittered } from "../../src/domain/backoff.js";
import {
  describeDuration,
  type Outage,
  type OutageRetry,
  outageFailure,
  outageFinding,
  retryThroughOutage,
} from "../../src/domain/outage.js";
import { RemoteWorkerError } from "../../src/worker/remote.js";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const policy = { alertAfterMs: 10_000, limitMs: 30_000 };

describe("outageFailure", () => {
  it("begins once, alerts once past the threshold, and gives up at the limit", () => {
    const steps: string[] = [];
    let outage: Outage | null = null;
    for (const s of [0, 5, 10, 20, 30]) {
      const next = outageFailure(outage, at(s), "connection refused", policy);
      outage = next.outage;
      steps.push(next.step);
    }
    expect(steps).toEqual(["began", "continues", "alert", "continues", "limit"]);
    expect(outage).toMatchObject({ since: at(0), failures: 5, alerted: true });
  });

  it("never gives up without a limit", () => {
    const long = outageFailure(
      { since: at(0), failures: 3, cause: "x", alerted: true },
      new Date(at(0).getTime() + 7 * 86_400_000),
      "x",
      { alertAfterMs: 1, limitMs: null },
    );
    expect(long.step).toBe("continues");
  });
});

describe("outageFinding", () => {
  it("names the subject, how long and why, ongoing or ended", () => {
    const outage: Outage = { since: at(0), failures: 4, cause: "connect ECONNREFUSED", alerted: true };
    expect(outageFinding("dispatch --loop", outage, at(42), false)).toMatchObject({
      condition: "outage",
      subject: "dispatch --loop",
      severity: "critical",
      message: `dispatch --loop has not been able to work for 42 s (since ${at(0).toISOString()}, 4 failed tries): connect ECONNREFUSED`,
      detail: { until: null, downSeconds: 42, failures: 4 },
    });
    expect(outageFinding("app:orchestrate", outage, at(42), true).message).toBe(
      `app:orchestrate could not work for 42 s (from ${at(0).toISOString()} to ${at(42).toISOString()}, 4 failed tries): connect ECONNREFUSED`,
    );
    expect([describeDuration(59_400), describeDuration(185_000), describeDuration(7_260_000)]).toEqual([
      "59 s",
      "3 min 5 s",
      "2 h 1 min",
    ]);
  });
});

describe("jittered", () => {
  it("keeps half the delay and draws the other half", () => {
    expect([jittered(1000, () => 0), jittered(1000, () => 0.999)]).toEqual([500, 999]);
  });
});

/** A retry whose sleep moves a manual clock, recording what it says and how long it slept. */
function manualRetry(deadlineS: number) {
  let now = at(0).getTime();
  const said: string[] = [];
  const slept: number[] = [];
  const retry: OutageRetry = {
    transient: isTransientFailure,
    deadline: () => at(deadlineS),
    now: () => new Date(now),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    random: () => 0.5,
    backoff: { baseMs: 1000, capMs: 4000 },
    describe: (error) => (error as Error).message,
    onOutage: (error, until) => said.push(`down: ${(error as Error).message} until ${until.toISOString()}`),
    onBack: (outage) => said.push(`back after ${outage.failures}`),
  };
  return { retry, said, slept };
}

const refused = (status: number) => new RemoteWorkerError(`complete refused (${status})`, "x", { status });

describe("retryThroughOutage", () => {
  it("waits out transient failures with growing, jittered pauses, saying so once each way", async () => {
    const { retry, said, slept } = manualRetry(60);
    const answers = [
      refused(503),
      refused(502),
      new Error("fetch failed", { cause: { code: "ECONNREFUSED" } }),
    ];
    const result = await retryThroughOutage(async () => {
      const next = answers.shift();
      if (next) throw next;
      return "recorded";
    }, retry);
    expect(result).toMatchObject({ ok: true, value: "recorded", outage: { failures: 3 } });
    expect(slept).toEqual([750, 1500, 3000]);
    expect(said).toEqual([`down: complete refused (503) until ${at(60).toISOString()}`, "back after 3"]);
  });

  it("throws a refusal at once: 4xx and conflicts are answers, not outages", async () => {
    for (const status of [400, 403, 404, 409, 422]) {
      const { retry, slept } = manualRetry(60);
      await expect(
        retryThroughOutage(async () => {
          throw refused(status);
        }, retry),
      ).rejects.toThrow(`refused (${status})`);
      expect(slept).toEqual([]);
    }
  });

  it("gives up once the deadline has passed, after a last try at it", async () => {
    const { retry, slept } = manualRetry(5);
    let tries = 0;
    const result = await retryThroughOutage(async () => {
      tries++;
      throw Object.assign(new Error("the database system is shutting down"), { code: "57P01" });
    }, retry);
    expect(result).toMatchObject({ ok: false, outage: { failures: tries, since: at(0) } });
    // 750 + 1500 + 2750 (clipped to the deadline) = 5 s, then the last try at the deadline.
    expect(slept).toEqual([750, 1500, 2750]);
    expect(tries).toBe(4);
  });

  it("classifies the database's outages: too many connections and a pool's connect timeout too", () => {
    for (const error of [
      Object.assign(new Error("sorry, too many clients already"), { code: "53300" }),
      new Error("timeout exceeded when trying to connect"),
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      refused(504),
    ])
      expect(isTransientFailure(error), String(error)).toBe(true);
    expect(isTransientFailure(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
  });
});
