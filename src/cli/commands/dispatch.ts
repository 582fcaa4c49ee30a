import { Command } from "commander";
import type { CliContext } from "../context.js";

export function dispatchCommand(_ctx: CliContext): Command {
  return new Command("dispatch").description(
    "claim runnable tickets and launch workers (one cycle by default)",
  );
}
