import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { z } from "zod";
import { PriorityWord, ReasonText } from "../../domain/command-words.js";
import { PRIORITIES } from "../../domain/priorities.js";
import { TICKET_STATES } from "../../domain/ticket-states.js";
import type { TicketRow } from "../../db/schema.js";
import { type NewTicket, NewTicketSchema, TicketKeySchema } from "../../lifecycle/schemas.js";
import type { DatabaseSession, CliContext } from "../context.js";
import { CliError, EXIT_USAGE } from "../errors.js";
import { failureToCliError, parseOptions } from "../parse.js";
import { formatTable, printJson } from "../output.js";
import { type TicketStatus, ticketStatus } from "../ticket-status.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

const ImportOptions = z.object({
  batchSize: z.coerce.number().int().min(1).max(5000),
  actor: z.string().trim().min(1).max(200).optional(),
  json: z.boolean().optional(),
});

/** One line of an import file: what `ticket create` takes, the repository defaulted. */
const ImportLine = NewTicketSchema.extend({ repository: NewTicketSchema.shape.repository.optional() });

async function readImportFile(file: string): Promise<string> {
  try {
    if (file !== "-") return await readFile(file, "utf8");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT_USAGE);
  }
}

/**
 * Every non-empty line of an import file as a ticket, checked before anything is written; the
 * problems of all bad lines (up to 20) in one error.
 */
