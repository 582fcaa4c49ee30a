/**
 * The worker runner (`mctl worker run`): takes one attempt, runs its agent in the ticket's isolated
 * worktree, keeps the lease alive, relays the agent's signals, and reports the attempt's end with
 * evidence collected from git — never from what the agent printed.
 */
import path from "node:path";
import { isTransientFailure } from "../db/errors.js";
import type { Actor } from "../domain/actors.js";
import type { AttemptStatus } from "../domain/attempts.js";
import type { BackoffPolicy } from "../domain/backoff.js";
import { errorMessage, firstLine } from "../domain/error-message.js";
import {
  describeDuration,
  type OutageRetry,
  outageDurationMs,
  retryThroughOutage,
} from "../domain/outage.js";
import { redactSecrets } from "../domain/redact.js";
import type { EndAttemptResult } from "../lifecycle/index.js";
import { type RunningAgent, startAgent } from "./agent.js";
import type { AttemptContext } from "./attempt-context.js";
import { renderBrief, writeBrief } from "./brief.js";
import { collectEvidence } from "./collect-evidence.js";
import { type HeartbeatLoop, startHeartbeats } from "./heartbeat.js";
import type { WorkerFailureReason } from "./judge.js";
import { keepLogFile } from "./keep-log.js";
import { BoundedLog } from "./log-buffer.js";
import { expandPlaceholders } from "./placeholders.js";
import { SpawnError } from "./process-group.js";
import type { LogPlacement, RunnerOptions, RunReport } from "./run-types.js";
import { agentEnvironment, type Handover, handOver, sandboxPaths } from "./sandbox.js";
import { openSignalChannel, type SignalChannel } from "./signal-channel.js";
import type { Signal, SignalResult } from "./signals.js";
import type { Ending } from "./store.js";
import { prepareWorktree, type TicketWorktree, verifyWorkdir } from "./worktree.js";

/** Back-off while the database is away and the runner holds an ending: 1 s doubled, at most 15 s (jittered). */
const OUTAGE_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 15_000 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An ending the runner could not record before the lease ran out (the database stayed away). */
interface Unreported {
  readonly unreported: true;
  readonly message: string;
}

type Stop =
  | { readonly kind: "lost"; readonly message: string }
  | { readonly kind: "interrupted" }
  | { readonly kind: "signalled"; readonly signal: Exclude<Signal, { kind: "heartbeat" }> };

export type { LogPlacement, RunnerOptions, RunnerSettings, RunReport } from "./run-types.js";

/** Runs one attempt from start to its reported end. */
export async function runWorker(options: RunnerOptions): Promise<RunReport> {
  const { store, settings, output } = options;

  // 1. Take the attempt: launching → running by compare-and-set, or stop before anything starts.
  const started = await store.start({
    attemptId: options.attemptId,
    launchKey: options.launchKey,
    ticket: options.ticket,
  });
  if (!started.ok) return { result: "not_started", code: started.code, message: started.message };
  const { context } = started;
  const { attempt, ticket } = context;
  const actor: Actor = { kind: "worker", id: attempt.worker };
  output.info(`attempt ${attempt.number} of ${ticket.key} is running (${attempt.id})`);

  const log = new BoundedLog(settings.logMaxBytes);
  const run = new AttemptRun(options, context, actor, log);
  try {
    const report = await run.execute();
    if (report.result !== "not_started") report.log = await run.keepLog(report.result);
    return report;
  } catch (error) {
    await run.keepLog("error").catch(() => undefined);
    throw error;
  } finally {
    await run.cleanUp();
  }
}

class AttemptRun {
  private readonly ids: { attemptId: string; ticket: string };
  private readonly heartbeats: HeartbeatLoop;
  private readonly lostController = new AbortController();
  /** Aborts long work (the test command) when the lease is lost or the runner is interrupted. */
  private readonly workController = new AbortController();
  /** The ending signal the lifecycle accepted, if any: after it, nothing else may end the attempt. */
  private endedBy: Exclude<Signal, { kind: "heartbeat" }> | undefined;
  /** The signal being applied, if any: the agent may exit while the runner records it. */
  private inFlight: Promise<unknown> = Promise.resolve();
  private stopRequested: ((stop: Stop) => void) | undefined;
  private readonly stopped: Promise<Stop>;
  private agent: RunningAgent | undefined;
  private channel: SignalChannel | undefined;
  /** Signals are relayed only while the agent runs, and at most one of them may end the attempt. */
  private acceptingSignals = false;
  private worktreeRoot: string | undefined;
  /** The worktree while the sandbox user has it. */
  private handover: Handover | undefined;
  /** Set when the log was stored together with the attempt's ending. */
  private logStored = false;

