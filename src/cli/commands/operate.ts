import { Command } from "commander";
import type { CliContext } from "../context.js";

export function operateCommand(_ctx: CliContext): Command {
  return new Command("operate").description("check health, raise and resolve alerts (never changes a ticket)");
}
