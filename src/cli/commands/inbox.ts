import { Command } from "commander";
import type { CliContext } from "../context.js";

export function inboxCommand(_ctx: CliContext): Command {
  return new Command("inbox").description("the orchestrator inbox: list, show, take the next item, act on an item");
}