  constructor(
    private readonly options: RunnerOptions,
    private readonly context: AttemptContext,
    private readonly actor: Actor,
    private readonly log: BoundedLog,
  ) {
    this.ids = { attemptId: context.attempt.id, ticket: context.ticket.key };
    this.stopped = new Promise<Stop>((resolve) => {
      this.stopRequested = resolve;
    });
    const onInterrupt = () => {
      this.workController.abort();
      this.requestStop({ kind: "interrupted" });
    };
    if (options.interrupt.aborted) onInterrupt();
    else options.interrupt.addEventListener("abort", onInterrupt, { once: true });
    // 4. Heartbeats run from the start until the attempt's end is reported (worktree set-up and
    //    the test command can take a while too).
    this.heartbeats = startHeartbeats({
      intervalMs: options.settings.heartbeatMs,
      leaseExpiresAt: context.attempt.leaseExpiresAt,
      beat: () => options.store.heartbeat(context.attempt.id),
      onLost: (message) => {
        this.lostController.abort();
        this.workController.abort();
        this.requestStop({ kind: "lost", message });
      },
      onWarning: (message) => options.output.info(message),
    });
  }

  private requestStop(stop: Stop): void {
    const resolve = this.stopRequested;
    this.stopRequested = undefined;
    resolve?.(stop);
  }

