import { Command, Option } from "commander";
import { z } from "zod";
import { GrantAttemptsWord, ReasonText } from "../../domain/command-words.js";
import { gateAcceptance } from "../../domain/evidence-override.js";
import {
  GRANT_ATTEMPTS_MAX,
  GRANT_ATTEMPTS_MIN,
  INBOX_DECISIONS,
  INBOX_KINDS,
  INBOX_STATES,
  type InboxKind,
  type InboxState,
  NO_EFFECT,
  effectOf,
  moreAttempts,
} from "../../domain/inbox.js";
import type { InboxItemView, StoredResult } from "../../lifecycle/index.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { formatTable, printJson } from "../output.js";
import { failureToCliError, parseOptions } from "../parse.js";

/** Acted items counted for the "hidden" note at most (more are "more than" this many). */
const ACTED_COUNT_LIMIT = 1000;

function hiddenNote(count: number): string {
  const many = count > ACTED_COUNT_LIMIT ? `more than ${ACTED_COUNT_LIMIT}` : String(count);
  return `${many} acted item${count === 1 ? "" : "s"} hidden; \`mctl inbox list --state all\` shows ${count === 1 ? "it" : "them"}`;
}

const ItemId = z.coerce.number().int().positive();

const ListOptions = z.object({
  state: z.enum([...INBOX_STATES, "open", "all"]),
  kind: z.enum(INBOX_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000),
  json: z.boolean().optional(),
});

const NextOptions = z.object({
  actor: z.string().trim().min(1).max(200).optional(),
  kind: z.enum(INBOX_KINDS).optional(),
  leaseSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional(),
  json: z.boolean().optional(),
});

const ActOptions = z
  .object({
    id: ItemId,
    decision: z.enum(INBOX_DECISIONS),
    note: z.string().max(2000).default(""),
    actor: z.string().trim().min(1).max(200).optional(),
    // The same count as `/mc retry 3`: one schema, one message.
    attempts: GrantAttemptsWord.optional(),
    // The same reason as `/mc approve override <reason>`: one schema, one message.
    override: ReasonText.optional(),
    json: z.boolean().optional(),
  })
  .superRefine((options, ctx) => {
    if (options.override !== undefined && options.decision !== "accept")
      ctx.addIssue({
        code: "custom",
        path: ["override"],
        message: `only goes with --decision accept, not ${options.decision}`,
      });
    if (options.attempts !== undefined && options.decision !== "grant_attempts")
      ctx.addIssue({
        code: "custom",
        path: ["attempts"],
        message: `only goes with --decision grant_attempts, not ${options.decision}`,
      });
  });

