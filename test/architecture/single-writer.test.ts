/**
 * DESIGN.md, "The single mutation path": only src/lifecycle writes the design's tables, and only
 * src/store the GitHub App's plumbing. This test reads every source file and fails on a drizzle
 * insert/update/delete of a schema table, or raw SQL that writes one (by name or through an
 * interpolated table), anywhere but in the table's writer, except for the few writes listed in
 * LIFECYCLE_EXCEPTIONS.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema.js";

const SRC = path.resolve(import.meta.dirname, "../../src");

/** The app's plumbing, written by src/store; every other table is the lifecycle's. */
const STORE_TABLES = [
  "webhook_deliveries",
  "webhook_failures",
  "command_replies",
  "command_requests",
  "mirror_jobs",
  "evidence_reevaluations",
  "evidence_http_cache",
  "dispatch_triggers",
  "api_tokens",
];

/**
 * Store rows the lifecycle inserts in the transaction of the change that needs them, so that the
 * change and its follow-up work commit together (nothing lost on a crash): the mirror job of every
 * ticket event, the re-evaluation request of a completion or a verdict's re-check. Inserts only:
 * taking, completing and failing them is the store's.
 */
const LIFECYCLE_EXCEPTIONS: Record<string, readonly string[]> = {
  "lifecycle/events.ts": ["SQL insert into mirror_jobs"],
  "lifecycle/reevaluation-requests.ts": [
    "drizzle insert(evidence_reevaluations)",
    "SQL insert into evidence_reevaluations",
  ],
};

/** Every table of the schema: the export name (for drizzle calls) and the SQL name. Writes name the SQL name. */
const TABLES = Object.entries(schema)
  .filter(([, value]) => is(value, PgTable))
  .map(([exportName, table]) => ({ exportName, sqlName: getTableName(table as PgTable) }));

function findWrites(source: string): string[] {
  const found: string[] = [];
  // Local names of schema tables: named imports (with aliases) and namespace imports.
  const localNames = new Map<string, string>();
  const namespaces: string[] = [];
  for (const match of source.matchAll(
    /import\s+(type\s+)?\{([^}]*)\}\s+from\s+["'][^"']*db\/schema(\.js)?["']/g,
  )) {
    if (match[1]) continue;
    for (const part of (match[2] ?? "").split(",")) {
      const [name, alias] = part
        .replace(/^\s*type\s+/, "")
        .split(/\s+as\s+/)
        .map((s) => s.trim());
      if (name && TABLES.some((t) => t.exportName === name)) localNames.set(alias || name, name);
    }
  }
  for (const match of source.matchAll(/import\s+\*\s+as\s+(\w+)\s+from\s+["'][^"']*db\/schema(\.js)?["']/g)) {
    if (match[1]) namespaces.push(match[1]);
  }
  const tableRefs = [
    ...localNames.keys(),
    ...namespaces.flatMap((ns) => TABLES.map((t) => `${ns}.${t.exportName}`)),
  ];
  const sqlNameOf = (ref: string) =>
    TABLES.find((t) => t.exportName === (localNames.get(ref) ?? ref.split(".").pop()))?.sqlName ?? ref;
  for (const ref of tableRefs) {
    const escaped = ref.replace(".", "\\.");
    const call = new RegExp(`\\.(insert|update|delete)\\(\\s*${escaped}\\s*[),]`, "g");
    for (const match of source.matchAll(call)) found.push(`drizzle ${match[1]}(${sqlNameOf(ref)})`);
    // Raw SQL naming the table through drizzle: sql`insert into ${mirrorJobs} …`.
    const interpolated = new RegExp(
      `\\b(insert\\s+into|update|delete\\s+from|truncate(?:\\s+table)?|merge\\s+into)\\s+(?:only\\s+)?\\$\\{\\s*${escaped}\\s*\\}`,
      "gi",
    );
    for (const match of source.matchAll(interpolated))
      found.push(`SQL ${match[1]?.toLowerCase()} ${sqlNameOf(ref)}`);
  }
  const sqlNames = TABLES.map((t) => t.sqlName).join("|");
  const rawWrite = new RegExp(
    `\\b(insert\\s+into|update|delete\\s+from|truncate(?:\\s+table)?|merge\\s+into|copy)\\s+(?:only\\s+)?(?:"?public"?\\.)?"?(${sqlNames})\\b`,
    "gi",
  );
  for (const match of source.matchAll(rawWrite)) found.push(`SQL ${match[1]?.toLowerCase()} ${match[2]}`);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** `${name}` as it appears in a source file's template literal. */
function placeholder(name: string): string {
  return `$${"{"}${name}}`;
}

