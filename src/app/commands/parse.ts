/**
 * The `/mc …` command language of issue comments, parsed by one zod-backed parser.
 *
 * A comment is a command only if its first non-blank line starts with `/mc` (in any case: `/MC
 * Status` is `/mc status`) — as a paragraph: a
 * line indented by four spaces or a tab is a Markdown code block (an example, not an order), and
 * so are fenced blocks and quotes, which never start with `/mc`. Lookalikes (`／mc`, `/ｍｃ`, an
 * invisible character before the slash) are not `/mc`. One command per comment: another line
 * starting with `/mc` makes the comment a usage error, never two actions. The parser never throws:
 * it returns a command, a usage error that says what is wrong and shows the usage, or
 * `not_a_command` for every other comment.
 */
import { z } from "zod";
import {
  AttemptNumberWord,
  GrantAttemptsWord,
  PriorityWord,
  ReasonText,
} from "../../domain/command-words.js";
import { GRANT_ATTEMPTS_MAX, GRANT_ATTEMPTS_MIN } from "../../domain/inbox.js";
import { PRIORITIES } from "../../domain/priorities.js";
import { TASKS } from "../../domain/tasks.js";

const Sha = z.string().regex(/^[0-9a-f]{7,64}$/i, "sha= must be a commit SHA (7 to 64 hex digits)");
/**
 * `attempt=`: the attempt's id, or its number within the ticket (`attempt=2`, as the board and the
 * issue show it), which the command's facts resolve to the ticket's attempt.
 */
const ATTEMPT_REF = "must be an attempt number (1, 2, …) or an attempt id (a UUID)";
const AttemptRef = z.union([z.uuid({ error: ATTEMPT_REF }), AttemptNumberWord], { error: ATTEMPT_REF });
const Text = z.string().trim().min(1).max(10_000);

/**
 * What a field is called in the comment, put before the shared schemas' messages (they name no
 * key, since the CLI calls the same value `--attempts`).
 */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  attempts: "attempts=",
  attempt: "attempt=",
  priority: "priority",
  reason: "the reason",
  override: "the override's reason",
};

/**
 * Every command name, in the order `/mc help` lists them: the single source that usage text,
 * permission levels and the README are checked against (test/app/command-registry.test.ts).
 */
