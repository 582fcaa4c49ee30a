/**
 * Failures 6 and 9: the operator closed tickets and re-enabled a retired task. Here it cannot: no
 * import path from src/operator reaches ticket transitions, attempts, claims, inbox acts, holds or
 * task-setting writes. It is handed a read-only snapshot reader and the alert port instead.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");
const rel = (file: string) => path.relative(SRC, file).split(path.sep).join("/");

/** Modules that change work or task settings. Reaching any of them is a failure. */
const FORBIDDEN = [
  "lifecycle/index.ts",
  "lifecycle/transition.ts",
  "lifecycle/cas-ticket.ts",
  "lifecycle/attempts.ts",
  "lifecycle/claim.ts",
  "lifecycle/hold.ts",
  "lifecycle/inbox-act.ts",
  "lifecycle/inbox-effects.ts",
  "lifecycle/inbox-handover.ts",
  "lifecycle/task-settings.ts",
  "lifecycle/work-queues.ts",
  "lifecycle/verdicts.ts",
  "lifecycle/questions.ts",
];
const FORBIDDEN_DIRS = ["dispatch/", "orchestrator/", "cli/", "worker/", "evidence/", "app/"];

/** Every module specifier a file mentions: static imports and re-exports (type-only too), dynamic imports. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/g))
    if (m[1]) found.push(m[1]);
  for (const m of source.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) if (m[1]) found.push(m[1]);
  return found;
}

/** The files reachable from `entry` through relative imports, with one path to each. */
function reachable(entry: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[entry, [rel(entry)]]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift() as string;
    for (const spec of specifiers(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts");
      if (!existsSync(target) || paths.has(target)) continue;
      paths.set(target, [...(paths.get(file) ?? []), rel(target)]);
      queue.push(target);
    }
  }
  return paths;
}

function violations(entry: string): string[] {
  return [...reachable(entry)]
    .filter(([file]) => {
      const r = rel(file);
      return FORBIDDEN.includes(r) || FORBIDDEN_DIRS.some((dir) => r.startsWith(dir));
    })
    .map(([, via]) => via.join(" → "));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(full) : e.name.endsWith(".ts") ? [full] : [];
  });
}

describe("the operator cannot mutate work", () => {
  const operatorFiles = tsFiles(path.join(SRC, "operator"));

  it("finds the operator's files", () => {
    expect(operatorFiles.map(rel).sort()).toEqual(
      expect.arrayContaining([
        "operator/conditions.ts",
        "operator/pass.ts",
        "operator/port.ts",
        "operator/snapshot.ts",
      ]),
    );
  });

  it("the walk sees what it must forbid (so the check below can fail)", () => {
    // From the CLI command that composes the operator, the lifecycle is reachable …
    expect(violations(path.join(SRC, "cli/commands/operate.ts")).join("\n")).toMatch(
      /lifecycle\/transition\.ts/,
    );
    // … and a planted import is followed, type-only included.
    expect(
      specifiers(`import type { X } from "../lifecycle/index.js";\nexport { y } from "./y.js";`),
    ).toEqual(["../lifecycle/index.js", "./y.js"]);
    // The port's own implementation files alerts and inbox items only: no path to holds or transitions.
    expect(violations(path.join(SRC, "lifecycle/alerts.ts"))).toEqual([]);
  });

  it("no import path from src/operator reaches transitions, attempts, claims, inbox acts or task-setting writes", () => {
    expect(operatorFiles.flatMap(violations)).toEqual([]);
  });

  it("the operator is handed a READ ONLY snapshot transaction", () => {
    expect(readFileSync(path.join(SRC, "operator/snapshot.ts"), "utf8")).toMatch(/set transaction read only/);
  });
});
