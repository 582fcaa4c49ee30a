/**
 * DESIGN.md, "The single mutation path": only src/lifecycle writes the application tables.
 * This test reads every source file and fails on a drizzle insert/update/delete of a schema table,
 * or raw SQL that writes one, anywhere else.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema.js";

const SRC = path.resolve(import.meta.dirname, "../../src");
const WRITER = path.join(SRC, "lifecycle");

/** Every table of the schema: the export name (for drizzle calls) and the SQL name. */
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
  for (const ref of tableRefs) {
    const call = new RegExp(`\\.(insert|update|delete)\\(\\s*${ref.replace(".", "\\.")}\\s*[),]`, "g");
    for (const match of source.matchAll(call)) found.push(`drizzle ${match[1]}(${ref})`);
  }
  const sqlNames = TABLES.map((t) => t.sqlName).join("|");
  const rawWrite = new RegExp(
    `\\b(insert\\s+into|update|delete\\s+from|truncate(?:\\s+table)?|merge\\s+into|copy)\\s+(?:only\\s+)?(?:"?public"?\\.)?"?(${sqlNames})\\b`,
    "gi",
  );
  for (const match of source.matchAll(rawWrite)) found.push(`SQL ${match[1]} ${match[2]}`);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

describe("single mutation path", () => {
  it("knows the schema's tables", () => {
    expect(TABLES.map((t) => t.sqlName)).toEqual(
      expect.arrayContaining(["tickets", "attempts", "ticket_events"]),
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
    ];
    for (const source of planted) expect(findWrites(source), source).not.toEqual([]);
    const harmless = `import { tickets } from "../db/schema.js"; db.select().from(tickets); map.delete(key);`;
    expect(findWrites(harmless)).toEqual([]);
  });

  it("no file outside src/lifecycle writes the application tables", () => {
    const offenders = sourceFiles(SRC)
      .filter((file) => !file.startsWith(WRITER + path.sep))
      .flatMap((file) =>
        findWrites(readFileSync(file, "utf8")).map((write) => `${path.relative(SRC, file)}: ${write}`),
      );
    expect(offenders).toEqual([]);
  });

  it("the lifecycle module itself is where the writes are", () => {
    const writes = sourceFiles(WRITER).flatMap((file) => findWrites(readFileSync(file, "utf8")));
    expect(writes.length).toBeGreaterThan(0);
  });
});
