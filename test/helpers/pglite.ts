import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { openDatabase } from "../../src/db/connect.js";
import type { Database, DatabaseHandle } from "../../src/db/database.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import * as schema from "../../src/db/schema.js";

const DESCRIPTION = "an in-memory embedded database (PGlite, from the migrated test template)";

/**
 * A migrated in-memory PGlite: started from the image test/setup/pglite.ts saved (`template`, a
 * tar file), or, without one (another vitest config), opened and migrated as the app would.
 * Starting from the image skips initdb and the migrations: about a third of the CPU.
 */
export async function openMigratedPglite(template: string | null | undefined): Promise<DatabaseHandle> {
  if (!template) {
    const handle = await openDatabase({ driver: "pglite", dataDir: "memory://" });
    await migrateDatabase(handle);
    return handle;
  }
  const image = new Blob([await readFile(template)]);
  const client = new PGlite({ loadDataDir: image });
  await client.waitReady;
  return pgliteHandle(client);
}

/** The migrated in-memory database's data folder, for `openMigratedPglite` (test/setup/pglite.ts). */
export async function migratedPgliteImage(): Promise<Uint8Array> {
  const client = new PGlite();
  await client.waitReady;
  try {
    await migrateDatabase(pgliteHandle(client));
    const image = await client.dumpDataDir("none");
    return new Uint8Array(await image.arrayBuffer());
  } finally {
    await client.close();
  }
}

/** Unpacks `migratedPgliteImage()` into `folder`, a data folder on disk (test/setup/pglite.ts). */
export async function migratedPgliteFolder(image: Uint8Array, folder: string): Promise<void> {
  const client = new PGlite(folder, { loadDataDir: new Blob([image]) });
  await client.waitReady;
  await client.close();
}

// As src/db/connect.ts builds it for `memory://` (which has no way to start from an image).
function pgliteHandle(client: PGlite): DatabaseHandle {
  const db = drizzle(client, { schema }) as unknown as Database;
  return { db, driver: "pglite", description: DESCRIPTION, close: () => client.close() };
}