/** Source without its comments (a doc comment may show a call with a placeholder argument). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** The table a write names (`drizzle update(tickets)`, `SQL insert into mirror_jobs`). */
function tableOf(write: string): string {
  return write.match(/\((\w+)\)$/)?.[1] ?? write.split(" ").pop() ?? "";
}

/** Every write of the source tree, with the file it is in (relative to src/, `/`-separated). */
function allWrites(): { file: string; write: string }[] {
  return sourceFiles(SRC).flatMap((file) =>
    findWrites(readFileSync(file, "utf8")).map((write) => ({
      file: path.relative(SRC, file).split(path.sep).join("/"),
      write,
    })),
  );
}

/** Where a write may be: the table's writer module, or a listed lifecycle exception. */
function allowed({ file, write }: { file: string; write: string }): boolean {
  const table = tableOf(write);
  if (STORE_TABLES.includes(table))
    return file.startsWith("store/") || (LIFECYCLE_EXCEPTIONS[file] ?? []).includes(write);
  return file.startsWith("lifecycle/");
}

describe("single mutation path", () => {
  it("knows the schema's tables, the store's among them", () => {
    expect(TABLES.map((t) => t.sqlName)).toEqual(
      expect.arrayContaining(["tickets", "attempts", "ticket_events", ...STORE_TABLES]),
    );
  });

  it("detects every kind of write it is meant to catch (so the scan below can fail)", () => {
    const planted = [
      `import { tickets } from "../db/schema.js"; db.update(tickets).set({ state: "done" });`,
      `import { attempts as a } from "../db/schema.js"; await tx.insert(a).values({});`,
      `import * as s from "../db/schema.js"; db.delete(s.ticketEvents);`,
      "await db.execute(sql`UPDATE tickets SET state = 'done'`);",
      `client.query("insert into public.ticket_events (id) values (1)")`,
      "sql`TRUNCATE TABLE attempts`",
      `import { mirrorJobs } from "../db/schema.js"; sql\`update ${placeholder("mirrorJobs")} set done_at = now()\`;`,
      `import { webhookDeliveries as w } from "../db/schema.js"; sql\`delete from ${placeholder("w")}\`;`,
    ];
    for (const source of planted) expect(findWrites(source), source).not.toEqual([]);
    const harmless = `import { tickets, mirrorJobs } from "../db/schema.js"; db.select().from(tickets); map.delete(key); sql\`select 1 from ${placeholder("mirrorJobs")}\`;`;
    expect(findWrites(harmless)).toEqual([]);
    // The placement rule can fail too: a store table written by the lifecycle outside the list, a
    // lifecycle table written by the store, anything written by src/app.
    expect(allowed({ file: "lifecycle/verdicts.ts", write: "drizzle insert(mirror_jobs)" })).toBe(false);
    expect(allowed({ file: "lifecycle/events.ts", write: "SQL update mirror_jobs" })).toBe(false);
    expect(allowed({ file: "store/mirror-outbox.ts", write: "drizzle update(tickets)" })).toBe(false);
    expect(allowed({ file: "app/intake.ts", write: "drizzle insert(webhook_deliveries)" })).toBe(false);
  });

  it("src/lifecycle writes the design's tables and src/store the app's plumbing; nothing else writes", () => {
    const offenders = allWrites()
      .filter((w) => !allowed(w))
      .map((w) => `${w.file}: ${w.write}`);
    expect(offenders).toEqual([]);
  });

  it("each lifecycle exception is still a write the lifecycle makes (the list cannot go stale)", () => {
    const writes = allWrites();
    for (const [file, listed] of Object.entries(LIFECYCLE_EXCEPTIONS))
      for (const write of listed) expect(writes, `${file}: ${write}`).toContainEqual({ file, write });
  });

  it("the writer modules are where the writes are", () => {
    const writes = allWrites();
    expect(writes.filter((w) => w.file.startsWith("lifecycle/")).length).toBeGreaterThan(0);
    expect(writes.filter((w) => w.file.startsWith("store/")).length).toBeGreaterThan(0);
  });

  it("the generic leased queue writes store tables only, and only inside src/store", () => {
    // leased-queue.ts writes whatever table it is given: check who gives it which.
    const uses = sourceFiles(SRC).flatMap((file) =>
      [...withoutComments(readFileSync(file, "utf8")).matchAll(/\bleasedQueue\(\s*(\w+)/g)].map((m) => ({
        file: path.relative(SRC, file).split(path.sep).join("/"),
        table: TABLES.find((t) => t.exportName === m[1])?.sqlName ?? m[1],
      })),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) {
      expect(use.file, `leasedQueue(${use.table})`).toMatch(/^store\//);
      expect(STORE_TABLES, `leasedQueue in ${use.file}`).toContain(use.table);
    }
  });
});
