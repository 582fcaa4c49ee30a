import type { AttemptRow, InboxItemRow, TicketRow } from "../../db/schema.js";
import type { VerdictFacts } from "../../domain/evidence-override.js";
import type { Verifier } from "../../evidence/index.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import type { Command } from "./parse.js";

/** An inbox item of the ticket that waits for a decision (not yet `acted`). */
export type OpenItem = Pick<InboxItemRow, "id" | "kind">;

/** An attempt of the ticket: its id and its number within the ticket (1 for the first). */
export type AttemptRef = Pick<AttemptRow, "id" | "number">;

/** Everything `planCommand` decides from: read once, before the plan, by `gatherCommandFacts`. */
export interface CommandFacts {
  /** The commenter (a person: bots never get this far). */
  readonly login: string;
  /** The owner of the repository the comment is in: `/mc maintenance` acts on that owner's settings. */
  readonly owner: string;
  /** The ticket the issue mirrors; null when it mirrors none. */
  readonly ticket: TicketRow | null;
  /** The ticket's open inbox items, oldest first (empty without a ticket). */
  readonly openItems: readonly OpenItem[];
  /**
   * The ticket's attempts, by number, when the command names one by its number (`/mc done
   * attempt=2`), so the plan resolves it without a read; empty otherwise.
   */
  readonly attempts: readonly AttemptRef[];
  /** Whether `/mc done` can verify evidence here (the app runs without a verifier in some setups). */
  readonly verifierConfigured: boolean;
  /**
   * The latest evidence verdict of the ticket's current attempt, for `/mc approve` (null: none, or
   * not read for this command): accepting without a `pass` needs an explicit override.
   */
  readonly latestVerdict: VerdictFacts | null;
}

export interface FactsDeps {
  readonly lifecycle: Lifecycle;
  readonly verifier: Verifier | null;
}

/**
 * Reads the facts of a permitted command on an issue. Reads only: whatever changes between this read
 * and the plan's lifecycle call is caught there (compare-and-set on the ticket version, an inbox item
 * acted once), never written over.
 */
export async function gatherCommandFacts(
  deps: FactsDeps,
  where: { readonly repository: string; readonly issueNumber: number; readonly login: string },
  command?: Command,
): Promise<CommandFacts> {
  const { lifecycle } = deps;
  const ticket =
    (await lifecycle.issues.ticketByIssue({
      repository: where.repository,
      issueNumber: where.issueNumber,
    })) ?? null;
  const items = ticket ? await lifecycle.inbox.ofTicket(ticket.id) : [];
  const byNumber = ticket !== null && command?.name === "done" && typeof command.attempt === "number";
  const attempts = byNumber ? await lifecycle.attemptsOf(ticket.id) : [];
  const verdict =
    command?.name === "approve" && ticket?.currentAttemptId
      ? await lifecycle.evidence.latestVerdictOf(ticket.currentAttemptId)
      : undefined;
  return {
    login: where.login,
    owner: where.repository.split("/")[0] ?? "",
    ticket,
    openItems: items.filter((item) => item.state !== "acted").map(({ id, kind }) => ({ id, kind })),
    attempts: attempts.map(({ id, number }) => ({ id, number })),
    verifierConfigured: deps.verifier !== null,
    latestVerdict: verdict ? { status: verdict.status, criteria: verdict.criteria } : null,
  };
}
