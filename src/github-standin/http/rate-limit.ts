import type { Clock } from "../world/clock.js";

export interface RateLimitOptions {
  /** Requests per window for an installation token (GitHub: 5,000 per hour). */
  readonly installationLimit?: number;
  /** Requests per window for the app's JWT. */
  readonly appLimit?: number;
  /** Requests per window without credentials (GitHub: 60 per hour). */
  readonly anonymousLimit?: number;
  readonly windowMs?: number;
}

export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  readonly used: number;
  /** Epoch seconds at which the window resets. */
  readonly reset: number;
  readonly resource: "core";
}

interface Bucket {
  limit: number;
  used: number;
  resetAt: number;
}

/**
 * The primary rate limit: one budget per credential (installation, app, anonymous) and window.
 * Only requests that are answered in full count; 304s and injected faults do not.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #windowMs: number;

  constructor(
    readonly clock: Clock,
    readonly options: RateLimitOptions = {},
  ) {
    this.#windowMs = options.windowMs ?? 60 * 60 * 1000;
  }

  #limitFor(identity: string): number {
    if (identity.startsWith("installation:")) return this.options.installationLimit ?? 5000;
    if (identity.startsWith("app:")) return this.options.appLimit ?? 5000;
    return this.options.anonymousLimit ?? 60;
  }

  #bucket(identity: string): Bucket {
    const now = this.clock.now();
    let bucket = this.#buckets.get(identity);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { limit: this.#limitFor(identity), used: 0, resetAt: now + this.#windowMs };
      this.#buckets.set(identity, bucket);
    }
    return bucket;
  }

  peek(identity: string): RateLimitState {
    const bucket = this.#bucket(identity);
    return {
      limit: bucket.limit,
      remaining: Math.max(0, bucket.limit - bucket.used),
      used: bucket.used,
      reset: Math.ceil(bucket.resetAt / 1000),
      resource: "core",
    };
  }

  exhausted(identity: string): boolean {
    return this.peek(identity).remaining === 0;
  }

  consume(identity: string): RateLimitState {
    const bucket = this.#bucket(identity);
    bucket.used = Math.min(bucket.limit, bucket.used + 1);
    return this.peek(identity);
  }

  /** Test control: sets what is left of a credential's budget (and optionally when it resets). */
  set(identity: string, state: { readonly remaining: number; readonly resetInMs?: number }): void {
    const bucket = this.#bucket(identity);
    bucket.used = Math.max(0, bucket.limit - state.remaining);
    if (state.resetInMs !== undefined) bucket.resetAt = this.clock.now() + state.resetInMs;
  }

  /** Forgets every budget (all credentials start a fresh window). */
  reset(): void {
    this.#buckets.clear();
  }
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    "x-ratelimit-limit": String(state.limit),
    "x-ratelimit-remaining": String(state.remaining),
    "x-ratelimit-reset": String(state.reset),
    "x-ratelimit-used": String(state.used),
    "x-ratelimit-resource": state.resource,
  };
}
