/**
 * Checks a kept run's history again: `npx tsx test/chaos/recheck.ts <work folder>/history.json`
 * (a run keeps `history.json` in its work folder: exactly what its checker judged). Useful after a
 * change of the checker, or to read every finding of a failed run (`--all`).
 */
import { readFile } from "node:fs/promises";
import { checkHistory, formatReport, summaryLine } from "./checker.js";
import type { History } from "./history.js";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: npx tsx test/chaos/recheck.ts <history.json> [--all]");
    return 2;
  }
  const history = JSON.parse(await readFile(file, "utf8"), (_key, value: unknown) =>
    typeof value === "string" && ISO_DATE.test(value) ? new Date(value) : value,
  ) as History;
  const report = checkHistory(history);
  console.log(formatReport(report, process.argv.includes("--all") ? Number.POSITIVE_INFINITY : 30));
  return summaryLine(report) === `lost=0 duplicated=0 unexpected=0 seed=${report.seed}` ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`recheck: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
