/**
 * Global set-up for the embedded-database suite: migrates one in-memory PGlite once and saves its
 * data folder to a file, so each test file starts its PGlite from that image (about 1.5 s of CPU)
 * instead of running initdb and the migrations again (about 4.5 s). See test/helpers/pglite.ts.
 * The same image is also unpacked once into a data folder on disk, which the tests that share a
 * database with `mctl` processes copy (test/worker/support/databases.ts).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migratedPgliteFolder, migratedPgliteImage } from "../helpers/pglite.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated PGlite data folder (a tar file), or null when each file must migrate its own. */
    pgliteTemplate: string | null;
    /** The same database as a data folder on disk (mode 0700, as mctl makes it), to be copied. */
    pgliteFolder: string | null;
  }
}

export default async function setup(project: TestProject) {
  const file = path.join(os.tmpdir(), `mctl-pglite-template-${process.pid}.tar`);
  const image = await migratedPgliteImage();
  await writeFile(file, image);
  project.provide("pgliteTemplate", file);
  const folder = path.join(os.tmpdir(), `mctl-pglite-folder-${process.pid}`);
  await mkdir(folder, { mode: 0o700 });
  await migratedPgliteFolder(image, folder);
  project.provide("pgliteFolder", folder);
  return async () => {
    await rm(file, { force: true });
    await rm(folder, { recursive: true, force: true });
  };
}
