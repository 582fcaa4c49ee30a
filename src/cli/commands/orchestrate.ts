import { Command } from "commander";
import type { CliContext } from "../context.js";

export function orchestrateCommand(_ctx: CliContext): Command {
  return new Command("orchestrate").description("apply the configured orchestrator rules to delivered inbox items");
}