  async execute(): Promise<RunReport> {
    const { options, context } = this;
    const { settings, output } = options;

    // 2. The ticket's isolated worktree and branch.
    let worktree: TicketWorktree;
    try {
      worktree = await prepareWorktree({
        repo: options.repo,
        root: settings.worktreeRoot,
        ticket: context.ticket.key,
        remote: settings.remote,
      });
    } catch (error) {
      return this.fail(
        "worktree_failed",
        `cannot prepare the worktree: ${firstLine(errorMessage(error))}`,
        {},
      );
    }
    this.worktreeRoot = path.resolve(worktree.repoRoot, settings.worktreeRoot);
    output.info(`${worktree.reused ? "reusing" : "created"} worktree ${worktree.path} on ${worktree.branch}`);

    // 3. The brief, the command, and the guard: the agent starts in that worktree or not at all.
    const briefText = renderBrief({ context, branch: worktree.branch, remote: settings.remote });
    let briefPath: string;
    try {
      briefPath = await writeBrief(
        path.join(this.worktreeRoot, ".briefs", context.ticket.key),
        context.attempt,
        briefText,
      );
    } catch (error) {
      return this.fail("worktree_failed", `cannot write the brief: ${firstLine(errorMessage(error))}`, {});
    }
    const values = { ticket: context.ticket.key, attempt: context.attempt.id, ticket_file: briefPath };
    const argv = expandPlaceholders(options.agentCommand, values);
    const cwd = worktree.path;
    const check = await verifyWorkdir(cwd, worktree);
    if (!check.ok) return this.fail("wrong_worktree", check.message, { cwd });

    const channel = await openSignalChannel({
      attemptId: context.attempt.id,
      handle: (s) => this.onSignal(s),
    });
    this.channel = channel;
    // The agent reaches the database only through the runner: it never gets DATABASE_URL, and in
    // the sandbox only the allow-listed variables. The signal token is in its environment only.
    const sandbox = options.sandbox;
    const env = agentEnvironment({
      base: options.baseEnv,
      allow: settings.agentEnv,
      sandbox: sandbox?.user,
      attempt: {
        MCTL_TICKET: context.ticket.key,
        MCTL_ATTEMPT: context.attempt.id,
        MCTL_TICKET_FILE: briefPath,
        MCTL_BRANCH: worktree.branch,
        MCTL_SIGNAL_URL: channel.url,
        MCTL_SIGNAL_TOKEN: channel.token,
      },
    });
    const runAs = sandbox && { uid: sandbox.user.uid, gid: sandbox.user.gid };
    let paths: string[] = [];
    if (sandbox) {
      try {
        paths = await sandboxPaths(worktree.path, worktree.commonDir, worktree.branch);
        this.handover = await handOver(paths, worktree.path, sandbox.user, sandbox.owner);
      } catch (error) {
        return this.fail(
          "worktree_failed",
          `cannot hand the worktree to the sandbox user: ${firstLine(errorMessage(error))}`,
          {},
        );
      }
    }
    // The lease may have been lost, or the runner stopped, while the worktree was being prepared.
    if (this.lostController.signal.aborted) return this.lostAfterStop();
    if (this.workController.signal.aborted)
      return this.fail("interrupted", "the runner was told to stop", {});
    try {
      this.agent = await startAgent({
        argv,
        cwd,
        env,
        runAs,
        log: this.log,
        output: { stdout: output.agentStdout, stderr: output.agentStderr },
      });
    } catch (error) {
      if (!(error instanceof SpawnError)) throw error;
      return this.fail("agent_not_started", error.message, { command: argv });
    }
    output.info(
      `agent started (pid ${this.agent.pid}${sandbox ? `, as ${sandbox.user.name}` : ""}): ${argv.join(" ")}`,
    );
    this.acceptingSignals = true;

    // 4. Wait for the agent to exit, or for a reason to stop it.
    const agent = this.agent;
    const raced = await Promise.race([
      agent.exited.then((end) => ({ kind: "exited" as const, end })),
      this.stopped,
    ]);
    this.acceptingSignals = false;
    await this.inFlight;
    // An agent may exit before its accepted signal has stopped it: the signal still decides.
    const first: typeof raced = this.endedBy ? { kind: "signalled", signal: this.endedBy } : raced;
    const graceMs = settings.graceMs;
    if (first.kind === "exited") {
      // Whatever it left running in the background must not change the tree under the evidence.
      await agent.stop({ politeMs: 0, graceMs });
    } else {
      const { killed } = await agent.stop({ politeMs: first.kind === "signalled" ? graceMs : 0, graceMs });
      output.info(`agent stopped${killed ? " (SIGKILL after the grace period)" : ""}`);
    }
    await agent.drained(2_000);
    await channel.close();
    const end = first.kind === "exited" ? first.end : await agent.exited;
    const durationMs = Date.now() - agent.startedAt;
    // The agent has stopped: the runner takes its worktree back before it runs git on it.
    const takenBack = await this.takeBack();

    if (first.kind === "lost") return this.lost(first.message);
    if (first.kind === "interrupted") return this.fail("interrupted", "the runner was told to stop", {});
    if (first.kind === "signalled") {
      this.heartbeats.stop();
      const signal = first.signal;
      if (signal.kind === "needs_input")
        return { result: "needs_input", ...this.ids, question: signal.question };
      return { result: "failed", ...this.ids, reason: "agent_gave_up", message: signal.reason, detail: {} };
    }
    if (end.exitCode !== 0) {
      const how = end.exitCode === null ? `was killed by ${end.signal}` : `exited with code ${end.exitCode}`;
      return this.fail("agent_crashed", `the agent ${how}`, { exitCode: end.exitCode, signal: end.signal });
    }

    if (!takenBack.ok) return this.fail("wrong_worktree", takenBack.message, {});

    // 5. Evidence, from git and the test command only.
    const collected = await collectEvidence({
      attemptId: context.attempt.id,
      ticket: context.ticket.key,
      worktree,
      remote: settings.remote,
      testCommand: settings.testCommand && expandPlaceholders(settings.testCommand, values),
      testEnv: withoutChannel(env),
      testRunAs: runAs,
      // The tests run the agent's code: as the sandbox user, in a worktree it may write again (the
      // git facts are read by then; cleanUp takes it back).
      beforeTests: sandbox
        ? async () => {
            this.handover = await handOver(paths, worktree.path, sandbox.user, sandbox.owner);
          }
        : undefined,
      testTimeoutMs: settings.testTimeoutMs,
      graceMs: settings.graceMs,
      agentDurationMs: durationMs,
      signal: this.workController.signal,
      output,
    });
    if (this.lostController.signal.aborted) return this.lostAfterStop();
    if (collected.kind === "aborted") return this.fail("interrupted", "the runner was told to stop", {});
    if (collected.kind === "failed") return this.fail(collected.reason, collected.message, collected.detail);
    const verdict = collected;

    // 6. Claim completion with the evidence (fenced: refused if the lease was lost meanwhile).
    this.heartbeats.stop();
    const ending = await this.throughOutage("completion", "completed", () =>
      options.store.complete({
        attemptId: context.attempt.id,
        actor: this.actor,
        evidence: verdict.evidence,
        log: this.log.snapshot(),
      }),
    );
    if ("unreported" in ending)
      return { result: "unreported", ...this.ids, outcome: "completed", message: ending.message };
    const { result, log } = ending;
    this.logStored = log?.ok === true;
    if (!result.ok && !ending.landed) return this.refused(result);
    return { result: "completed", ...this.ids, evidence: verdict.evidence };
  }

