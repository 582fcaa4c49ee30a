import { redactSecrets } from "../domain/redact.js";
import type { AttemptLog } from "../lifecycle/attempt-log.js";

/**
 * Keeps an agent's output within `maxBytes`: the first quarter as it came, then the most recent
 * output. The start shows how the agent understood the task, the end shows how it finished; the
 * middle is what gets dropped (with a marker saying how much).
 */
export class BoundedLog {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(maxBytes: number) {
    this.headLimit = Math.floor(maxBytes / 4);
    this.tailLimit = maxBytes - this.headLimit;
  }

  append(chunk: Buffer | string): void {
    let data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.total += data.length;
    if (this.headBytes < this.headLimit) {
      const take = data.subarray(0, this.headLimit - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      data = data.subarray(take.length);
    }
    if (!data.length) return;
    this.tail.push(data);
    this.tailBytes += data.length;
    while (this.tailBytes > this.tailLimit) {
      const first = this.tail[0];
      if (!first) break;
      const excess = this.tailBytes - this.tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
      }
    }
  }

  get totalBytes(): number {
    return this.total;
  }

  /** The kept output; `truncated` says whether anything was dropped. */
  snapshot(): AttemptLog {
    const dropped = this.total - this.headBytes - this.tailBytes;
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = Buffer.concat(this.tail).toString("utf8");
    // Masked per part: the cut between head and tail must not hide half a secret from the masker.
    const text =
      dropped > 0
        ? `${redactSecrets(head)}\n[… ${dropped} bytes of output omitted …]\n${redactSecrets(tail)}`
        : redactSecrets(head + tail);
    return { text, totalBytes: this.total, truncated: dropped > 0 };
  }
}

/** The last lines of `text`, at most `maxChars` long: a short summary of a command's output. */
export function lastLines(text: string, maxLines: number, maxChars: number): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  const kept = lines.slice(-maxLines).join("\n");
  const masked = redactSecrets(kept);
  return masked.length > maxChars ? `…${masked.slice(masked.length - maxChars + 1)}` : masked;
}
