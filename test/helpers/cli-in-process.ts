import { createCliContext } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/program.js";
import { readEnvironment } from "../../src/config/environment.js";
import type { DatabaseHandle } from "../../src/db/database.js";
import type { CliRun } from "./cli.js";

export type InProcessCli = (args: readonly string[], env?: Record<string, string>) => Promise<CliRun>;

/**
 * `mctl` run in this process: the same command tree, parsing, output and exit codes as the built
 * binary, on a database the test already has open (its `close` is left to the test). Each call
 * starts from an environment holding only what it is given, as `runMctl` clears the developer's.
 * The binary itself is covered by the tests that spawn it (test/helpers/cli.ts).
 */
export function inProcessCli(
  handle: DatabaseHandle | null,
  baseEnv: Record<string, string> = {},
): InProcessCli {
  return async (args, env = {}) => {
    let stdout = "";
    let stderr = "";
    const ctx = createCliContext(
      { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
      () => readEnvironment({ ...baseEnv, ...env }, process.cwd()),
      {
        // What commands hand on to the processes they start (as the binary passes its own).
        processEnv: process.env,
        openDatabase: handle
          ? async () => ({ ...handle, close: async () => {} })
          : async () => {
              throw new Error("this in-process CLI has no database");
            },
      },
    );
    const code = await runCli(args, ctx);
    return { code, stdout, stderr };
  };
}
