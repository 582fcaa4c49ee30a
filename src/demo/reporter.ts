/** What the demo prints: readable lines, or the same as JSON lines with `--json`. */
import { type EndStateRow, formatEndStates } from "./end-states.js";
import { type DecisionEntry, formatJsonLine, formatLine } from "./log-format.js";

export interface StartedInfo {
  readonly board: string;
  readonly api: string;
  readonly port: number;
  readonly github: string;
  readonly repository: string;
  readonly dir: string;
  readonly tickets: readonly { readonly key: string; readonly role: string; readonly title: string }[];
}

/** Every demo ticket reached its end while the demo keeps serving (`lingerSeconds` null: until Ctrl-C). */
export interface CompleteInfo {
  readonly tickets: number;
  readonly board: string;
  readonly lingerSeconds: number | null;
}

export type SummaryReason = "reached" | "timeout" | "stopped";

export interface Reporter {
  started(info: StartedInfo): void;
  entry(entry: DecisionEntry): void;
  /** `timeoutSeconds`: the `--timeout`, counted from the first ticket's creation. */
  summary(
    rows: readonly EndStateRow[],
    ok: boolean,
    reason: SummaryReason,
    info: { readonly timeoutSeconds: number },
  ): void;
  complete(info: CompleteInfo): void;
  stopped(info: { readonly dir: string; readonly removed: boolean }): void;
  error(message: string): void;
}

export function textReporter(out: (text: string) => void, err: (text: string) => void): Reporter {
  return {
    started(info) {
      const lines = [
        "Mission Control demo",
        `  board:  ${info.board}`,
        `  API:    ${info.api}`,
        `  GitHub: ${info.github} (the local stand-in; repository ${info.repository})`,
        `  folder: ${info.dir}`,
        `  tickets: ${info.tickets.map((t) => `${t.key} (${t.role})`).join(", ")}`,
      ];
      out(`${lines.join("\n")}\n\n`);
    },
    entry(entry) {
      out(`${formatLine(entry)}\n`);
    },
    summary(rows, ok, reason, info) {
      out(`\n${summaryHead(rows, ok, reason, info)}\n${formatEndStates(rows)}\n${whereTheyWere(rows)}`);
    },
    complete(info) {
      out(`\n${completeLine(info)}\n`);
    },
    stopped(info) {
      out(info.removed ? `stopped; removed ${info.dir}\n` : `stopped; kept ${info.dir}\n`);
    },
    error(message) {
      err(`mctl demo: ${message}\n`);
    },
  };
}

export function jsonReporter(out: (text: string) => void, err: (text: string) => void): Reporter {
  const line = (value: unknown) => out(`${JSON.stringify(value)}\n`);
  return {
    started: (info) => line({ type: "started", ...info }),
    entry: (entry) => out(`${formatJsonLine(entry)}\n`),
    summary: (rows, ok, reason, info) =>
      line({
        type: "summary",
        ok,
        reason,
        message: summaryHead(rows, ok, reason, info).replace(/:$/, ""),
        timeoutSeconds: info.timeoutSeconds,
        tickets: rows,
      }),
    complete: (info) => line({ type: "complete", ...info, message: completeLine(info) }),
    stopped: (info) => line({ type: "stopped", ...info }),
    error: (message) => {
      line({ type: "error", message });
      err(`mctl demo: ${message}\n`);
    },
  };
}

const count = (n: number) => (n === 5 ? "five" : String(n));

/** The summary's first line: how the run ended, and for a timeout from when it counted. */
export function summaryHead(
  rows: readonly EndStateRow[],
  ok: boolean,
  reason: SummaryReason,
  info: { readonly timeoutSeconds: number },
): string {
  if (ok) return `All ${count(rows.length)} demo tickets reached their expected end state:`;
  const missed = rows.filter((r) => !r.ok).length;
  const which = `${missed} of ${rows.length} demo tickets did not reach their expected end state (NO below)`;
  return reason === "timeout"
    ? `Timed out ${info.timeoutSeconds} s after the first ticket was created (--timeout); ${which}:`
    : `Stopped before the end; ${which}:`;
}

/** One line per ticket that missed its end: where it was, and where it should have been. */
export function whereTheyWere(rows: readonly EndStateRow[]): string {
  return rows
    .filter((r) => !r.ok)
    .map((r) => `${r.ticket} (${r.role}) was ${r.actual}; expected ${r.expected}\n`)
    .join("");
}

/** The story is over: say so, and how to stop. */
export function completeLine(info: CompleteInfo): string {
  const serving =
    info.lingerSeconds === null
      ? `the board stays up at ${info.board}; press Ctrl-C to stop`
      : `the board stays up at ${info.board} for ${info.lingerSeconds} s (--linger); press Ctrl-C to stop sooner`;
  return `All ${count(info.tickets)} tickets reached their end; ${serving}.`;
}
