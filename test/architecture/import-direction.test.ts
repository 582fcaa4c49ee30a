/**
 * The direction of imports (STYLE.md "What that means here", 3 and 4; DESIGN.md "The single
 * mutation path"): the domain is pure and imports nothing of ours but itself; the writer modules
 * import only the database and the domain; and only the entry points read the process environment,
 * everything below them is handed its values. Every TypeScript file of src/ is scanned: static
 * imports and re-exports (type-only too), bare imports and dynamic `import()`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { environmentReads, moduleSpecifiers } from "./source-scan.js";

const SRC = path.resolve(import.meta.dirname, "../../src");

/**
 * Folders of src/ whose files may import project code only from the folders listed: the domain,
 * and the two writer modules (the lifecycle, and the store of the app's plumbing).
 */
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  domain: ["domain"],
  lifecycle: ["lifecycle", "db", "domain"],
  store: ["store", "db", "domain"],
};

/**
 * Packages src/domain may import: zod (its schemas are the boundary types), and node built-ins that
 * do no I/O: none of their functions reads or writes files, the network, the environment or the
 * clock. A built-in joins this list only after that check.
 */
const DOMAIN_PACKAGES: readonly string[] = ["zod", "node:assert", "node:assert/strict", "node:util"];

/**
 * The files that may read the process environment (paths under src/), each with why. Everything
 * else is given its values by these (STYLE.md 3: nothing reads `process.env` below the root).
 */
const ENVIRONMENT_READERS: Readonly<Record<string, string>> = {
  "app/main.ts": "the GitHub App's entry point (npm start): reads its configuration once",
  "cli/main.ts": "the mctl binary's entry point: hands its environment to the CLI context",
  "demo/agent.ts": "the demo's scripted agent: a process of its own, started by the worker",
  "demo/push-hook.ts": "the demo origin's post-receive hook: a process of its own, started by git",
  "demo/workers.ts": "the demo's composition of its workers: agents inherit the demo's environment",
};

type Violation = string;

/** Why `spec`, imported by `file` (relative to src/), breaks a rule; empty when it does not. */
function importViolations(file: string, specs: readonly string[]): Violation[] {
  const layer = file.split("/")[0] ?? "";
  const allowed = LAYERS[layer];
  if (!allowed) return [];
  return specs.flatMap((spec): Violation[] => {
    if (!spec.startsWith(".")) {
      if (layer === "domain" && !DOMAIN_PACKAGES.includes(spec))
        return [`${file} imports the package ${spec} (src/domain may import ${DOMAIN_PACKAGES.join(", ")})`];
      return [];
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const folder = target.split("/")[0] ?? "";
    if (target.startsWith("..")) return [`${file} imports ${spec}, outside src/`];
    if (allowed.includes(folder)) return [];
    return [
      `${file} imports ${spec} (src/${layer} may import only ${allowed.map((f) => `src/${f}`).join(", ")})`,
    ];
  });
}

function environmentViolations(file: string, source: string): Violation[] {
  if (file in ENVIRONMENT_READERS) return [];
  return environmentReads(source).map((read) => `${file} reads the environment (${read})`);
}

function violationsOf(file: string, source: string): Violation[] {
  return [...importViolations(file, moduleSpecifiers(source)), ...environmentViolations(file, source)];
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return /\.(ts|mts|cts)$/.test(entry.name) ? [full] : [];
  });
}

const rel = (file: string) => path.relative(SRC, file).split(path.sep).join("/");

