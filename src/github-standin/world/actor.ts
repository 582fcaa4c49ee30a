import type { UserRecord } from "./types.js";

/** Who performs a change: a person, or an app's bot user acting through an installation token. */
export interface Actor {
  readonly user: UserRecord;
  readonly viaAppId: number | null;
}
