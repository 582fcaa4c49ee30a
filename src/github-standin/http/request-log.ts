/** One request as the stand-in saw it. */
export interface LoggedRequest {
  readonly requestId: string;
  readonly method: string;
  /** `GET /repos/{owner}/{repo}/issues/{issue_number}`, or null when no route matched. */
  readonly route: string | null;
  readonly operationId: string | null;
  readonly path: string;
  /** Response status; 0 when the connection was dropped on purpose. */
  readonly status: number;
  readonly mutation: boolean;
  readonly notModified: boolean;
  /** The fault that shaped the response, if one did (e.g. `status:502`, `latency:200`, `drop`). */
  readonly faults: readonly string[];
  readonly timestamp: number;
}

export interface RequestFilter {
  readonly route?: string;
  readonly method?: string;
  readonly mutation?: boolean;
  readonly status?: number;
  readonly notModified?: boolean;
}

/** Every request, in arrival order, with helpers to count API calls per operation. */
export class RequestLog {
  readonly #entries: LoggedRequest[] = [];

  record(entry: LoggedRequest): void {
    this.#entries.push(entry);
  }

  get entries(): readonly LoggedRequest[] {
    return this.#entries;
  }

  filter(filter: RequestFilter = {}): LoggedRequest[] {
    return this.#entries.filter(
      (entry) =>
        (filter.route === undefined || entry.route === filter.route) &&
        (filter.method === undefined || entry.method === filter.method) &&
        (filter.mutation === undefined || entry.mutation === filter.mutation) &&
        (filter.status === undefined || entry.status === filter.status) &&
        (filter.notModified === undefined || entry.notModified === filter.notModified),
    );
  }

  count(filter: RequestFilter = {}): number {
    return this.filter(filter).length;
  }

  /** Requests per route key (`METHOD template`); unmatched requests count under `unmatched`. */
  countByRoute(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.#entries) {
      const key = entry.route ?? "unmatched";
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
