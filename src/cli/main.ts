#!/usr/bin/env node
import { readEnvironment } from "../config/environment.js";
import { createCliContext } from "./context.js";
import { runCli } from "./program.js";

const ctx = createCliContext(
  { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  () => readEnvironment(process.env, process.cwd()),
  { processEnv: process.env },
);
process.exitCode = await runCli(process.argv.slice(2), ctx, Boolean(process.env.MCTL_DEBUG));
