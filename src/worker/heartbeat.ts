import { errorMessage } from "../domain/error-message.js";
import type { AttemptResult } from "../lifecycle/index.js";

export interface HeartbeatOptions {
  readonly intervalMs: number;
  /** The lease as the attempt started with it. */
  readonly leaseExpiresAt: Date;
  readonly beat: () => Promise<AttemptResult>;
  /** The lease is gone (refused by the lifecycle, or ran out while the database was unreachable). */
  readonly onLost: (message: string) => void;
  readonly onWarning: (message: string) => void;
  readonly now?: () => number;
}

export interface HeartbeatLoop {
  stop(): void;
  /** The end of the lease as last extended. */
  readonly leaseExpiresAt: Date;
  /** Records a lease extended by another path (an agent's `mctl signal heartbeat`). */
  extended(until: Date): void;
}

/**
 * Extends the attempt's lease every `intervalMs` while the agent works. A refusal means the lease
 * is lost (the dispatcher expired it, or it ran out): the runner must stop. A database error is
 * not a refusal; the loop keeps trying until the lease it last held has run out.
 */
export function startHeartbeats(options: HeartbeatOptions): HeartbeatLoop {
  const now = options.now ?? Date.now;
  let expiresAt = options.leaseExpiresAt;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const lost = (message: string) => {
    if (stopped) return;
    stopped = true;
    options.onLost(message);
  };
  const tick = async () => {
    if (stopped) return;
    try {
      const result = await options.beat();
      if (stopped) return;
      if (!result.ok) return lost(`heartbeat refused: ${result.message}`);
      expiresAt = result.attempt.leaseExpiresAt;
    } catch (error) {
      if (stopped) return;
      const why = errorMessage(error);
      if (now() >= expiresAt.getTime()) {
        return lost(`the lease ran out at ${expiresAt.toISOString()} while heartbeats failed (${why})`);
      }
      options.onWarning(`heartbeat failed, will retry: ${why}`);
    }
    schedule();
  };
  const schedule = () => {
    if (!stopped) timer = setTimeout(() => void tick(), options.intervalMs);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    get leaseExpiresAt() {
      return expiresAt;
    },
    extended(until) {
      if (until > expiresAt) expiresAt = until;
    },
  };
}
