import type { GitHubStandin, LoggedRequest } from "../../../src/github-standin/index.js";

/**
 * Routes that authenticate the app rather than do a ticket's work: the installation lookup (once
 * per repository per process) and the installation token (cached for its hour). They are counted
 * and shown, but apart from the per-ticket figures.
 */
export const AUTH_ROUTES: readonly string[] = [
  "GET /repos/{owner}/{repo}/installation",
  "POST /app/installations/{installation_id}/access_tokens",
];

/** How GitHub bills a request: a mutation, a read, or a 304 (a conditional read that matched, free). */
export type Kind = "mutation" | "read" | "304";

export function kindOf(entry: LoggedRequest): Kind {
  if (entry.notModified) return "304";
  return entry.mutation ? "mutation" : "read";
}

export interface StepCount {
  readonly step: string;
  readonly requests: readonly LoggedRequest[];
}

export interface Totals {
  readonly mutations: number;
  /** Mutations that create something (POST): an issue, a comment, a reaction, a check run, a workflow run. */
  readonly creates: number;
  /** Mutations that change something that exists (PATCH, PUT, DELETE): issue updates, check run updates. */
  readonly updates: number;
  readonly reads: number;
  readonly notModified: number;
  /** Requests that count against the rate limit: mutations and reads, not 304s. */
  readonly counted: number;
}

export function totalsOf(requests: readonly LoggedRequest[]): Totals {
  const of = (kind: Kind) => requests.filter((r) => kindOf(r) === kind).length;
  const mutations = of("mutation");
  const creates = requests.filter((r) => kindOf(r) === "mutation" && r.method === "POST").length;
  const reads = of("read");
  return {
    mutations,
    creates,
    updates: mutations - creates,
    reads,
    notModified: of("304"),
    counted: mutations + reads,
  };
}

/** Cuts the stand-in's request log into named steps, in arrival order. */
export class Ledger {
  readonly steps: StepCount[] = [];
  #from = 0;

  constructor(private readonly gh: GitHubStandin) {
    this.#from = gh.requests.entries.length;
  }

  /** Everything the stand-in received since the previous mark belongs to `step`. */
  mark(step: string): readonly LoggedRequest[] {
    const requests = this.gh.requests.entries.slice(this.#from);
    this.#from = this.gh.requests.entries.length;
    this.steps.push({ step, requests });
    return requests;
  }

  /** Leaves out what arrived since the previous mark (measured on its own elsewhere). */
  skip(): void {
    this.#from = this.gh.requests.entries.length;
  }

  all(): LoggedRequest[] {
    return this.steps.flatMap((s) => s.requests);
  }

  /** Ticket work only: the requests of every step, without the app's authentication. */
  work(): LoggedRequest[] {
    return this.all().filter((r) => !AUTH_ROUTES.includes(r.route ?? ""));
  }

  auth(): LoggedRequest[] {
    return this.all().filter((r) => AUTH_ROUTES.includes(r.route ?? ""));
  }
}

/** `METHOD template` → counts per kind, for the table. */
export function byRoute(requests: readonly LoggedRequest[]): Map<string, Record<Kind, number>> {
  const rows = new Map<string, Record<Kind, number>>();
  for (const entry of requests) {
    const key = entry.route ?? `unmatched ${entry.method} ${entry.path}`;
    const row = rows.get(key) ?? { mutation: 0, read: 0, "304": 0 };
    row[kindOf(entry)] += 1;
    rows.set(key, row);
  }
  return rows;
}

/** A plain-text table: per step, the routes it called with their kind, then per route totals. */
export function renderLedger(title: string, ledger: Ledger): string {
  const lines = [title, ""];
  const pad = (text: string, width: number) => text.padEnd(width);
  lines.push(`${pad("step", 34)}${pad("request", 72)}kind`);
  for (const { step, requests } of ledger.steps) {
    if (requests.length === 0) {
      lines.push(`${pad(step, 34)}${pad("(none)", 72)}`);
      continue;
    }
    requests.forEach((r, i) => {
      lines.push(
        `${pad(i === 0 ? step : "", 34)}${pad(`${r.route ?? r.path} → ${r.status}`, 72)}${kindOf(r)}`,
      );
    });
  }
  lines.push("", `${pad("route", 72)}${pad("mutations", 11)}${pad("reads", 7)}304s`);
  for (const [route, row] of [...byRoute(ledger.all())].sort((a, b) => a[0].localeCompare(b[0])))
    lines.push(`${pad(route, 72)}${pad(String(row.mutation), 11)}${pad(String(row.read), 7)}${row["304"]}`);
  const work = totalsOf(ledger.work());
  const auth = totalsOf(ledger.auth());
  lines.push(
    "",
    `ticket work: ${work.mutations} mutations (${work.creates} creates, ${work.updates} updates), ${work.reads} reads, ${work.notModified} × 304 (${work.counted} counted)`,
    `app authentication (amortized, not per ticket): ${auth.mutations} mutations, ${auth.reads} reads`,
  );
  return lines.join("\n");
}
