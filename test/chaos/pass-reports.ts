import { readFile } from "node:fs/promises";
import type { OrchestratorOutcome } from "./history.js";
import { GENERATION_MARK } from "./processes.js";

export interface PassReports {
  readonly outcomes: OrchestratorOutcome[];
  readonly passes: { completed: number; paused: number };
}

/**
 * The outcomes of the `mctl orchestrate --loop --json` pass reports in an orchestrator's log: each
 * report is one pretty-printed JSON object ending with a `}` line; each process generation has its
 * own section, and a report cut off by kill -9 at the end of a section is dropped.
 */
export async function readPassReports(role: string, logFile: string): Promise<PassReports> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  const reports: PassReports = { outcomes: [], passes: { completed: 0, paused: 0 } };
  for (const section of text.split(GENERATION_MARK).slice(1)) {
    const generation = section.slice(section.indexOf(" ") + 1, section.indexOf(" at "));
    const process = `${role}${generation}`;
    for (const match of section.matchAll(/^\{\n[\s\S]*?\n\}$/gm)) {
      const report = JSON.parse(match[0]) as {
        status: string;
        outcomes?: { item: number; outcome: string }[];
      };
      if (report.status === "paused") reports.passes.paused += 1;
      else reports.passes.completed += 1;
      for (const o of report.outcomes ?? [])
        reports.outcomes.push({ process, item: o.item, outcome: o.outcome });
    }
  }
  return reports;
}
