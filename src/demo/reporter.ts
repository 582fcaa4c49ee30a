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

export interface Reporter {
  started(info: StartedInfo): void;
  entry(entry: DecisionEntry): void;
  summary(rows: readonly EndStateRow[], ok: boolean, reason: "reached" | "timeout" | "stopped"): void;
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
    summary(rows, ok, reason) {
      const head =
        reason === "reached"
          ? "Every demo ticket reached its expected end state:"
          : reason === "timeout"
            ? "Timed out; not every demo ticket reached its expected end state:"
            : "Stopped before every demo ticket reached its expected end state:";
      out(
        `\n${ok ? head : head.replace(/:$/, " (NO marks the ones that did not):")}\n${formatEndStates(rows)}\n`,
      );
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
    summary: (rows, ok, reason) => line({ type: "summary", ok, reason, tickets: rows }),
    stopped: (info) => line({ type: "stopped", ...info }),
    error: (message) => {
      line({ type: "error", message });
      err(`mctl demo: ${message}\n`);
    },
  };
}