  /** Relays one of the agent's signals; an ending signal also stops the agent. */
  private onSignal(signal: Signal): Promise<SignalResult> {
    const applying = this.applySignal(signal);
    this.inFlight = applying.catch(() => undefined);
    return applying;
  }

  private async applySignal(signal: Signal): Promise<SignalResult> {
    if (!this.acceptingSignals) {
      return {
        ok: false,
        code: "fenced",
        message: "the agent has stopped; this runner takes no more signals",
      };
    }
    if (signal.kind !== "heartbeat") this.acceptingSignals = false;
    const result =
      signal.kind === "heartbeat" ? await this.options.store.signal(signal) : await this.endingSignal(signal);
    if (signal.kind === "heartbeat") {
      if (result.ok && result.leaseExpiresAt) this.heartbeats.extended(new Date(result.leaseExpiresAt));
      return result;
    }
    if (result.ok) {
      this.endedBy = signal;
      // The attempt has ended: its lease is nobody's to extend any more.
      this.heartbeats.stop();
      this.options.output.info(`the agent signalled ${signal.kind}: ${result.message}`);
      this.requestStop({ kind: "signalled", signal });
    } else {
      this.acceptingSignals = true;
    }
    return result;
  }

  /** Waiting out a database outage with `what` (an ending) in hand, until the lease runs out. */
  private outageRetry(what: string): OutageRetry {
    const { output, outageRetry } = this.options;
    const cause = (error: unknown) => redactSecrets(firstLine(errorMessage(error)));
    return {
      transient: isTransientFailure,
      deadline: () => this.heartbeats.leaseExpiresAt,
      now: () => new Date(),
      sleep: outageRetry?.sleep ?? sleep,
      random: Math.random,
      backoff: outageRetry?.backoff ?? OUTAGE_BACKOFF,
      describe: cause,
      onOutage: (error, until) =>
        output.info(
          `the database is unavailable (${cause(error)}); ${what} is kept and tried again until the lease runs out at ${until.toISOString()}`,
        ),
      onBack: (outage, now) =>
        output.info(
          `the database is back after ${outage.failures} failed tries (${describeDuration(outageDurationMs(outage, now))}); ${what} is being recorded`,
        ),
    };
  }

  /**
   * An agent's ending signal (a question, giving up), recorded through a database outage like the
   * runner's own endings; when the lease runs out first, the agent is told it failed.
   */
  private async endingSignal(signal: Exclude<Signal, { kind: "heartbeat" }>): Promise<SignalResult> {
    const what = signal.kind === "needs_input" ? "the agent's question" : "the agent's failure";
    const tried = await retryThroughOutage(() => this.options.store.signal(signal), this.outageRetry(what));
    if (tried.ok) return tried.value;
    throw tried.error;
  }

  private async fail(
    reason: WorkerFailureReason,
    message: string,
    detail: Record<string, unknown>,
  ): Promise<RunReport> {
    if (this.lostController.signal.aborted) return this.lostAfterStop();
    this.heartbeats.stop();
    const ending = await this.throughOutage("failure", "failed", () =>
      this.options.store.fail({
        attemptId: this.ids.attemptId,
        actor: this.actor,
        reason,
        detail: { message, ...detail },
        log: this.log.snapshot(),
      }),
    );
    if ("unreported" in ending)
      return { result: "unreported", ...this.ids, outcome: "failed", message: ending.message };
    const { result, log } = ending;
    this.logStored = log?.ok === true;
    if (!result.ok && !ending.landed) return this.refused(result);
    return { result: "failed", ...this.ids, reason, message, detail };
  }

