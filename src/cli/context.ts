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
  /**
   * The database of a loop's passes (`dispatch --loop`, `orchestrate --loop`). On PostgreSQL one
   * session is kept from pass to pass (a waiting dispatcher then costs a few queries a try, not new
   * server connections and a schema check), closed after a pass that failed and opened again by the
   * next; on the embedded database it is opened per pass, so that the other mctl processes (the
   * workers a dispatcher launches) get their turn with it in between. The caller closes it.
   */
  passDatabase(): PassDatabase;
}

export interface PassDatabase {
  run<T>(work: (session: DatabaseSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type OpenSession = DatabaseSession & { close(): Promise<void> };

/** A schema behind the code is the database's exit code (3), with its own message. */
function cliErrorOf(error: unknown): unknown {
  return error instanceof MigrationsPendingError
    ? new CliError(error.message, EXIT_DATABASE, { cause: error })
    : error;
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
  const openSession = async (options: SessionOptions = {}): Promise<OpenSession> => {
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
      throw cliErrorOf(error);
    }
  };
  const withDatabase: CliContext["withDatabase"] = async (work, options = {}) => {
    const session = await openSession(options);
    try {
      return await work(session);
    } catch (error) {
      throw cliErrorOf(error);
    } finally {
      await session.close();
    }
  };
  return {
    io,
    environment: env,
    processEnv: options.processEnv ?? {},
    config: loadConfigOnce,
    withDatabase,
    passDatabase() {
      if (env().database.driver !== "postgres") return { run: withDatabase, close: async () => {} };
      let kept: OpenSession | null = null;
      return {
        async run(work) {
          kept ??= await openSession();
          try {
            return await work(kept);
          } catch (error) {
            const failed = kept;
            kept = null;
            await failed.close().catch(() => undefined);
            throw cliErrorOf(error);
          }
        },
        async close() {
          const open = kept;
          kept = null;
          await open?.close();
        },
      };
    },
  };
}