export const COMMAND_NAMES = [
  "status",
  "claim",
  "release",
  "answer",
  "done",
  "approve",
  "reject",
  "cancel",
  "priority",
  "retry",
  "maintenance",
  "help",
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const CommandSchema = z.discriminatedUnion("name", [
  z.object({ name: z.literal("status") }),
  z.object({ name: z.literal("claim") }),
  z.object({ name: z.literal("release") }),
  z.object({ name: z.literal("answer"), text: Text }),
  z.object({ name: z.literal("done"), sha: Sha, attempt: AttemptRef }),
  z.object({ name: z.literal("approve"), override: ReasonText.optional() }),
  z.object({ name: z.literal("reject"), reason: Text.optional() }),
  z.object({ name: z.literal("cancel"), reason: ReasonText.optional() }),
  z.object({ name: z.literal("priority"), priority: PriorityWord }),
  z.object({ name: z.literal("retry"), attempts: GrantAttemptsWord.optional() }),
  z.object({ name: z.literal("maintenance"), action: z.enum(["pause", "resume"]), task: z.enum(TASKS) }),
  z.object({ name: z.literal("help") }),
]);
export type Command = z.infer<typeof CommandSchema>;

export const USAGE: Record<CommandName, string> = {
  status: "/mc status",
  claim: "/mc claim",
  release: "/mc release",
  answer: "/mc answer <text>",
  done: "/mc done sha=<commit sha> attempt=<attempt number or id>",
  approve: "/mc approve [override <reason>]",
  reject: "/mc reject [reason]",
  cancel: "/mc cancel [reason]",
  priority: `/mc priority <${PRIORITIES.join("|")}>`,
  retry: `/mc retry [<${GRANT_ATTEMPTS_MIN}-${GRANT_ATTEMPTS_MAX}> | attempts=<${GRANT_ATTEMPTS_MIN}-${GRANT_ATTEMPTS_MAX}>]`,
  maintenance: `/mc maintenance pause|resume <${TASKS.join("|")}>`,
  help: "/mc help",
};

export const HELP = COMMAND_NAMES.map((name) => USAGE[name]).join("\n");

export type ParseResult =
  | { readonly kind: "command"; readonly command: Command }
  | { readonly kind: "usage_error"; readonly message: string; readonly usage: string }
  | { readonly kind: "not_a_command" };

// Any case: a phone's keyboard capitalises the first word, and `/MC status` means `/mc status`.
const PREFIX = /^\/mc(?=\s|$)/i;

export function parseCommand(body: unknown): ParseResult {
  if (typeof body !== "string") return { kind: "not_a_command" };
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const first = lines.findIndex((line) => line.trim() !== "");
  if (first === -1) return { kind: "not_a_command" };
  const indent = /^[ \t]*/.exec(lines[first] ?? "")?.[0] ?? "";
  if (indent.includes("\t") || indent.length >= 4) return { kind: "not_a_command" };
  const [firstLine = "", ...rest] = lines
    .slice(first)
    .map((line, i) => (i === 0 ? line.slice(indent.length) : line));
  if (!PREFIX.test(firstLine)) return { kind: "not_a_command" };
  const another = rest.findIndex((line) => PREFIX.test(line.replace(/^ {0,3}/, "")));
  if (another !== -1)
    return usageError(
      `one command per comment: line ${another + 2} of the command starts another /mc; send it as its own comment`,
      HELP,
    );
  const words = firstLine.replace(PREFIX, "").trim().split(/\s+/).filter(Boolean);
  const [verb, ...args] = words;
  if (!verb) return usageError("a command is missing after /mc", HELP);
  const name = verb.toLowerCase();
  // A lookup in the list, not `name in USAGE`: `constructor` or `__proto__` is in every object.
  const commandName = COMMAND_NAMES.find((known) => known === name);
  if (!commandName) return usageError(`unknown command "${verb.slice(0, 40)}"`, HELP);
  // Free text (answer, reject, cancel) may continue on the following lines of the comment.
  const freeText = [args.join(" "), ...rest].join("\n").trim();
  const candidate = build(commandName, args, freeText);
  if ("error" in candidate) return usageError(candidate.error, USAGE[commandName]);
  const parsed = CommandSchema.safeParse(candidate.fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const label = FIELD_LABELS[String(issue?.path[0] ?? "")];
    const message = issue?.message ?? "invalid arguments";
    return usageError(label ? `${label} ${message}` : message, USAGE[commandName]);
  }
  return { kind: "command", command: parsed.data };
}

type Candidate = { readonly fields: Record<string, unknown> } | { readonly error: string };

const fields = (value: Record<string, unknown>): Candidate => ({ fields: value });
const wrong = (error: string): Candidate => ({ error });

/** The raw fields of a command from its words; the schema then checks their values. */
function build(name: CommandName, args: readonly string[], freeText: string): Candidate {
  switch (name) {
    case "answer":
      return freeText ? fields({ name, text: freeText }) : wrong("an answer needs some text");
    case "reject":
    case "cancel":
      // `/mc cancel because duplicate`: the words after the command are the reason, as `--reason`.
      return fields(freeText ? { name, reason: freeText } : { name });
    case "approve": {
      // `/mc approve override <reason>`: accept although the evidence does not pass (maintainers).
      if (!args.length) return fields({ name });
      if (args[0]?.toLowerCase() !== "override")
        return wrong(
          "/mc approve takes no arguments, or `override <reason>` to accept without passing evidence",
        );
      const reason = freeText.replace(/^override\b/i, "").trim();
      return reason ? fields({ name, override: reason }) : wrong("an override needs a reason");
    }
    case "priority":
      return args.length === 1 ? fields({ name, priority: args[0] }) : wrong("give exactly one priority");
    case "maintenance":
      return args.length === 2
        ? fields({ name, action: args[0]?.toLowerCase(), task: args[1]?.toLowerCase() })
        : wrong("give an action (pause or resume) and a task");
    case "retry": {
      // A ticket held after max_attempts is granted one more attempt, or N: `/mc retry 3` is
      // `/mc retry attempts=3` (a lone word that starts with a digit is the count).
      if (args.length === 1 && /^\d/.test(args[0] ?? "")) return fields({ name, attempts: args[0] });
      const pairs = keyValues(args, ["attempts"]);
      if ("error" in pairs) return pairs;
      const attempts = pairs.get("attempts");
      return fields(attempts === undefined ? { name } : { name, attempts });
    }
    case "done": {
      const pairs = keyValues(args, ["sha", "attempt"]);
      if ("error" in pairs) return pairs;
      if (!pairs.has("sha") || !pairs.has("attempt")) return wrong("both sha= and attempt= are required");
      return fields({
        name,
        sha: pairs.get("sha")?.toLowerCase(),
        attempt: pairs.get("attempt")?.toLowerCase(),
      });
    }
    default:
      return args.length ? wrong(`/mc ${name} takes no arguments`) : fields({ name });
  }
}

/** `key=value` words (keys case-insensitive) among `known`; anything else is an error. */
function keyValues(
  args: readonly string[],
  known: readonly string[],
): Map<string, string> | { error: string } {
  const pairs = new Map<string, string>();
  for (const arg of args) {
    const match = /^([a-z]+)=(.*)$/i.exec(arg);
    if (!match) return { error: `"${arg.slice(0, 40)}" is not key=value` };
    pairs.set((match[1] ?? "").toLowerCase(), match[2] ?? "");
  }
  const unknown = [...pairs.keys()].filter((key) => !known.includes(key));
  if (unknown.length) return { error: `unknown argument(s) ${unknown.join(", ")}` };
  return pairs;
}

function usageError(message: string, usage: string): ParseResult {
  return { kind: "usage_error", message, usage };
}
