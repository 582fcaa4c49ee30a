/**
 * `npm start`: Mission Control's GitHub App. Probot reads APP_ID, PRIVATE_KEY and WEBHOOK_SECRET
 * (and runs its setup flow from app.yml when they are missing); the database is the embedded one
 * unless DATABASE_URL is set. The composition root: the only place that reads the environment.
 */
import { hostname } from "node:os";
import { run } from "probot";
import { loadConfig } from "../config/load.js";
import { readEnvironment } from "../config/environment.js";
import { openDatabase } from "../db/connect.js";
import { migrateDatabase } from "../db/migrate.js";
import { createVerifier } from "../evidence/index.js";
import { createLifecycle, systemClock } from "../lifecycle/index.js";
import { missionControlApp } from "./app.js";
import { startMirrorLoop } from "./mirror/runner.js";

async function main(): Promise<void> {
  // 1. Environment and configuration.
  const env = readEnvironment(process.env, process.cwd());
  const config = await loadConfig({ cwd: env.cwd, path: env.configPath });
  // 2. The database, migrated (an advisory lock makes this safe for several replicas).
  const handle = await openDatabase(env.database, { lockWaitMs: env.lockWaitMs });
  await migrateDatabase(handle);
  const lifecycle = createLifecycle({ db: handle.db, clock: systemClock, keyPrefix: env.keyPrefix });
  const backoff = {
    baseMs: config.dispatch.backoff.base_seconds * 1000,
    capMs: config.dispatch.backoff.cap_seconds * 1000,
  };
  const mirror = config.app.mirror;
  const stops: (() => Promise<void>)[] = [];
  // 3. The app: webhooks in, the mirror worker beside it.
  const server = await run(
    missionControlApp({
      lifecycle,
      ticketLabel: config.app.ticket_label,
      verifier: (octokitFor) => createVerifier({ lifecycle, octokit: octokitFor, backoff }),
      onLoad: ({ probot, octokitFor }) => {
        const loop = startMirrorLoop(
          {
            lifecycle,
            octokitFor,
            worker: `${hostname()}:${process.pid}`,
            ticketLabel: config.app.ticket_label,
            retry: { baseMs: mirror.retry_base_seconds * 1000, capMs: mirror.retry_cap_seconds * 1000 },
            leaseMs: mirror.lease_seconds * 1000,
            batchLimit: mirror.batch_size,
            log: (message, detail) => probot.log.warn(detail ?? {}, message),
            dispatch: {
              workflow: config.app.dispatch_workflow,
              intervalMs: config.app.dispatch_trigger_seconds * 1000,
            },
          },
          mirror.poll_seconds * 1000,
        );
        stops.push(() => loop.stop());
      },
    }),
  );
  // 4. Stop cleanly: the running mirror pass ends, then the database closes.
  const shutdown = async () => {
    await server.stop();
    for (const stop of stops) await stop();
    await handle.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(`mission-control: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
