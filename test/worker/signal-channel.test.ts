/** The runner's local signal channel over real HTTP, and the heartbeat loop, without a database. */
import { afterEach, describe, expect, it } from "vitest";
import type { AttemptRow } from "../../src/db/schema.js";
import type { AttemptResult } from "../../src/lifecycle/index.js";
import { startHeartbeats } from "../../src/worker/heartbeat.js";
import {
  openSignalChannel,
  type SignalChannel,
  SignalChannelError,
  sendSignal,
} from "../../src/worker/signal-channel.js";
import type { Signal } from "../../src/worker/signals.js";

const ATTEMPT = "6f1c2a6e-2d6b-4c0e-9d4f-3f1b2c3d4e5f";

describe("the signal channel", () => {
  let channel: SignalChannel | undefined;
  afterEach(async () => channel?.close());

  const open = async () => {
    const received: Signal[] = [];
    channel = await openSignalChannel({
      attemptId: ATTEMPT,
      handle: async (signal) => {
        received.push(signal);
        return {
          ok: true,
          kind: signal.kind,
          attemptId: ATTEMPT,
          ticket: "MC-1",
          state: "needs_input",
          message: "noted",
        };
      },
    });
    return { channel, received };
  };

  it("hands a valid signal with the right token to the runner and returns its answer", async () => {
    const { channel, received } = await open();
    expect(channel.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/signal$/);
    const signal: Signal = { kind: "needs_input", attemptId: ATTEMPT, question: "Which one?" };
    const result = await sendSignal({ url: channel.url, token: channel.token, signal, timeoutMs: 5_000 });
    expect(result).toMatchObject({ ok: true, kind: "needs_input", message: "noted" });
    expect(received).toEqual([signal]);
  });

  it("refuses a wrong token, another attempt and invalid signals without calling the runner", async () => {
    const { channel, received } = await open();
    const post = (body: unknown, token = channel.token) =>
      fetch(channel.url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    const wrongToken = await post({ kind: "heartbeat", attemptId: ATTEMPT }, "guess");
    expect(wrongToken.status).toBe(401);
    const other = await post({ kind: "heartbeat", attemptId: "00000000-0000-4000-8000-000000000000" });
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ ok: false, code: "fenced" });
    const empty = await post({ kind: "needs_input", attemptId: ATTEMPT, question: " " });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("question"),
    });
    const unknown = await post({ kind: "complete", attemptId: ATTEMPT });
    expect(unknown.status).toBe(400);
    expect((await post("not json")).status).toBe(400);
    expect(received).toEqual([]);
  });

  it("says so when no runner answers", async () => {
    const { channel } = await open();
    const url = channel.url;
    await channel.close();
    await expect(
      sendSignal({ url, token: "t", signal: { kind: "heartbeat", attemptId: ATTEMPT }, timeoutMs: 5_000 }),
    ).rejects.toThrow(SignalChannelError);
  });
});

describe("the heartbeat loop", () => {
  const attemptUntil = (ms: number) =>
    ({ ok: true, attempt: { leaseExpiresAt: new Date(ms) } as AttemptRow }) as const;

  const run = (beat: () => Promise<AttemptResult>, leaseEnd: number, now = () => 0) =>
    new Promise<{ lost: string; warnings: string[]; beats: number }>((resolve) => {
      const warnings: string[] = [];
      let beats = 0;
      startHeartbeats({
        intervalMs: 5,
        leaseExpiresAt: new Date(leaseEnd),
        beat: () => {
          beats++;
          return beat();
        },
        onLost: (lost) => resolve({ lost, warnings, beats }),
        onWarning: (warning) => warnings.push(warning),
        now,
      });
    });

  it("stops at the first refusal: the lease is lost", async () => {
    let calls = 0;
    const result = await run(async () => {
      calls++;
      return calls < 3 ? attemptUntil(1000) : { ok: false, code: "fenced", message: "its lease has expired" };
    }, 1000);
    expect(result.beats).toBe(3);
    expect(result.lost).toBe("heartbeat refused: its lease has expired");
  });

  it("keeps trying through database errors while the lease lasts, and gives up once it has run out", async () => {
    let clock = 0;
    const result = await run(
      async () => {
        clock += 100;
        throw new Error("database unavailable");
      },
      350,
      () => clock,
    );
    expect(result.warnings.length).toBe(3);
    expect(result.beats).toBe(4);
    expect(result.lost).toMatch(/the lease ran out at .* while heartbeats failed \(database unavailable\)/);
  });
});
