import { Command } from "commander";
import type { CliContext } from "../context.js";

export function evidenceCommand(_ctx: CliContext): Command {
  return new Command("evidence").description("verify a ticket's completion evidence against GitHub and show verdicts");
}
