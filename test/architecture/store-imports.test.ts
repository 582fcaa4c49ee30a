/**
 * src/store is a writer module beside the lifecycle: it may import only src/db, src/domain and
 * itself (and packages), so the app's plumbing never reaches into tickets or the app above it.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");
const STORE = path.join(SRC, "store");
const ALLOWED = ["db", "domain", "store"];

/** The src/ folders a source file imports from (relative imports only). */
function importedFolders(file: string, source: string): string[] {
  return [...source.matchAll(/\bfrom\s+["'](\.[^"']+)["']/g)].map((m) => {
    const target = path.relative(SRC, path.resolve(path.dirname(file), m[1] ?? ""));
    return target.split(path.sep)[0] ?? "";
  });
}

describe("src/store imports", () => {
  it("finds a forbidden import when there is one (so the check below can fail)", () => {
    const file = path.join(STORE, "example.ts");
    expect(importedFolders(file, `import { x } from "../lifecycle/index.js";`)).toEqual(["lifecycle"]);
    expect(importedFolders(file, `import { y } from "./deps.js";`)).toEqual(["store"]);
  });

  it("imports only src/db, src/domain and itself", () => {
    const files = readdirSync(STORE).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((name) => {
      const file = path.join(STORE, name);
      return importedFolders(file, readFileSync(file, "utf8"))
        .filter((folder) => !ALLOWED.includes(folder))
        .map((folder) => `store/${name} imports src/${folder}`);
    });
    expect(offenders).toEqual([]);
  });
});
