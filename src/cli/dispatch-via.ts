/**
 * `mctl dispatch --via URL`: one dispatch cycle run by the app, asked for with this job's GitHub
 * Actions OIDC token (audience = the app's URL). The workflow that runs it holds no database URL
 * and no App key; the app answers with the cycle record, which is printed and written to the job
 * summary like a local cycle's.
 */
import { z } from "zod";
import type { CycleRecord } from "../dispatch/decisions.js";
import { errorMessage } from "../domain/error-message.js";
import { CliError, EXIT_USAGE } from "./errors.js";

export interface DispatchViaDeps {
  /** The job's OIDC token for `audience` (src/actions/id-token.ts). */
  readonly idToken: (audience: string) => Promise<string>;
  readonly fetch?: typeof fetch;
  /** Pause between tries on a network error or a 502/503/504 (default 2 s, 4 s). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The app's base URL as the token's audience: no trailing slash, no path beyond the base. */
export function appAudience(via: string): string {
  let url: URL;
  try {
    url = new URL(via);
  } catch {
    throw new CliError(
      `--via must be the app's URL, such as https://mission-control.example.com (got ${JSON.stringify(via)})`,
      EXIT_USAGE,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new CliError("--via must be an http(s) URL", EXIT_USAGE);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

const CycleRecordWire = z.looseObject({
  holder: z.string(),
  fencingToken: z.number().nullable(),
  scope: z.string().nullable(),
  outcome: z.enum(["completed", "lock_held", "lease_lost", "dry_run", "paused", "failed"]),
  dryRun: z.boolean(),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  counts: z.record(z.string(), z.number()),
  decisions: z.array(z.looseObject({ code: z.string() })),
  timings: z.record(z.string(), z.number()),
});

const ErrorWire = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const RETRYABLE = new Set([502, 503, 504]);
const TRIES = 3;

/** POSTs `/api/v1/dispatch` with the job's token and returns the app's cycle record. */
export async function dispatchVia(via: string, deps: DispatchViaDeps): Promise<CycleRecord> {
  const audience = appAudience(via);
  const token = await deps.idToken(audience);
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastProblem = "";
  let code = "app_unreachable";
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    let response: Response;
    try {
      response = await doFetch(`${audience}/api/v1/dispatch`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      });
    } catch (error) {
      lastProblem = `cannot reach ${audience}: ${errorMessage(error)}`;
      if (attempt < TRIES) await sleep(2000 * attempt);
      continue;
    }
    const text = await response.text();
    if (response.ok) return parseRecord(text);
    const refusal = ErrorWire.safeParse(safeJson(text));
    const said = refusal.success
      ? `${refusal.data.error.code}: ${refusal.data.error.message}`
      : text.slice(0, 200);
    lastProblem = `the app answered ${response.status} (${said})`;
    code = refusal.success ? refusal.data.error.code : `http_${response.status}`;
    if (!RETRYABLE.has(response.status)) break;
    if (attempt < TRIES) await sleep(2000 * attempt);
  }
  throw new CliError(`dispatch via ${audience} failed: ${lastProblem}`, 1, { code });
}

function parseRecord(text: string): CycleRecord {
  const parsed = CycleRecordWire.safeParse(safeJson(text));
  if (!parsed.success)
    throw new CliError("the app answered 200 but not with a dispatch cycle record", 1, {
      code: "bad_answer",
    });
  const wire = parsed.data;
  return {
    ...wire,
    startedAt: new Date(wire.startedAt),
    finishedAt: new Date(wire.finishedAt),
    decisions: wire.decisions as unknown as CycleRecord["decisions"],
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
