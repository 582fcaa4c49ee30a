import { createHash } from "node:crypto";

/** Ids and hashes for new records: numeric ids are unique across all kinds, so none collide. */
export class IdSource {
  #next: number;
  #seq = 0;

  constructor(first = 1000) {
    this.#next = first;
  }

  id(): number {
    return this.#next++;
  }

  /** A monotonically increasing sequence number (ordering, not identity). */
  seq(): number {
    return ++this.#seq;
  }

  /** A unique, deterministic 40-hex "object id" derived from the content and a counter. */
  sha(...parts: readonly string[]): string {
    return createHash("sha1")
      .update(`${this.seq()}\0${parts.join("\0")}`)
      .digest("hex");
  }
}

/** GitHub's global node ids are opaque base64 strings; ours encode the type and the numeric id. */
export function nodeId(type: string, id: number | string): string {
  return Buffer.from(`${type}:${id}`).toString("base64").replace(/=+$/, "");
}
