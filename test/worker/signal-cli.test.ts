/**
 * `mctl signal …` outside a runner (no MCTL_SIGNAL_URL): straight to the database, validated with
 * zod and fenced like every worker signal.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { describeOnSharedDatabase } from "./support/databases.js";
import { stateOf } from "./support/state.js";
import { givenRunning, startMctl, writeConfig } from "./support/worker.js";

describeOnSharedDatabase("mctl signal", (db) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = await tempDir("mctl-signal-");
    env = { ...db.env(), MCTL_CONFIG: await writeConfig(`${dir.path}/mc.yml`, { leaseSeconds: 60 }) };
  });
  afterEach(async () => dir.remove());
  const signal = (args: string[], extra: Record<string, string> = {}) =>
    startMctl(["signal", ...args], { ...env, ...extra }, dir.path).done;

  it("heartbeat and needs-input for the running attempt; then every signal of that attempt is refused", async () => {
    const { ticket, attempt } = await givenRunning(db, 60_000);
    const beat = await signal(["heartbeat", "--json"], { MCTL_ATTEMPT: attempt.id });
    expect(beat.code).toBe(0);
    expect(JSON.parse(beat.stdout)).toMatchObject({ ok: true, kind: "heartbeat", ticket: "MC-1" });
    expect(new Date(JSON.parse(beat.stdout).leaseExpiresAt).getTime()).toBeGreaterThan(Date.now());

    const ask = await signal(["needs-input", "--attempt", attempt.id, "--question", "Red or blue?"]);
    expect(ask.code).toBe(0);
    expect(ask.stdout).toContain("MC-1 is waiting for an answer");
    const state = await stateOf(db, ticket.key);
    expect(state.ticket.state).toBe("needs_input");
    expect(state.questions).toMatchObject([{ question: "Red or blue?", attemptId: attempt.id }]);

    const late = await signal(["heartbeat"], { MCTL_ATTEMPT: attempt.id });
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("fenced: heartbeat refused for attempt");
    expect(late.stderr).toContain("the attempt is needs_input, not running");
  });
});

describeOnSharedDatabase("mctl signal: refusals", (db) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = await tempDir("mctl-signal-");
    env = { ...db.env(), MCTL_CONFIG: await writeConfig(`${dir.path}/mc.yml`, { leaseSeconds: 60 }) };
  });
  afterEach(async () => dir.remove());
  const signal = (args: string[], extra: Record<string, string> = {}) =>
    startMctl(["signal", ...args], { ...env, ...extra }, dir.path).done;

  it("rejects bad input with a usage error before touching the database", async () => {
    const noAttempt = await signal(["heartbeat"]);
    expect(noAttempt.code).toBe(2);
    expect(noAttempt.stderr).toContain("which attempt? Pass --attempt or run inside `mctl worker run`");
    const badAttempt = await signal(["fail", "--reason", "x", "--attempt", "MC-1/1"]);
    expect(badAttempt.code).toBe(2);
    expect(badAttempt.stderr).toContain("--attempt: must be an attempt id (a UUID)");
    const emptyQuestion = await signal(["needs-input", "--question", "  "], {
      MCTL_ATTEMPT: "00000000-0000-4000-8000-000000000000",
    });
    expect(emptyQuestion.code).toBe(2);
    expect(emptyQuestion.stderr).toContain("--question: a question cannot be empty");
    const deadRunner = await signal(["heartbeat"], {
      MCTL_ATTEMPT: "00000000-0000-4000-8000-000000000000",
      MCTL_SIGNAL_URL: "http://127.0.0.1:9/v1/signal",
      MCTL_SIGNAL_TOKEN: "t",
    });
    expect(deadRunner.code).toBe(3);
    expect(deadRunner.stderr).toContain("did not answer");
  });

  it("an attempt whose lease has run out cannot signal", async () => {
    const { ticket, attempt } = await givenRunning(db, 1);
    const fail = await signal(["fail", "--reason", "too late", "--attempt", attempt.id]);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/fenced: .*its lease has expired/);
    expect((await stateOf(db, ticket.key)).ticket.state).toBe("in_progress");
  });
});
