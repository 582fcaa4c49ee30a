import { sqlState } from "./errors.js";

/** serialization_failure and deadlock_detected: safe to retry the whole transaction. */
const RETRYABLE = new Set(["40001", "40P01"]);

export interface RetryOptions {
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` (a whole transaction) again when PostgreSQL reports a serialization failure or a
 * deadlock, waiting an exponentially growing, fully jittered delay between tries. Any other error,
 * or the last retryable one, is rethrown unchanged.
 */
export async function retryTransaction<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  const base = options.baseDelayMs ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = sqlState(error);
      if (attempt >= attempts || code === undefined || !RETRYABLE.has(code)) throw error;
      await sleep(Math.floor(random() * base * 2 ** attempt));
    }
  }
}
