import type { Actor } from "../domain/actors.js";
import type { AttemptStatus } from "../domain/attempts.js";
import type { CompletionEvidence } from "../domain/completion-evidence.js";
import type { AttemptLog, RecordLogResult } from "../lifecycle/attempt-log.js";
import type { AttemptResult, EndAttemptResult } from "../lifecycle/index.js";
import { type AttemptContext, readAttemptContext, ticketOfAttempt } from "./attempt-context.js";
import type { WorkerFailureReason } from "./judge.js";
import type { WorkerLifecycle } from "./port.js";
import type { NotStartedCode } from "./run-types.js";
import { applySignal, type Signal, type SignalPolicy, type SignalResult } from "./signals.js";

/**
 * Opens the database for one piece of work and closes it again. The runner never keeps it open
 * while the agent runs: the embedded database (PGlite) serves one process at a time, and the
 * agent's own `mctl` calls, the dispatcher and other workers need it too.
 */
export type WithLifecycle = <T>(work: (lifecycle: WorkerLifecycle) => Promise<T>) => Promise<T>;

export type StartOutcome =
  | { readonly ok: true; readonly context: AttemptContext }
  | { readonly ok: false; readonly code: NotStartedCode; readonly message: string };

/** An ending, and whether the log was stored with it (undefined when none was given). */
export interface Ending {
  readonly result: EndAttemptResult;
  readonly log: RecordLogResult | undefined;
}

/** What the runner asks of the database, one short session per call, one call at a time. */
export interface WorkerStore {
  start(input: {
    attemptId: string;
    launchKey?: string | undefined;
    ticket?: string | undefined;
  }): Promise<StartOutcome>;
  heartbeat(attemptId: string): Promise<AttemptResult>;
  signal(signal: Signal): Promise<SignalResult>;
  /** Ends the attempt as failed; with `log`, stores it in the same session once the attempt has ended. */
  fail(input: {
    attemptId: string;
    actor: Actor;
    reason: WorkerFailureReason;
    detail: Record<string, unknown>;
    log?: AttemptLog;
  }): Promise<Ending>;
  complete(input: {
    attemptId: string;
    actor: Actor;
    evidence: CompletionEvidence;
    log?: AttemptLog;
  }): Promise<Ending>;
  recordLog(input: { attemptId: string; log: AttemptLog }): Promise<RecordLogResult>;
  /** The attempt's status now (after an outage: did an ending that seemed lost land after all?). */
  attemptStatus(attemptId: string): Promise<AttemptStatus | undefined>;
}

export function createWorkerStore(withLifecycle: WithLifecycle, policy: SignalPolicy): WorkerStore {
  // One session at a time: a heartbeat and a signal arriving together must not both wait for the
  // embedded database's lock, which this very process would be holding.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: (lifecycle: WorkerLifecycle) => Promise<T>): Promise<T> => {
    const run = queue.then(() => withLifecycle(work));
    queue = run.catch(() => {});
    return run;
  };
  return {
    start: (input) =>
      serial(async (lifecycle): Promise<StartOutcome> => {
        const attempt = await lifecycle.findAttempt(input.attemptId);
        if (!attempt) return { ok: false, code: "not_found", message: `no attempt ${input.attemptId}` };
        if (input.ticket !== undefined) {
          const ticket = await ticketOfAttempt(lifecycle, attempt);
          if (ticket?.key !== input.ticket) {
            return {
              ok: false,
              code: "wrong_ticket",
              message: `attempt ${attempt.id} belongs to ${ticket?.key ?? "no ticket"}, not ${input.ticket}`,
            };
          }
        }
        const started = await lifecycle.startAttempt({
          attemptId: attempt.id,
          launchKey: input.launchKey ?? attempt.launchKey,
          leaseMs: policy.leaseMs,
        });
        if (!started.ok) return started;
        const context = await readAttemptContext(lifecycle, started.attempt);
        if (!context) throw new Error(`attempt ${attempt.id} has no ticket`);
        return { ok: true, context };
      }),
    heartbeat: (attemptId) =>
      serial((lifecycle) => lifecycle.heartbeat({ attemptId, leaseMs: policy.leaseMs })),
    signal: (signal) => serial((lifecycle) => applySignal(lifecycle, signal, policy)),
    fail: (input) =>
      serial(async (lifecycle) => {
        const result = await lifecycle.failAttempt({
          attemptId: input.attemptId,
          actor: input.actor,
          reason: input.reason,
          detail: input.detail,
          backoff: policy.backoff,
        });
        return { result, log: await logAfter(lifecycle, result, input) };
      }),
    complete: (input) =>
      serial(async (lifecycle) => {
        const result = await lifecycle.completeAttempt({
          attemptId: input.attemptId,
          actor: input.actor,
          evidence: input.evidence,
        });
        return { result, log: await logAfter(lifecycle, result, input) };
      }),
    recordLog: (input) => serial((lifecycle) => lifecycle.recordAttemptLog(input)),
    attemptStatus: (attemptId) =>
      serial(async (lifecycle) => (await lifecycle.findAttempt(attemptId))?.status),
  };
}

async function logAfter(
  lifecycle: Pick<WorkerLifecycle, "recordAttemptLog">,
  result: EndAttemptResult,
  input: { attemptId: string; log?: AttemptLog | undefined },
): Promise<RecordLogResult | undefined> {
  if (!result.ok || !input.log) return undefined;
  return lifecycle.recordAttemptLog({ attemptId: input.attemptId, log: input.log });
}
