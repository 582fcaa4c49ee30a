import { Command } from "commander";
import type { CliContext } from "../context.js";

export function workerCommand(_ctx: CliContext): Command {
  return new Command("worker").description("run coding agents on claimed tickets (the worker runner)");
}
