#!/usr/bin/env node
import { readEnvironment } from "../config/environment.js";
import { createCliContext } from "./context.js";
import { runCli } from "./program.js";

// `mctl … | head`: the reader has gone, so there is nobody left to tell. End quietly and
// successfully, as a program killed by SIGPIPE would in a shell pipeline, instead of a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const ctx = createCliContext(
  { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  () => readEnvironment(process.env, process.cwd()),
  { processEnv: process.env },
);
process.exitCode = await runCli(process.argv.slice(2), ctx, Boolean(process.env.MCTL_DEBUG));
