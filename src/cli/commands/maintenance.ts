import { Command } from "commander";
import type { CliContext } from "../context.js";

export function maintenanceCommand(_ctx: CliContext): Command {
  return new Command("maintenance").description("pause or resume a task (dispatch, operate, orchestrate) as a maintenance action");
}
