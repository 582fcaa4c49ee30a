/**
 * An outage as a long-running process sees it: something it needs (the database, the app, GitHub)
 * has failed with transient errors since `since`. Pure: the caller classifies errors, reads the
 * clock, sleeps and writes; this module decides when to say the outage began, when it has lasted
 * long enough to alert a person, when to give up, and what the alert says.
 */
import type { Finding } from "./alerts.js";
import { type BackoffPolicy, backoffDelay, jittered } from "./backoff.js";

export interface Outage {
  readonly since: Date;
  /** Failed tries in a row. */
  readonly failures: number;
  /** The last failure's cause, one line (already masked by the caller). */
  readonly cause: string;
  /** The alert threshold was crossed (the alert was raised, or logged when it could not be). */
  readonly alerted: boolean;
}

export interface OutagePolicy {
  /** An outage longer than this raises an `outage` alert (`operator.outage_alert_seconds`). */
  readonly alertAfterMs: number;
  /** An outage longer than this ends a `--loop` command (`operator.outage_limit_seconds`); null: never. */
  readonly limitMs: number | null;
}

/**
 * What one more failure means: `began` (the first: say so, once), `continues` (say nothing new),
 * `alert` (the threshold was just crossed), `limit` (give up).
 */
export type OutageStep = "began" | "continues" | "alert" | "limit";

export function outageFailure(
  outage: Outage | null,
  now: Date,
  cause: string,
  policy: OutagePolicy,
): { readonly outage: Outage; readonly step: OutageStep } {
  const current: Outage = outage
    ? { ...outage, failures: outage.failures + 1, cause }
    : { since: now, failures: 1, cause, alerted: false };
  const downMs = now.getTime() - current.since.getTime();
  if (policy.limitMs !== null && downMs >= policy.limitMs) return { outage: current, step: "limit" };
  if (!current.alerted && downMs >= policy.alertAfterMs)
    return { outage: { ...current, alerted: true }, step: "alert" };
  return { outage: current, step: outage ? "continues" : "began" };
}

export function outageDurationMs(outage: Outage, now: Date): number {
  return Math.max(0, now.getTime() - outage.since.getTime());
}

/** "42 s", "3 min 5 s", "2 h 1 min": how long, for a person. */
export function describeDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}

/**
 * The `outage` alert of `subject` (the process that saw it: `dispatch --loop`, `app:orchestrate`):
 * while it lasts (`ended` null), or once it ended, naming how long it lasted. The fingerprint is
 * per subject, so a returning outage reopens the same alert and counts its recurrence.
 */
export function outageFinding(
  subject: string,
  outage: Outage,
  now: Date,
  ended: boolean,
): Finding & { readonly condition: "outage" } {
  const down = describeDuration(outageDurationMs(outage, now));
  const since = outage.since.toISOString();
  return {
    condition: "outage",
    subject,
    severity: "critical",
    message: ended
      ? `${subject} could not work for ${down} (from ${since} to ${now.toISOString()}, ${outage.failures} failed tries): ${outage.cause}`
      : `${subject} has not been able to work for ${down} (since ${since}, ${outage.failures} failed tries): ${outage.cause}`,
    detail: {
      since,
      until: ended ? now.toISOString() : null,
      downSeconds: Math.round(outageDurationMs(outage, now) / 1000),
      failures: outage.failures,
      cause: outage.cause,
    },
  };
}

/** What `retryThroughOutage` needs from its caller: the classifier, the clock, sleep and its say. */
export interface OutageRetry {
  /** Which errors are outages to wait out (src/db/errors.ts `isTransientFailure`); others are thrown. */
  readonly transient: (error: unknown) => boolean;
  /** Tries stop once this has passed (a worker's lease: after it, its report would be refused anyway). */
  readonly deadline: () => Date;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly backoff: BackoffPolicy;
  /** Once per outage: its first failure, and until when it will be retried. */
  readonly onOutage: (error: unknown, until: Date) => void;
  /** Once per outage, when a try got through again after failures. */
  readonly onBack: (outage: Outage, now: Date) => void;
  /** One line of an error, masked: the outage's cause. */
  readonly describe: (error: unknown) => string;
}

export type Retried<T> =
  | { readonly ok: true; readonly value: T; readonly outage: Outage | null }
  | { readonly ok: false; readonly error: unknown; readonly outage: Outage };