export function inboxCommand(ctx: CliContext): Command {
  const inbox = new Command("inbox").description(
    "the orchestrator inbox: list, show, take the next item, act on an item",
  );

  inbox
    .command("list")
    .description("inbox items, oldest first (default: the open ones, pending or delivered)")
    .addOption(
      new Option("--state <state>", "which items").choices([...INBOX_STATES, "open", "all"]).default("open"),
    )
    .addOption(new Option("--kind <kind>", "only items of this kind").choices(INBOX_KINDS))
    .option("--limit <n>", "at most this many (1–1000)", "100")
    .option("--json", "print JSON")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(ListOptions, raw);
      const states: InboxState[] =
        options.state === "all" ? [] : options.state === "open" ? ["pending", "delivered"] : [options.state];
      await ctx.withDatabase(async ({ lifecycle }) => {
        const items = await lifecycle.inbox.list({ states, kind: options.kind, limit: options.limit });
        if (options.json) return printJson(items, ctx.io.stdout);
        // Acted items are left out by default; say so, or an empty list looks like nothing happened.
        const hidden = states.length && !states.includes("acted") ? await countActed(options.kind) : 0;
        const note = hidden ? hiddenNote(hidden) : "";
        if (!items.length)
          return ctx.io.stdout(
            `no ${options.state === "all" ? "" : `${options.state} `}inbox items${note ? `; ${note}` : ""}\n`,
          );
        ctx.io.stdout(
          `${formatTable(
            ["id", "kind", "ticket", "state", "for", "deliveries", "created", "decision"],
            items.map((i) => [
              i.id,
              i.kind,
              i.ticketKey,
              i.state,
              i.audience,
              i.deliveryCount,
              i.createdAt,
              (i.result as { decision?: string } | null)?.decision,
            ]),
          )}\n${note ? `(${note})\n` : ""}`,
        );
        async function countActed(kind: InboxKind | undefined): Promise<number> {
          return (await lifecycle.inbox.list({ states: ["acted"], kind, limit: ACTED_COUNT_LIMIT + 1 }))
            .length;
        }
      });
    });

  inbox
    .command("show")
    .description("one item with its payload and result")
    .argument("<id>", "inbox item id")
    .option("--json", "print JSON")
    .action(async (id: string, options: { json?: boolean }) => {
      const itemId = parseOptions(z.object({ id: ItemId }), { id }).id;
      await ctx.withDatabase(async ({ lifecycle }) => {
        const item = await lifecycle.inbox.find(itemId);
        if (!item) throw new CliError(`no inbox item ${itemId}`);
        if (options.json) return printJson(item, ctx.io.stdout);
        ctx.io.stdout(describeItem(item));
      });
    });

  inbox
    .command("next")
    .description("take the next item waiting for a person (delivered to you with a lease)")
    .option("--actor <name>", "who takes it (default: $MCTL_ACTOR or your user name)")
    .addOption(new Option("--kind <kind>", "only items of this kind").choices(INBOX_KINDS))
    .option("--lease-seconds <n>", "how long it is yours (default: orchestrator.delivery_lease_seconds)")
    .option("--json", "print JSON (null when nothing waits)")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(NextOptions, raw);
      const config = await ctx.config();
      await ctx.withDatabase(async ({ lifecycle, environment }) => {
        const [item] = await lifecycle.inbox.deliver({
          audience: "person",
          holder: options.actor ?? environment.actorId,
          leaseMs: (options.leaseSeconds ?? config.orchestrator.delivery_lease_seconds) * 1000,
          limit: 1,
          ...(options.kind ? { kinds: [options.kind] } : {}),
        });
        const view = item ? await lifecycle.inbox.find(item.id) : undefined;
        if (options.json) return printJson(view ?? null, ctx.io.stdout);
        ctx.io.stdout(view ? describeItem(view) : "nothing waits for a person\n");
      });
    });

  inbox
    .command("act")
    .description("decide an item: applies the ticket change and records the result, in one transaction")
    .argument("<id>", "inbox item id")
    .addOption(
      new Option("--decision <decision>", "what you decide").choices(INBOX_DECISIONS).makeOptionMandatory(),
    )
    .option("--note <text>", "why (recorded with the result)", "")
    .option("--actor <name>", "who decides (default: $MCTL_ACTOR or your user name)")
    .option(
      "--attempts <n>",
      `with --decision grant_attempts: attempts to add, ${GRANT_ATTEMPTS_MIN}–${GRANT_ATTEMPTS_MAX} (default 1)`,
    )
    .option(
      "--override <reason>",
      "with --decision accept: accept although the latest evidence verdict is not pass (recorded as evidence_overridden)",
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nAccepting needs a passing evidence verdict; without one it is refused with the criteria not met,\n" +
        "unless --override <reason> says why (the transition is then evidence_overridden, its note the reason).\n" +
        "\nThe ticket change follows from the decision and the ticket's state: accept → done (or approved from in_review),\n" +
        "accept_for_review → in_review, reject → todo, cancel → cancelled, retry → release a hold, hold → hold a todo ticket,\n" +
        "grant_attempts → more attempts for a ticket held after max_attempts (max_attempts_reached items; --attempts N,\n" +
        "default 1) and its hold released, dismiss → nothing. Acting on an item someone else decided already changes\n" +
        "nothing, says who decided what, and exits 1 (already_decided); repeating your own decision prints it again (exit 0).",
    )
    .action(async (id: string, raw: Record<string, unknown>) => {
      const options = parseOptions(ActOptions, { ...raw, id });
      await ctx.withDatabase(async ({ lifecycle, environment }) => {
        const item = await lifecycle.inbox.find(options.id);
        if (!item) throw new CliError(`no inbox item ${options.id}`);
        // An item acted on already answers with its first result, whatever is decided now.
        const facts = await lifecycle.inbox.factsOf(item);
        const effect =
          item.state === "acted"
            ? { ok: true as const, effect: NO_EFFECT }
            : effectOf(options.decision, facts.ticket);
        if (!effect.ok) throw new CliError(`decision_not_applicable: ${effect.message}`);
        let transition = effect.effect.transition;
        let note = options.note;
        if (item.state !== "acted" && options.decision === "accept" && transition && item.ticketKey) {
          // Accepting stands on the evidence, as `/mc approve` does (src/domain/evidence-override.ts).
          const ticket = await lifecycle.findTicket(item.ticketKey);
          const verdict = ticket?.currentAttemptId
            ? await lifecycle.evidence.latestVerdictOf(ticket.currentAttemptId)
            : undefined;
          const gate = gateAcceptance(item.ticketKey, verdict ?? null, options.override);
          if (gate.kind === "refused")
            throw new CliError(
              `evidence_not_passing: ${gate.message}; pass --override <reason> to accept it anyway (recorded as an evidence override)`,
              1,
              { code: "evidence_not_passing", detail: { unmet: gate.unmet } },
            );
          if (gate.kind === "overridden") {
            transition = { ...transition, reason: "evidence_overridden" };
            note = [options.note, gate.message].filter(Boolean).join("; ");
          }
        }
        const acted = await lifecycle.inbox.act({
          itemId: item.id,
          result: {
            // (for an acted item, `dismiss` is only a well-formed request: the first result is returned)
            decision: item.state === "acted" ? "dismiss" : options.decision,
            transition,
            hold: effect.effect.hold,
            actor: { kind: "human", id: options.actor ?? environment.actorId },
            note,
            attempts:
              item.state !== "acted" && options.decision === "grant_attempts"
                ? (options.attempts ?? 1)
                : null,
          },
        });
        if (!acted.ok) throw failureToCliError(acted);
        const r = acted.result;
        const change = describeChange(item.ticketKey, r);
        const actor = options.actor ?? environment.actorId;
        // Someone else decided first (or the same person decided differently): nothing this person
        // asked for happened, which is a refusal, not a success that prints someone else's result.
        if (acted.replayed && (r.actor.id !== actor || r.decision !== options.decision))
          throw new CliError(
            `already_decided: inbox item ${item.id} was already decided by ${r.actor.kind}:${r.actor.id}${acted.item.actedAt ? ` at ${acted.item.actedAt.toISOString()}` : ""} (${r.decision}, ${change}); nothing was changed by your ${options.decision}`,
            1,
            { code: "already_decided", detail: { item: acted.item, result: r } },
          );
        if (options.json)
          return printJson(
            { replayed: acted.replayed, item: acted.item, result: acted.result },
            ctx.io.stdout,
          );
        ctx.io.stdout(
          acted.replayed
            ? `inbox item ${item.id} was already acted on by ${r.actor.kind}:${r.actor.id} (${r.decision}, ${change}); that result stands, nothing changed\n`
            : `acted on inbox item ${item.id}: ${r.decision} (${change})\n`,
        );
      });
    });
  return inbox;
}

