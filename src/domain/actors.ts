/**
 * Who may act on work. Every ticket transition names the actor kinds allowed to perform it.
 * The `operator` observes health and raises alerts; it is deliberately allowed no transition.
 */
export const ACTOR_KINDS = ["dispatcher", "worker", "verifier", "orchestrator", "human", "operator"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** An actor performing a change: its kind and an id (a login, a dispatcher holder, an attempt id). */
export interface Actor {
  readonly kind: ActorKind;
  readonly id: string;
}
