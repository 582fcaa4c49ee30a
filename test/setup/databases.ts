/**
 * Global set-up of both databases at once: PostgreSQL's template is migrated by the server while
 * this process migrates PGlite's image, so neither waits for the other (about a second and a half
 * of the suite's start). Each part is its own module (postgres.ts, pglite.ts).
 */
import type { TestProject } from "vitest/node";
import setUpPglite from "./pglite.js";
import setUpPostgres from "./postgres.js";

export default async function setup(project: TestProject) {
  const settled = await Promise.allSettled([setUpPostgres(project), setUpPglite(project)]);
  const teardowns = settled.flatMap((result) =>
    result.status === "fulfilled" && result.value ? [result.value] : [],
  );
  const teardown = async () => {
    for (const done of teardowns) await done();
  };
  // An unreachable required server fails the run; what the other part made is removed first.
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) {
    await teardown();
    throw failed.reason;
  }
  return teardown;
}
