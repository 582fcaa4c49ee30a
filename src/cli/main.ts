#!/usr/bin/env node
import { createCliContext } from "./context.js";
import { namedCommand, runCli } from "./program.js";

// `mctl … | head`: the reader has gone, so there is nobody left to tell. End quietly and
// successfully, as a program killed by SIGPIPE would in a shell pipeline, instead of a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const argv = process.argv.slice(2);
// Only a command reads the environment (and reading it loads zod): `mctl --version` and
// `mctl --help` start without it.
const environment = namedCommand(argv) === undefined ? null : await import("../config/environment.js");
const ctx = createCliContext(
  { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  () => {
    if (!environment) throw new Error("the environment is read only by a command");
    return environment.readEnvironment(process.env, process.cwd());
  },
  { processEnv: process.env },
);
process.exitCode = await runCli(argv, ctx, Boolean(process.env.MCTL_DEBUG));