  /**
   * Records an ending through a database outage: transient failures (src/db/errors.ts) are retried
   * with back-off and jitter until the lease as last extended runs out — after that the ending
   * would be refused anyway, and the dispatcher expires the attempt as lost. Said once when the
   * outage begins and once when it ends. A refusal is an answer and is returned at once; a fenced
   * answer after an outage is checked against the attempt's status, since the try that seemed to
   * fail may have been committed before its connection broke (`landed`).
   */
  private async throughOutage(
    what: string,
    status: AttemptStatus,
    work: () => Promise<Ending>,
  ): Promise<(Ending & { readonly landed: boolean }) | Unreported> {
    const tried = await retryThroughOutage(work, this.outageRetry(`the ${what}`));
    if (!tried.ok)
      return {
        unreported: true,
        message: `the database stayed unavailable until the lease ran out at ${this.heartbeats.leaseExpiresAt.toISOString()} (${tried.outage.failures} tries over ${describeDuration(outageDurationMs(tried.outage, new Date()))}): ${tried.outage.cause}`,
      };
    const { result } = tried.value;
    if (tried.outage && !result.ok && result.code === "fenced") {
      const now = await this.options.store.attemptStatus(this.ids.attemptId).catch(() => undefined);
      if (now === status) {
        this.options.output.info(`the ${what} had been recorded by a try during the outage`);
        return { ...tried.value, landed: true };
      }
    }
    return { ...tried.value, landed: false };
  }

  private refused(result: Exclude<EndAttemptResult, { ok: true }>): RunReport {
    return { result: "refused", ...this.ids, code: result.code, message: result.message };
  }

  private lost(message: string): RunReport {
    this.heartbeats.stop();
    return { result: "lost", ...this.ids, message };
  }

  private async lostAfterStop(): Promise<RunReport> {
    const stop = await this.stopped;
    return this.lost(stop.kind === "lost" ? stop.message : "the lease was lost");
  }

  /**
   * Keeps the bounded log: in the attempt's outcome once the attempt has ended, otherwise (lost but
   * not yet expired by the dispatcher, or the database unreachable) in a file beside the worktrees.
   */
  async keepLog(result: string): Promise<LogPlacement> {
    if (this.logStored) return { stored: "attempt" };
    const snapshot = this.log.snapshot();
    let why: string;
    try {
      const stored = await this.options.store.recordLog({ attemptId: this.ids.attemptId, log: snapshot });
      if (stored.ok) return { stored: "attempt" };
      why = stored.message;
    } catch (error) {
      why = firstLine(errorMessage(error));
    }
    if (!this.worktreeRoot) return { stored: "nowhere", why };
    return keepLogFile({
      directory: path.join(this.worktreeRoot, ".logs", this.ids.ticket),
      name: `attempt-${this.context.attempt.number}-${this.ids.attemptId}.log`,
      heading: `# ${this.ids.ticket} attempt ${this.ids.attemptId}: ${result}`,
      log: snapshot,
      why,
    });
  }

  /** Returns a handed-over worktree to the runner's user (once); ok when there was none. */
  private async takeBack(): Promise<{ ok: true } | { ok: false; message: string }> {
    const handover = this.handover;
    this.handover = undefined;
    return handover ? handover.takeBack() : { ok: true };
  }

  async cleanUp(): Promise<void> {
    this.heartbeats.stop();
    this.acceptingSignals = false;
    if (this.agent) await this.agent.stop({ politeMs: 0, graceMs: this.options.settings.graceMs });
    await this.channel?.close();
    await this.takeBack().catch(() => undefined);
  }
}

/** The test command runs after the agent: it gets the same environment, minus the signal channel. */
function withoutChannel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.MCTL_SIGNAL_URL;
  delete copy.MCTL_SIGNAL_TOKEN;
  return copy;
}
