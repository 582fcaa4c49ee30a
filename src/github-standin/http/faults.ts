import { z } from "zod";
import { deriveSeed, seededRandom } from "./prng.js";

/** What an injected fault does to a matching request. */
export const faultSchema = z.discriminatedUnion("kind", [
  /** Answer with this status and a GitHub error body (e.g. 500, 502, 503, 404). */
  z.object({
    kind: z.literal("status"),
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
  }),
  /** GitHub's secondary rate limit: 403 or 429 with `retry-after`. */
  z.object({
    kind: z.literal("secondary-rate-limit"),
    status: z.union([z.literal(403), z.literal(429)]).default(403),
    retryAfterSeconds: z.number().int().min(0).default(1),
  }),
  /** Delay the request, then answer it normally. */
  z.object({ kind: z.literal("latency"), ms: z.number().int().min(0) }),
  /** Destroy the socket without answering. */
  z.object({ kind: z.literal("drop") }),
]);
export type Fault = z.infer<typeof faultSchema>;

/** A rule: which requests (method + route template, `*` for any), which fault, how often. */
export const faultRuleSchema = z
  .object({
    method: z.string().default("*"),
    route: z.string().default("*"),
    fault: faultSchema,
    /** Fire on the next N matching requests, then stop. */
    times: z.number().int().min(1).optional(),
    /** Fire on each matching request with this probability (seeded, reproducible). Neither: always. */
    probability: z.number().min(0).max(1).optional(),
  })
  .refine((rule) => rule.times === undefined || rule.probability === undefined, {
    message: "a fault rule takes either `times` or `probability`, not both",
  });
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

interface ActiveRule {
  readonly id: number;
  readonly method: string;
  readonly route: string;
  readonly fault: Fault;
  remaining: number | null;
  readonly probability: number | null;
  readonly random: () => number;
}

export interface FaultDecision {
  /** Latency to add before anything else (sum of matching latency rules). */
  readonly delayMs: number;
  /** The fault that replaces the answer, if any. */
  readonly terminal: Exclude<Fault, { kind: "latency" }> | null;
  /** Labels of every fault applied, for the request log. */
  readonly labels: readonly string[];
}

/**
 * The fault plan: rules checked in order for every routed request. Each rule draws from its own
 * PRNG seeded from the plan's seed and the rule's position, so a rule's decisions depend only on
 * the requests it matches: the same seed and the same requests give the same faults.
 */
export class FaultPlan {
  #rules: ActiveRule[] = [];
  #added = 0;

  constructor(readonly seed: number = 1) {}

  /** Adds a rule; returns its id (for `remove`). Invalid rules throw with zod's explanation. */
  add(input: FaultRuleInput): number {
    const rule = faultRuleSchema.parse(input);
    const index = this.#added++;
    const active: ActiveRule = {
      id: index + 1,
      method: rule.method.toUpperCase(),
      route: rule.route,
      fault: rule.fault,
      remaining: rule.times ?? null,
      probability: rule.probability ?? null,
      random: seededRandom(deriveSeed(this.seed, index)),
    };
    this.#rules.push(active);
    return active.id;
  }

  remove(id: number): void {
    this.#rules = this.#rules.filter((rule) => rule.id !== id);
  }

  clear(): void {
    this.#rules = [];
  }

  get pending(): number {
    return this.#rules.filter((rule) => rule.remaining === null || rule.remaining > 0).length;
  }

  /** Decides the faults for one request to `method template`. */
  decide(method: string, template: string): FaultDecision {
    let delayMs = 0;
    let terminal: FaultDecision["terminal"] = null;
    const labels: string[] = [];
    for (const rule of this.#rules) {
      if (rule.method !== "*" && rule.method !== method) continue;
      if (rule.route !== "*" && rule.route !== template) continue;
      if (rule.fault.kind !== "latency" && terminal) continue;
      if (rule.remaining !== null && rule.remaining <= 0) continue;
      if (rule.probability !== null && rule.random() >= rule.probability) continue;
      if (rule.remaining !== null) rule.remaining--;
      if (rule.fault.kind === "latency") {
        delayMs += rule.fault.ms;
        labels.push(`latency:${rule.fault.ms}`);
      } else {
        terminal = rule.fault;
        labels.push(rule.fault.kind === "drop" ? "drop" : `${rule.fault.kind}:${rule.fault.status}`);
      }
    }
    return { delayMs, terminal, labels };
  }
}