function parseImportLines(text: string, defaultRepository: string): { line: number; ticket: NewTicket }[] {
  const parsed: { line: number; ticket: NewTicket }[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((content, i) => {
    const line = i + 1;
    if (!content.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      problems.push(`line ${line}: not JSON`);
      return;
    }
    const result = ImportLine.safeParse(value);
    if (!result.success) {
      problems.push(
        `line ${line}: ${result.error.issues.map((e) => (e.path.length ? `${e.path.join(".")}: ${e.message}` : e.message)).join("; ")}`,
      );
      return;
    }
    parsed.push({
      line,
      ticket: { ...result.data, repository: result.data.repository ?? defaultRepository },
    });
  });
  if (problems.length)
    throw new CliError(
      `nothing imported: ${problems.length} bad line(s): ${problems.slice(0, 20).join("; ")}${problems.length > 20 ? " …" : ""}`,
      EXIT_USAGE,
      { code: "invalid_input", detail: { problems } },
    );
  return parsed;
}

export function ticketCommand(ctx: CliContext): Command {
  const ticket = new Command("ticket").description("create, inspect and cancel tickets");

  ticket
    .command("create")
    .description("create a ticket in todo")
    .requiredOption("--title <title>", "one-line summary")
    .option("--body <text>", "description (Markdown)", "")
    .option("--repo <owner/name>", "repository whose issue mirrors the ticket (default: $MCTL_REPOSITORY)")
    .option(
      "--priority <priority>",
      `priority: ${PRIORITIES.join(", ")} (any case, as in /mc priority)`,
      "normal",
    )
    .option("--label <label>", "label (repeatable)", collect)
    .option("--assignee <login>", "who the ticket is assigned to")
    .option("--campaign <name>", "campaign the ticket belongs to")
    .option("--blocked-by <key>", "a ticket that must be done first (repeatable)", collect)
    .option("--actor <id>", "who is creating it (default: $MCTL_ACTOR or your user name)")
    .option("--json", "print the ticket as JSON")
    .action(async (options: CreateOptions) => {
      const { priority } = parseOptions(PriorityOption, { priority: options.priority });
      await ctx.withDatabase(async ({ lifecycle, environment }) => {
        const result = await lifecycle.createTicket(
          {
            repository: options.repo ?? environment.defaultRepository,
            title: options.title,
            body: options.body,
            labels: options.label ?? [],
            priority,
            assignee: options.assignee ?? null,
            campaign: options.campaign ?? null,
            blockedBy: options.blockedBy ?? [],
          },
          { kind: "human", id: options.actor ?? environment.actorId },
        );
        if (!result.ok) throw failureToCliError(result);
        if (options.json) printJson(result.ticket, ctx.io.stdout);
        else
          ctx.io.stdout(`created ${result.ticket.key} (${result.ticket.priority}) ${result.ticket.title}\n`);
      });
    });

  ticket
    .command("list")
    .description("list tickets in pick order (priority, then age)")
    .addOption(new Option("--state <state>", "only tickets in this state").choices(TICKET_STATES))
    .option("--priority <priority>", `only tickets of this priority (${PRIORITIES.join(", ")})`)
    .option("--repo <owner/name>", "only tickets of this repository")
    .option("--limit <n>", "at most this many (1–1000)", "100")
    .option("--json", "print JSON")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(ListOptions, raw);
      const { dispatch } = await ctx.config();
      await ctx.withDatabase(async ({ lifecycle }) => {
        const listed = await lifecycle.listTickets({
          state: options.state,
          priority: options.priority,
          repository: options.repo,
          limit: options.limit,
        });
        const blockerStates = await lifecycle.blockerStates(listed.flatMap((t) => t.blockedBy));
        const facts = { blockerStates, maxAttempts: dispatch.max_attempts, now: lifecycle.clock.now() };
        const rows = listed.map((t) => ({ ...t, status: ticketStatus(t, facts) }));
        if (options.json) return printJson(rows, ctx.io.stdout);
        if (!rows.length) return ctx.io.stdout("no tickets\n");
        ctx.io.stdout(
          `${formatTable(
            ["key", "state", "priority", "title", "assignee", "repository", "v"],
            rows.map((t) => [
              t.key,
              t.status.label,
              t.priority,
              truncate(t.title, 60),
              t.assignee,
              t.repository,
              t.version,
            ]),
          )}\n`,
        );
      });
    });

  ticket
    .command("show")
    .description("show one ticket")
    .argument("<key>", "ticket key, e.g. MC-42")
    .option("--json", "print JSON")
    .action(async (key: string, options: { json?: boolean }) => {
      const { dispatch } = await ctx.config();
      await ctx.withDatabase(async (session) => {
        const row = await requireTicket(session, key);
        const attempts = await session.lifecycle.attemptsOf(row.id);
        const questions = await session.lifecycle.questionsOf(row.id);
        const status = ticketStatus(row, {
          blockerStates: await session.lifecycle.blockerStates(row.blockedBy),
          maxAttempts: dispatch.max_attempts,
          now: session.lifecycle.clock.now(),
        });
        if (options.json) return printJson({ ...row, status, attempts, questions }, ctx.io.stdout);
        ctx.io.stdout(describeTicket(row, status));
        if (attempts.length) {
          ctx.io.stdout(
            `\n${formatTable(
              ["attempt", "#", "worker", "status", "lease until", "outcome"],
              attempts.map((a) => [a.id, a.number, a.worker, a.status, a.leaseExpiresAt, a.outcome?.reason]),
            )}\n`,
          );
        }
        for (const q of questions) {
          ctx.io.stdout(
            `\nQ (${q.askedAt.toISOString()}): ${q.question}\nA: ${q.answer ?? "(not answered yet)"}\n`,
          );
        }
      });
    });

  ticket
    .command("answer")
    .description("answer the open question of a ticket in needs_input (the next dispatch cycle requeues it)")
    .argument("<key>", "ticket key, e.g. MC-42")
    .requiredOption("--answer <text>", "the answer, given to the agent on its next attempt")
    .option("--actor <id>", "who is answering (default: $MCTL_ACTOR or your user name)")
    .option("--json", "print the answered question as JSON")
    .action(async (key: string, options: { answer: string; actor?: string; json?: boolean }) => {
      await ctx.withDatabase(async (session) => {
        const row = await requireTicket(session, key);
        const result = await session.lifecycle.answerQuestion({
          ticket: row.key,
          answer: options.answer,
          actor: { kind: "human", id: options.actor ?? session.environment.actorId },
        });
        if (!result.ok) throw failureToCliError(result);
        if (options.json) printJson(result.question, ctx.io.stdout);
        else ctx.io.stdout(`answered ${row.key}: "${result.question.question}"\n`);
      });
    });

  ticket
    .command("history")
    .description("show every event of a ticket, oldest first")
    .argument("<key>", "ticket key, e.g. MC-42")
    .option("--json", "print JSON")
    .action(async (key: string, options: { json?: boolean }) => {
      await ctx.withDatabase(async (session) => {
        const row = await requireTicket(session, key);
        const events = await session.lifecycle.ticketHistory(row.id);
        if (options.json) return printJson(events, ctx.io.stdout);
        ctx.io.stdout(
          `${formatTable(
            ["at", "v", "from", "to", "reason", "actor", "attempt"],
            events.map((e) => [
              e.createdAt,
              e.version,
              e.fromState,
              e.toState,
              e.reason,
              `${e.actorKind}:${e.actorId}`,
              e.attemptId,
            ]),
          )}\n`,
        );
      });
    });

  ticket
    .command("cancel")
    .description("cancel a ticket that is not done (compare-and-set: refused if it changed meanwhile)")
    .argument("<key>", "ticket key, e.g. MC-42")
    .option("--reason <text>", "why (optional, as in `/mc cancel <reason>`), recorded in the event")
    .option("--actor <id>", "who is cancelling (default: $MCTL_ACTOR or your user name)")
    .option("--json", "print the ticket as JSON")
    .action(async (key: string, raw: Record<string, unknown>) => {
      const options = parseOptions(CancelOptions, raw);
      await ctx.withDatabase(async (session) => {
        const row = await requireTicket(session, key);
        const result = await session.lifecycle.transition({
          ticket: row.key,
          from: row.state,
          expectedVersion: row.version,
          to: "cancelled",
          reason: "cancelled",
          actor: { kind: "human", id: options.actor ?? session.environment.actorId },
          ...(options.reason === undefined ? {} : { detail: { note: options.reason } }),
        });
        if (!result.ok) throw failureToCliError(result);
        if (options.json) printJson(result.ticket, ctx.io.stdout);
        else ctx.io.stdout(`cancelled ${result.ticket.key} (was ${row.state})\n`);
      });
    });

  ticket
    .command("import")
    .description("create many tickets from a JSON Lines file (one ticket per line; - reads stdin)")
    .argument(
      "<file>",
      'JSON Lines: {"title", "repository", "body", "labels", "priority", "assignee", "campaign", "blockedBy"} per line',
    )
    .option("--batch-size <n>", "tickets per transaction (each batch is created whole or not at all)", "500")
    .option("--actor <id>", "who is creating them (default: $MCTL_ACTOR or your user name)")
    .option("--json", "print the created tickets' keys as JSON")
    .addHelpText(
      "after",
      "\nEvery line is checked before anything is written: one bad line imports nothing, and says which line." +
        "\nA line without repository takes $MCTL_REPOSITORY. Progress goes to stderr on a terminal.",
    )
    .action(async (file: string, raw: Record<string, unknown>) => {
      const options = parseOptions(ImportOptions, raw);
      await ctx.withDatabase(async ({ lifecycle, environment }) => {
        const text = await readImportFile(file);
        const lines = parseImportLines(text, environment.defaultRepository);
        const actor = { kind: "human" as const, id: options.actor ?? environment.actorId };
        const tty = process.stderr.isTTY === true;
        const created: { line: number; key: string }[] = [];
        for (let start = 0; start < lines.length; start += options.batchSize) {
          const batch = lines.slice(start, start + options.batchSize);
          const result = await lifecycle.createTickets(
            batch.map((l) => l.ticket),
            actor,
          );
          if (!result.ok) {
            if (tty) ctx.io.stderr("\n");
            throw new CliError(
              `lines ${batch[0]?.line}–${batch[batch.length - 1]?.line} were not imported: ${result.message}${
                created.length ? ` (the ${created.length} tickets before them were)` : ""
              }`,
              1,
              { code: "invalid_input", detail: { created, issues: result.issues } },
            );
          }
          created.push(...result.tickets.map((t, i) => ({ line: batch[i]?.line ?? 0, key: t.key })));
          if (tty) ctx.io.stderr(`\rimported ${created.length} of ${lines.length}`);
        }
        if (tty && lines.length) ctx.io.stderr("\n");
        if (options.json) return printJson(created, ctx.io.stdout);
        const first = created[0]?.key;
        const last = created[created.length - 1]?.key;
        ctx.io.stdout(
          created.length
            ? `imported ${created.length} ticket(s): ${first}${created.length > 1 ? ` … ${last}` : ""}\n`
            : "nothing to import\n",
        );
      });
    });

  return ticket;
}

