import { isTransientDatabaseError } from "../db/errors.js";
import { backoffDelay } from "../domain/backoff.js";
import { errorMessage, firstLine } from "../domain/error-message.js";
import {
  describeDuration,
  type OutageAlertPort,
  type OutageEvent,
  type OutagePolicy,
  OutageWatch,
  outageDurationMs,
} from "../domain/outage.js";
import { redactSecrets } from "../domain/redact.js";
import type { Config } from "../config/schema.js";
import { outagePolicyFrom } from "../operator/thresholds.js";
import type { CliContext } from "./context.js";
import { CliError, EXIT_DATABASE } from "./errors.js";

/** The longest wait between tries while the database is unreachable. */
const MAX_BACKOFF_MS = 5 * 60_000;

export interface PassOptions {
  /** Run passes until stopped (`--loop`); otherwise exactly one. */
  readonly loop: boolean;
  /** Pause between passes. */
  readonly intervalMs: number;
  /** With `loop`: stop after this many passes that ran (a pass lost to an outage does not count). */
  readonly maxPasses?: number | undefined;
  /** With `loop`: when an outage raises its alert or ends the loop, and where the alert goes. */
  readonly outage?: LoopOutage | undefined;
}

export interface LoopOutage {
  /** The alert's subject: the loop, e.g. `dispatch --loop`. */
  readonly subject: string;
  readonly policy: OutagePolicy;
  /** Where the `outage` alert is written. */
  readonly alerts: OutageAlertPort;
}

/** An outage event as the loop's stderr line. */
function sayOutage(event: OutageEvent): string {
  switch (event.kind) {
    case "back":
      return `the database is back after ${event.outage.failures} failed pass(es); carrying on (it was unavailable for ${describeDuration(outageDurationMs(event.outage, event.now))})`;
    case "alert":
      return `outage alert: ${event.finding.message}${event.recorded ? "" : ` (not recorded: ${event.why}; tried again after the next pass that works)`}`;
    case "resolved":
      return event.recorded
        ? `outage alert of ${event.subject} resolved: it has worked again since`
        : `outage alert of ${event.subject} not resolved yet: ${event.why}`;
  }
}

/** A `--loop` command's outage handling: the configured policy, its alert written through the lifecycle. */
export function loopOutage(
  ctx: Pick<CliContext, "withDatabase">,
  config: Config,
  subject: string,
): LoopOutage {
  return {
    subject,
    policy: outagePolicyFrom(config),
    alerts: {
      raise: (finding) => ctx.withDatabase(({ lifecycle }) => lifecycle.alerts.raise(finding)),
      resolve: (alerted) =>
        ctx.withDatabase(({ lifecycle }) =>
          lifecycle.alerts.resolve({ condition: "outage", subjects: [alerted] }),
        ),
    },
  };
}

/**
 * Runs `pass` once, or with `loop` every `intervalMs` until SIGINT or SIGTERM (or `maxPasses`). A
 * signal never interrupts a running pass: it ends the pause at once, or stops the loop after the
 * pass in progress, and the command exits normally (what a scheduler's stop or Ctrl-C expects).
 *
 * A loop outlives outages: a pass that fails because the database is unreachable (a restart, a
 * failover) is logged on stderr, and the loop waits — the interval, doubled per failure in a row,
 * at most 5 minutes — and carries on. Any other error ends the loop as before; a single pass (no
 * `--loop`) fails at once, so a scheduler sees the failure.
 *
 * With `outage`, an outage longer than its `alertAfterMs` raises an `outage` alert (OutageWatch in
 * src/domain/outage.ts): said on stderr at once (`outage alert: …`, not recorded while the database
 * is down), recorded naming how long the outage lasted after the first pass that works again, and
 * resolved once the loop has worked for as long again. An outage longer than `limitMs` ends the
 * loop with exit 3 (`outage_limit`).
 */
export async function runPasses(options: PassOptions, pass: (n: number) => Promise<void>): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let stopping = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopping = true;
    wake();
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const outagePolicy = options.outage?.policy ?? { alertAfterMs: Number.POSITIVE_INFINITY, limitMs: null };
  const describe = (error: unknown) => redactSecrets(firstLine(errorMessage(error)));
  const watch = new OutageWatch(
    options.outage?.subject ?? "loop",
    outagePolicy,
    options.outage?.alerts ?? null,
    (event) => log(sayOutage(event)),
    describe,
  );
  try {
    for (let n = 1; ; ) {
      try {
        await pass(n);
        await watch.worked(new Date());
      } catch (error) {
        if (!options.loop || !isTransientDatabaseError(error)) throw error;
        const now = new Date();
        const cause = describe(error);
        const step = await watch.failed(now, cause);
        const outage = watch.outage;
        if (!outage) throw error;
        if (step === "limit")
          throw new CliError(
            `the database has been unavailable for ${describeDuration(outageDurationMs(outage, now))} (${outage.failures} failed passes; operator.outage_limit_seconds): giving up: ${cause}`,
            EXIT_DATABASE,
            { code: "outage_limit", cause: error },
          );
        const backoffMs = backoffDelay(outage.failures, {
          baseMs: Math.max(options.intervalMs, 1000),
          capMs: MAX_BACKOFF_MS,
        });
        // Never sleep past the limit: the loop gives up at it, not minutes later.
        const waitMs =
          outagePolicy.limitMs === null
            ? backoffMs
            : Math.max(0, Math.min(backoffMs, outagePolicy.limitMs - outageDurationMs(outage, now)));
        log(
          `the database is unavailable (${cause}); pass ${n} did not run, trying again in ${Math.round(waitMs / 1000)} s`,
        );
        if (stopping) return;
        await pause(waitMs);
        if (stopping) return;
        continue;
      }
      if (!options.loop || stopping || (options.maxPasses && n >= options.maxPasses)) return;
      n++;
      await pause(options.intervalMs);
      if (stopping) return;
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
