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

  /**
   * A fresh 40-hex id for an object created now (a commit): derived from its content and a
   * counter, so it is never reused. Call it once, when the object is created, and store it;
   * never while rendering (a new id on each read would change the response and its ETag).
   * Content ids (blobs, trees) come from `git-objects.ts` instead.
   */
  uniqueSha(...parts: readonly string[]): string {
    return createHash("sha1")
      .update(`${this.seq()}\0${parts.join("\0")}`)
      .digest("hex");
  }
}

/** GitHub's global node ids are opaque base64 strings; ours encode the type and the numeric id. */
export function nodeId(type: string, id: number | string): string {
  return Buffer.from(`${type}:${id}`).toString("base64").replace(/=+$/, "");
}
