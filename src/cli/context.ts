// The configuration, the database and the lifecycle are imported when a command first needs them
// (`mctl --version` and `mctl --help` load none of them).
import type { DatabaseHandle } from "../db/database.js";
import { DatabaseUnavailableError, MigrationsPendingError } from "../db/errors.js";
import type { Environment } from "../config/environment.js";
import type { Config } from "../config/schema.js";
import type { Lifecycle } from "../lifecycle/index.js";
import type { Store } from "../store/index.js";
import { CliError, EXIT_DATABASE } from "./errors.js";

/** Where a command writes, and what it may read of the world: passed in so tests can run the CLI in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface CliContext {
  readonly io: CliIo;
  readonly environment: () => Environment;
  /**
   * The process environment as given by the entry point (src/cli/main.ts): what a command hands on
   * to the processes it starts, and the few variables read where they are used (GITHUB_TOKEN, …).
   */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** The configuration file, read and validated once (a bad file is a usage error, exit 2). */
  readonly config: () => Promise<Config>;
  /** Opens the database, runs `work`, and closes it whatever happens. */
  withDatabase<T>(work: (session: DatabaseSession) => Promise<T>, options?: SessionOptions): Promise<T>;
  /** Opens the database (checked as `withDatabase` does) for the caller to close: a loop that keeps it. */
  openSession(options?: SessionOptions): Promise<DatabaseSession & { close(): Promise<void> }>;
}

export interface SessionOptions {
  readonly checkSchema?: boolean;
  readonly checkConfig?: boolean;
}

export interface DatabaseSession {
  readonly handle: DatabaseHandle;
  readonly lifecycle: Lifecycle;
  /** The app's plumbing (webhook deliveries, the verifier's HTTP cache, …). */
  readonly store: Store;
  readonly environment: Environment;
}

export interface CliContextOptions {
  /**
   * Opens the database each command works on (default: `openDatabase` from the environment). Tests
   * that run many commands in-process pass one already-open database whose `close` does nothing.
   */
  readonly openDatabase?: (environment: Environment) => Promise<DatabaseHandle>;
  /** The process environment (default: empty; src/cli/main.ts passes its own). */
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
}

/**
 * The composition root of the CLI. The embedded database migrates itself on open (it belongs to
 * this process); a PostgreSQL server is shared, so it must be migrated on purpose (`mctl db migrate`).
 */
export function createCliContext(
  io: CliIo,
  readEnv: () => Environment,
  options: CliContextOptions = {},
): CliContext {
  const open =
    options.openDatabase ??
    (async (environment: Environment) =>
      (await import("../db/connect.js")).openDatabase(environment.database, {
        lockWaitMs: environment.lockWaitMs,
      }));
  let environment: Environment | undefined;
  const env = () => {
    try {
      environment ??= readEnv();
    } catch (error) {
      throw new CliError(`configuration: ${(error as Error).message}`, 2, { cause: error });
    }
    return environment;
  };
  let config: Promise<Config> | undefined;
  const loadConfigOnce = () => {
    config ??= (async () => {
      const { cwd, configPath, configOverrides } = env();
      const { ConfigError, loadConfig } = await import("../config/load.js");
      try {
        return await loadConfig({ cwd, path: configPath, overrides: configOverrides });
      } catch (error) {
        if (error instanceof ConfigError)
          throw new CliError(`configuration: ${error.message}`, 2, { cause: error });
        throw error;
      }
    })();
    return config;
  };
  const openSession: CliContext["openSession"] = async (options = {}) => {
    const environment = env();
    // A command that does not read the configuration (ticket, inbox, maintenance) still refuses a
    // broken file: a typo there must be seen at once, not by the next dispatcher that starts.
    if (options.checkConfig !== false) await loadConfigOnce();
    let handle: DatabaseHandle;
    try {
      handle = await open(environment);
    } catch (error) {
      if (error instanceof DatabaseUnavailableError)
        throw new CliError(error.message, EXIT_DATABASE, { cause: error });
      throw error;
    }
    try {
      const [{ assertMigrated, migrateDatabase }, { createLifecycle, systemClock }, { createStore }] =
        await Promise.all([
          import("../db/migrate.js"),
          import("../lifecycle/index.js"),
          import("../store/index.js"),
        ]);
      if (options.checkSchema !== false) {
        if (handle.driver === "pglite") await migrateDatabase(handle);
        else await assertMigrated(handle.db);
      }
      const lifecycle = createLifecycle({
        db: handle.db,
        clock: systemClock,
        keyPrefix: environment.keyPrefix,
      });
      const store = createStore({ db: handle.db, clock: systemClock });
      return { handle, lifecycle, store, environment, close: () => handle.close() };
    } catch (error) {
      await handle.close();
      if (error instanceof MigrationsPendingError)
        throw new CliError(error.message, EXIT_DATABASE, { cause: error });
      throw error;
    }
  };
  return {
    io,
    environment: env,
    processEnv: options.processEnv ?? {},
    config: loadConfigOnce,
    async withDatabase(work, options = {}) {
      const session = await openSession(options);
      try {
        return await work(session);
      } catch (error) {
        if (error instanceof MigrationsPendingError)
          throw new CliError(error.message, EXIT_DATABASE, { cause: error });
        throw error;
      } finally {
        await session.close();
      }
    },
    openSession,
  };
}
