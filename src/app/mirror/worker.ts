import type { Octokit } from "@octokit/rest";
import type { TicketRow } from "../../db/schema.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import {
  type Clock,
  type MirrorBatch,
  type PassReport,
  runQueuePass,
  type Store,
} from "../../store/index.js";
import { becameRunnable, type PromptDispatchConfig, promptDispatch } from "./prompt-dispatch.js";
import {
  mergeLabels,
  renderEventComment,
  renderIssue,
  ticketMarker,
  VIEW_NEUTRAL_REASONS,
} from "./render.js";
import { type MirrorRetry, retryDelayMs } from "./retry.js";

export interface MirrorDeps {
  /** The ticket side: read the batch's ticket, record its issue. */
  readonly issues: Pick<Lifecycle["issues"], "ticketById" | "linkIssue">;
  /** The outbox (a leased queue) and the prompt-dispatch slots. */
  readonly store: Pick<Store, "mirror" | "dispatchSlot">;
  readonly clock: Clock;
  /** An installation Octokit for a repository (`owner/name`). */
  readonly octokitFor: (repository: string) => Promise<Octokit>;
  readonly worker: string;
  readonly ticketLabel: string;
  readonly retry: MirrorRetry;
  readonly leaseMs: number;
  readonly batchLimit: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** Prompt dispatch when a mirrored change made a ticket runnable (off when absent). */
  readonly dispatch?: PromptDispatchConfig;
}

/**
 * One pass of the mirror: takes due batches (a ticket's pending events, oldest first), brings each
 * issue to the ticket's current state in one update, posts the events' comments in order, then
 * marks the batch done (`done` counts the events). A failure leaves the batch pending with
 * back-off; nothing is skipped.
 */
export function mirrorPass(deps: MirrorDeps): Promise<PassReport> {
  return runQueuePass({
    name: "mirror batch",
    queue: deps.store.mirror,
    worker: deps.worker,
    leaseMs: deps.leaseMs,
    batchLimit: deps.batchLimit,
    handle: (batch) => mirrorBatch(deps, batch),
    retryDelayMs: (tries, error) => retryDelayMs(deps.retry, tries, error),
    describe: (batch) => ({ ticketId: batch.ticketId }),
    log: deps.log,
  });
}

async function mirrorBatch(deps: MirrorDeps, batch: MirrorBatch): Promise<void> {
  const ticket = await deps.issues.ticketById(batch.ticketId);
  if (!ticket) throw new Error(`mirror: ticket ${batch.ticketId} vanished`);
  const events = await deps.store.mirror.events(batch);
  // Comments first, state last: a question is on the issue before the issue says `needs_input`.
  const comments = events.flatMap((event) => {
    const body = renderEventComment(ticket, event);
    return body ? [body] : [];
  });
  const runnable = deps.dispatch !== undefined && becameRunnable(ticket, events);
  // Nothing the issue shows changed: no issue request at all; the issue stays as the last batch left
  // it, which is what the ticket looks like now.
  const issueUpToDate =
    ticket.issueNumber !== null &&
    !batch.resumed &&
    comments.length === 0 &&
    events.every((event) => VIEW_NEUTRAL_REASONS.includes(event.reason));
  if (issueUpToDate && !runnable) return;
  const octokit = await deps.octokitFor(ticket.repository);
  if (!issueUpToDate) await mirrorIssue(deps, octokit, ticket, batch, comments);
  const dispatch = deps.dispatch;
  if (dispatch && runnable) {
    // Best effort: the scheduled dispatch still runs if this trigger is lost, so it never fails the batch.
    // The workflow lives in the owner's control repository (the app's installation there may differ).
    const target = dispatch.repositoryFor?.(ticket.repository) ?? ticket.repository;
    await (async () => {
      const dispatchOctokit = target === ticket.repository ? octokit : await deps.octokitFor(target);
      return promptDispatch(
        { slots: deps.store.dispatchSlot, clock: deps.clock, octokit: dispatchOctokit, config: dispatch },
        target,
      );
    })().catch((error: unknown) =>
      deps.log?.("prompt dispatch failed", { repository: target, error: String(error) }),
    );
  }
}

