import { Command } from "commander";
import type { CliContext } from "../context.js";

/** Tools for developing and testing Mission Control itself (local stand-ins, fixtures). */
export function devCommand(_ctx: CliContext): Command {
  return new Command("dev").description("tools for developing and testing Mission Control locally");
}
