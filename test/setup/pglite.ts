/**
 * Global set-up for the embedded-database suite: migrates one in-memory PGlite once and saves its
 * data folder to a file, so each test file starts its PGlite from that image (about 1.5 s of CPU)
 * instead of running initdb and the migrations again (about 4.5 s). See test/helpers/pglite.ts.
 */
import { rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migratedPgliteImage } from "../helpers/pglite.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated PGlite data folder (a tar file), or null when each file must migrate its own. */
    pgliteTemplate: string | null;
  }
}

export default async function setup(project: TestProject) {
  const file = path.join(os.tmpdir(), `mctl-pglite-template-${process.pid}.tar`);
  await writeFile(file, await migratedPgliteImage());
  project.provide("pgliteTemplate", file);
  return async () => {
    await rm(file, { force: true });
  };
}
