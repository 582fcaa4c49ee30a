import type { WorldState } from "../world/world-state.js";

/** Where the stand-in lives: `api` answers REST calls, `html` is the base of `html_url`s. */
export interface Urls {
  readonly api: string;
  readonly html: string;
}

/** What every presenter needs: the world to look things up in, and the URLs to render links with. */
export interface View {
  readonly world: WorldState;
  readonly urls: Urls;
}

/** JSON as the presenters produce it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