/** Brings the ticket's issue up to date: created if need be, the batch's comments posted, then its view. */
async function mirrorIssue(
  deps: MirrorDeps,
  octokit: Octokit,
  ticket: TicketRow,
  batch: MirrorBatch,
  comments: readonly string[],
): Promise<void> {
  const [owner = "", repo = ""] = ticket.repository.split("/");
  const view = renderIssue(ticket, deps.ticketLabel);
  const found =
    ticket.issueNumber === null ? await findOrCreateIssue(deps, octokit, ticket, batch, view) : null;
  const issueNumber = ticket.issueNumber ?? found?.number ?? 0;
  const where = { owner, repo, issue_number: issueNumber };
  // An issue created just now is the view already; any other is read for its labels and state.
  const issue = found?.created ? found.issue : (await octokit.rest.issues.get(where)).data;
  const labels = mergeLabels(
    issue.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean),
    view.labels,
  );
  if (comments.length) {
    // Only the app's own (bot) comments count: anyone can write a marker into a comment.
    const posted = batch.resumed
      ? (await octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 }))
          .filter((c) => c.user?.type === "Bot")
          .map((c) => c.body ?? "")
      : [];
    for (const body of comments) {
      const marker = body.split("\n")[0] ?? body;
      if (posted.some((text) => text.startsWith(marker))) continue;
      await octokit.rest.issues.createComment({ ...where, body });
    }
  }
  const unchanged =
    issue.title === view.title &&
    (issue.body ?? "") === view.body &&
    issue.state === view.state &&
    sameSet(
      labels,
      issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
    );
  if (!unchanged)
    await octokit.rest.issues.update({
      ...where,
      title: view.title,
      body: view.body,
      labels,
      state: view.state,
      ...(view.stateReason && view.state !== issue.state ? { state_reason: view.stateReason } : {}),
    });
}

type Issue = Awaited<ReturnType<Octokit["rest"]["issues"]["get"]>>["data"];

/**
 * The ticket's issue: created once. After a crash between creating it and recording its number
 * (`resumed`), the issue is looked up by the ticket's marker first, so a retry never makes a second one.
 * `created` says the issue was made from `view` just now (so it needs no read and no update).
 */
async function findOrCreateIssue(
  deps: MirrorDeps,
  octokit: Octokit,
  ticket: TicketRow,
  batch: MirrorBatch,
  view: ReturnType<typeof renderIssue>,
): Promise<{ number: number; created: true; issue: Issue } | { number: number; created: false }> {
  const [owner = "", repo = ""] = ticket.repository.split("/");
  if (batch.resumed) {
    const orphan = await findOrphanIssue(deps, octokit, ticket, batch);
    if (orphan !== undefined) return { number: await link(deps, ticket, orphan), created: false };
  }
  const { data } = await octokit.rest.issues.create({
    owner,
    repo,
    title: view.title,
    body: view.body,
    labels: [...view.labels],
  });
  const number = await link(deps, ticket, data.number);
  // Another worker linked a different issue meanwhile: that one is the ticket's, read it as any other.
  return number === data.number ? { number, created: true, issue: data } : { number, created: false };
}

/** How far GitHub's clock may be behind ours when the orphan is looked for by time. */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

/**
 * The issue an earlier try of `batch` created but did not record: an issue of the app (a bot) with
 * the ticket's marker, created after the batch was queued. Only issues updated since then (less a
 * margin for clock skew) are listed, newest first, and the listing stops at the first match, so a
 * resumed batch costs one page in the usual case instead of every issue the repository ever had.
 */
async function findOrphanIssue(
  deps: MirrorDeps,
  octokit: Octokit,
  ticket: TicketRow,
  batch: MirrorBatch,
): Promise<number | undefined> {
  const [owner = "", repo = ""] = ticket.repository.split("/");
  const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    state: "all",
    labels: deps.ticketLabel,
    since: new Date(batch.queuedAt.getTime() - CLOCK_SKEW_MS).toISOString(),
    sort: "created",
    direction: "desc",
    per_page: 100,
  });
  for await (const page of pages) {
    const orphan = page.data.find(
      (issue) => issue.user?.type === "Bot" && issue.body?.startsWith(ticketMarker(ticket.key)),
    );
    if (orphan) return orphan.number;
  }
  return undefined;
}

/** Records the issue of the ticket; the issue already recorded wins. */
async function link(deps: MirrorDeps, ticket: TicketRow, number: number): Promise<number> {
  const linked = await deps.issues.linkIssue({ ticketId: ticket.id, issueNumber: number });
  if (!linked.ok && linked.issueNumber !== null) return linked.issueNumber;
  return number;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
