import { Command } from "commander";
import type { CliContext } from "../context.js";

export function signalCommand(_ctx: CliContext): Command {
  return new Command("signal").description("report from inside an agent: needs-input, heartbeat, fail");
}