describe("import direction", () => {
  it("finds every kind of import and environment read it is meant to catch (so the scan below can fail)", () => {
    const planted: [file: string, source: string][] = [
      ["domain/x.ts", `import { tickets } from "../db/schema.js";`],
      ["domain/x.ts", `import type { Lifecycle } from "../lifecycle/index.js";`],
      ["domain/x.ts", `import { eq } from "drizzle-orm";`],
      ["domain/x.ts", `export { readFile } from "node:fs/promises";`],
      ["domain/x.ts", `const fs = await import("node:fs");`],
      ["domain/x.ts", `import "../config/load.js";`],
      ["lifecycle/x.ts", `export * from "../app/issues.js";`],
      ["lifecycle/x.ts", `import {\n  type Candidate,\n  planPick,\n} from "../dispatch/plan.js";`],
      ["lifecycle/x.ts", "const plan = await import(`../dispatch/plan.js`);"],
      ["lifecycle/x.ts", `import { readGitHubEnvironment } from "../config/github.js";`],
      ["store/x.ts", `import type { Lifecycle } from "../lifecycle/index.js";`],
      ["store/x.ts", `import { missionControlApp } from "../app/app.js";`],
      ["dispatch/x.ts", "const token = process.env.GITHUB_TOKEN;"],
      ["worker/x.ts", `const env = process["env"];`],
      ["worker/x.ts", "const { env } = process;"],
      ["app/x.ts", `import { env } from "node:process";`],
      // A read inside a template literal's expression (the test writes it without a placeholder).
      ["app/x.ts", "const url = `" + "$" + "{process.env.BASE}/api`;"],
    ];
    for (const [file, source] of planted)
      expect(violationsOf(file, source), `${file}: ${source}`).not.toEqual([]);
  });

  it("does not mistake comments, strings or regular expressions for imports or environment reads", () => {
    const harmless: [file: string, source: string][] = [
      ["domain/x.ts", `import { z } from "zod";\nimport type { ActorKind } from "./actors.js";`],
      [
        "domain/x.ts",
        `// import { tickets } from "../db/schema.js";\n/* process.env.X */ export const a = 1;`,
      ],
      [
        "lifecycle/x.ts",
        `import { sql } from "drizzle-orm";\nimport { tickets } from "../db/schema.js";\nimport { x } from "./y.js";`,
      ],
      [
        "lifecycle/x.ts",
        `import type { Actor } from "../domain/actors.js";\nconst re = /from "..\\/app\\/x.js"/;`,
      ],
      ["lifecycle/x.ts", `const help = "set process.env.GITHUB_TOKEN";\nconst t = \`from "../x.js"\`;`],
      ["dispatch/x.ts", `export function f(env: Record<string, string>) { return env.TOKEN; }`],
      ["cli/main.ts", "const debug = process.env.MCTL_DEBUG;"],
    ];
    for (const [file, source] of harmless)
      expect(violationsOf(file, source), `${file}: ${source}`).toEqual([]);
  });

  const files = tsFiles(SRC);

  it("scans the layers it rules", () => {
    const scanned = new Set(files.map((f) => rel(f).split("/")[0]));
    for (const layer of Object.keys(LAYERS)) expect(scanned, layer).toContain(layer);
    expect(files.length).toBeGreaterThan(100);
  });

  it("src/domain imports nothing outside src/domain but its allowed packages; src/lifecycle and src/store only src/db and src/domain", () => {
    const offenders = files.flatMap((file) =>
      importViolations(rel(file), moduleSpecifiers(readFileSync(file, "utf8"))),
    );
    expect(offenders).toEqual([]);
  });

  it("an unknown thrown value becomes text in one place (src/domain/error-message.ts)", () => {
    const copy = /instanceof Error\s*\?\s*\(?\s*\w+\.message/;
    expect(copy.test("const m = error instanceof Error ? error.message : String(error);")).toBe(true);
    const offenders = files
      .filter((file) => rel(file) !== "domain/error-message.ts")
      .filter((file) => copy.test(readFileSync(file, "utf8")))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it("only the entry points read the process environment", () => {
    const offenders = files.flatMap((file) => environmentViolations(rel(file), readFileSync(file, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("every listed environment reader exists and still reads it (a stale entry is removed)", () => {
    for (const file of Object.keys(ENVIRONMENT_READERS)) {
      const full = path.join(SRC, file);
      expect(existsSync(full), file).toBe(true);
      expect(environmentReads(readFileSync(full, "utf8")), file).not.toEqual([]);
    }
  });
});