/**
 * Runs `work` until it answers, waiting out transient failures with exponential back-off and
 * jitter until `deadline()`; the last try is made at the deadline. A non-transient error is thrown
 * at once (a refusal is an answer, not an outage). `ok: false` when the deadline passed failing.
 */
export async function retryThroughOutage<T>(work: () => Promise<T>, r: OutageRetry): Promise<Retried<T>> {
  let outage = null as Outage | null;
  for (;;) {
    try {
      const value = await work();
      if (outage) r.onBack(outage, r.now());
      return { ok: true, value, outage };
    } catch (error) {
      if (!r.transient(error)) throw error;
      const now = r.now();
      outage = outage
        ? { ...outage, failures: outage.failures + 1, cause: r.describe(error) }
        : { since: now, failures: 1, cause: r.describe(error), alerted: false };
      const left = r.deadline().getTime() - now.getTime();
      if (left <= 0) return { ok: false, error, outage };
      if (outage.failures === 1) r.onOutage(error, r.deadline());
      await r.sleep(Math.min(left, jittered(backoffDelay(outage.failures, r.backoff), r.random)));
    }
  }
}

/** Where an `outage` alert is written (the lifecycle's alerts, through the database). */
export interface OutageAlertPort {
  raise(finding: Finding & { readonly condition: "outage" }): Promise<unknown>;
  resolve(subject: string): Promise<unknown>;
}

/** What an `OutageWatch` has to say; the caller logs it its own way. */
export type OutageEvent =
  | { readonly kind: "alert"; readonly finding: Finding; readonly recorded: boolean; readonly why?: string }
  | { readonly kind: "back"; readonly outage: Outage; readonly now: Date }
  | {
      readonly kind: "resolved";
      readonly subject: string;
      readonly recorded: boolean;
      readonly why?: string;
    };

/**
 * One long-running loop's outages and its `outage` alert. `failed` after each pass lost to a
 * transient failure, `worked` after each pass that ran. Past `alertAfterMs` the alert is raised at
 * once if it can be written (GitHub was away, not the database), and said either way; when the
 * outage ends the alert is recorded naming how long it lasted — tried again after every pass until
 * it is written, so it is never lost to a database that blinks once more — and resolved once the
 * loop has worked again for `alertAfterMs`. Writing the alert never throws.
 */
export class OutageWatch {
  private current: Outage | null = null;
  /** The ended outage's alert, not written yet. */
  private unrecorded: (Finding & { readonly condition: "outage" }) | null = null;
  /** When the last alerted outage ended: its alert resolves `alertAfterMs` later. */
  private recoveredAt: Date | null = null;

  constructor(
    private readonly subject: string,
    private readonly policy: OutagePolicy,
    private readonly port: OutageAlertPort | null,
    private readonly say: (event: OutageEvent) => void,
    private readonly describe: (error: unknown) => string,
  ) {}

  get outage(): Outage | null {
    return this.current;
  }

  async failed(now: Date, cause: string): Promise<OutageStep> {
    const next = outageFailure(this.current, now, cause, this.policy);
    this.current = next.outage;
    this.recoveredAt = null;
    if (next.step === "alert") {
      const finding = outageFinding(this.subject, next.outage, now, false);
      this.say({ kind: "alert", finding, ...(await this.write(() => this.port?.raise(finding))) });
    }
    return next.step;
  }

  async worked(now: Date): Promise<void> {
    const ended = this.current;
    if (ended) {
      this.current = null;
      this.say({ kind: "back", outage: ended, now });
      if (ended.alerted) {
        this.unrecorded = outageFinding(this.subject, ended, now, true);
        this.recoveredAt = now;
      }
    }
    const finding = this.unrecorded;
    if (finding) {
      const written = await this.write(() => this.port?.raise(finding));
      if (written.recorded) this.unrecorded = null;
      this.say({ kind: "alert", finding, ...written });
      return;
    }
    if (this.recoveredAt && now.getTime() - this.recoveredAt.getTime() >= this.policy.alertAfterMs) {
      const written = await this.write(() => this.port?.resolve(this.subject));
      if (written.recorded) this.recoveredAt = null;
      this.say({ kind: "resolved", subject: this.subject, ...written });
    }
  }

  private async write(
    work: () => Promise<unknown> | undefined,
  ): Promise<{ recorded: boolean; why?: string }> {
    if (!this.port) return { recorded: false, why: "no alert port" };
    try {
      await work();
      return { recorded: true };
    } catch (error) {
      return { recorded: false, why: this.describe(error) };
    }
  }
}