interface CreateOptions {
  title: string;
  body: string;
  repo?: string;
  priority: string;
  label?: string[];
  assignee?: string;
  campaign?: string;
  blockedBy?: string[];
  actor?: string;
  json?: boolean;
}

const ListOptions = z.object({
  state: z.enum(TICKET_STATES).optional(),
  priority: PriorityWord.optional(),
  repo: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000),
  json: z.boolean().optional(),
});

/** A priority is read as `/mc priority` reads it: one schema, any case. */
const PriorityOption = z.object({ priority: PriorityWord });

/** The reason is the same notion as `/mc cancel <reason>`: optional, one schema for both. */
const CancelOptions = z.object({
  reason: ReasonText.optional(),
  actor: z.string().optional(),
  json: z.boolean().optional(),
});

async function requireTicket(session: DatabaseSession, key: string): Promise<TicketRow> {
  const parsed = TicketKeySchema.safeParse(key);
  if (!parsed.success) throw new CliError(parsed.error.issues[0]?.message ?? "bad ticket key", EXIT_USAGE);
  const row = await session.lifecycle.findTicket(parsed.data);
  if (!row) throw new CliError(`no ticket ${parsed.data}`);
  return row;
}

function describeTicket(t: TicketRow, status: TicketStatus): string {
  const lines: [string, unknown][] = [
    ["key", t.key],
    ["title", t.title],
    ["state", `${status.held && t.state === "todo" ? "held" : t.state} (version ${t.version})`],
    ...(status.held
      ? [
          [
            "held",
            `${status.held.reason}, ${status.held.attemptsUsed} of ${status.held.budget} attempts used`,
          ] as [string, unknown],
        ]
      : []),
    ...(status.backoffUntil
      ? [["back-off until", status.backoffUntil.toISOString()] as [string, unknown]]
      : []),
    ["priority", t.priority],
    ["repository", t.repository],
    ["issue", t.issueNumber ? `#${t.issueNumber}` : "not mirrored yet"],
    ["assignee", t.assignee ?? "-"],
    ["campaign", t.campaign ?? "-"],
    ["labels", t.labels.length ? t.labels.join(", ") : "-"],
    [
      "blocked by",
      status.blockedBy.length ? status.blockedBy.map((b) => `${b.key} (${b.state})`).join(", ") : "-",
    ],
    ["attempts", `${t.attemptCount} of ${status.attemptBudget} used`],
    ["current attempt", t.currentAttemptId ?? "-"],
    ["created", t.createdAt.toISOString()],
    ["updated", t.updatedAt.toISOString()],
    ["next step", status.next],
  ];
  const body = t.body ? `\n${t.body}\n` : "";
  return `${lines.map(([k, v]) => `${`${k}:`.padEnd(17)}${String(v)}`).join("\n")}\n${body}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