/** The ticket change of a result, in a few words. */
function describeChange(ticketKey: string | null, r: StoredResult): string {
  const grant = r.applied?.grant;
  if (r.decision === "grant_attempts" && grant)
    return `${ticketKey}: ${moreAttempts(r.attempts ?? 0)} granted, ${grant.attemptsUsed} of ${grant.budget} used; hold released`;
  if (r.transition) return `${ticketKey}: ${r.transition.from} → ${r.transition.to}`;
  if (r.hold) return `${ticketKey}: hold ${r.hold}`;
  return "no ticket change";
}

function describeItem(item: InboxItemView): string {
  const lines: [string, unknown][] = [
    ["item", item.id],
    ["kind", item.kind],
    ["ticket", item.ticketKey ?? "-"],
    ["attempt", item.attemptId ?? "-"],
    ["state", item.state],
    ["for", item.audience],
    [
      "delivered",
      item.deliveredTo
        ? `${item.deliveryCount}×, last to ${item.deliveredTo} until ${item.leaseExpiresAt?.toISOString() ?? "-"}`
        : `${item.deliveryCount}×`,
    ],
    ["handed over", item.handoverNote ?? "-"],
    ["payload", JSON.stringify(item.payload)],
    ["result", item.result ? JSON.stringify(item.result) : "-"],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return `${lines.map(([k, v]) => `${k.padEnd(width)}  ${String(v)}`).join("\n")}\n`;
}
