/** The dispatcher's lease, presented with every claim so that a dispatcher that lost it stops writing. */
export interface Fence {
  readonly name: string;
  readonly holder: string;
  readonly fencingToken: number;
}

/** The write was refused because the caller no longer holds what it claims to hold. */
export interface Fenced {
  readonly ok: false;
  readonly code: "fenced";
  readonly message: string;
}

export function fenced(message: string): Fenced {
  return { ok: false, code: "fenced", message };
}
