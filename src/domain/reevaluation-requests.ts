/**
 * What asks for an evidence re-evaluation (a CI webhook, a completion, a verdict's grace re-check):
 * the shape both writers of `evidence_reevaluations` use, the lifecycle inside its transactions and
 * the store for webhook requests.
 */
export interface NewReevaluation {
  /** The webhook delivery that asked for it: one request per delivery, a redelivery is a no-op. */
  readonly deliveryId: string;
  readonly event: string;
  readonly repository: string;
  readonly shas: readonly string[];
  readonly wholeRepository: boolean;
}

/**
 * A request that is not due before `notBefore` (the verifier's re-check at the end of a grace
 * period, recorded with its verdict); `deliveryId` is then the caller's idempotency key, e.g.
 * `commit-grace:<attempt>`.
 */
export interface ScheduledReevaluation extends NewReevaluation {
  readonly notBefore: Date;
}
