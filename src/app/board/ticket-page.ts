import { z } from "zod";
import type {
  AttemptRow,
  EvidenceVerdictRow,
  InboxItemRow,
  TicketEventRow,
  TicketQuestionRow,
  TicketRow,
} from "../../db/schema.js";
import type { TicketLinks } from "./github-links.js";
import { type Html, html, safeHttpUrl } from "./html.js";
import { STATE_LABELS } from "./labels.js";
import { type RenderOptions, renderPage } from "./layout.js";
import { ageTag, timeTag } from "./time.js";

/** Everything the ticket page shows, read before rendering. */
export interface TicketView {
  readonly now: Date;
  readonly ticket: TicketRow;
  readonly attempts: readonly AttemptRow[];
  /** Oldest first. */
  readonly events: readonly TicketEventRow[];
  /** Oldest first; the last one is the current verdict. */
  readonly verdicts: readonly EvidenceVerdictRow[];
  readonly questions: readonly TicketQuestionRow[];
  readonly inbox: readonly InboxItemRow[];
  /** The ticket on GitHub: issue, evidence check run, workflow runs. */
  readonly links?: TicketLinks | undefined;
}

/** A stored criterion (JSON written by src/evidence): read leniently, shown as far as it is readable. */
const StoredCriterion = z.object({
  id: z.string(),
  title: z.string().optional(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  url: z.string().nullable().optional(),
});

const STATUS_SYMBOLS: Readonly<Record<string, string>> = { pass: "✓", fail: "✗", pending: "…" };
const DETAIL_MAX = 240;

export function renderTicketPage(view: TicketView, options: RenderOptions): string {
  const { ticket } = view;
  return renderPage({
    title: `${ticket.key} ${ticket.title} · Mission Control`,
    nonce: options.nonce,
    refreshSeconds: options.refreshSeconds,
    partial: options.partial,
    now: view.now,
    header: html`<p class="back"><a href="/board">← Board</a></p>
<h1><span class="key">${ticket.key}</span> ${ticket.title}</h1>`,
    main: html`<div data-refresh-region="ticket">
<div class="ticket-grid">
<div>
${summarySection(view)}
${descriptionSection(ticket)}
${questionsSection(view)}
</div>
<div>
${verdictSection(view)}
${attemptsSection(view)}
${inboxSection(view)}
</div>
</div>
${timelineSection(view)}
</div>`,
  });
}

/** Links back to GitHub (issue, evidence check run, each attempt's workflow run), or null for none. */
function githubLinks(links: TicketLinks | undefined): Html | null {
  if (!links) return null;
  const items: Html[] = [];
  const link = (href: string | null, text: string) => {
    const safe = safeHttpUrl(href);
    if (safe) items.push(html`<a href="${safe}" rel="noopener noreferrer">${text}</a>`);
  };
  link(links.issue, "issue");
  link(links.check_run, "evidence check run");
  for (const [i, run] of links.workflow_runs.entries()) link(run.url, `workflow run ${i + 1}`);
  return items.length ? html`${items.map((item, i) => (i ? html`, ${item}` : item))}` : null;
}

function summarySection({ ticket, now, links }: TicketView): Html {
  const rows: [string, Html | string][] = [
    ["State", html`<strong>${STATE_LABELS[ticket.state]}</strong> <code>${ticket.state}</code>`],
    ["Priority", html`<span class="badge prio-${ticket.priority}">${ticket.priority}</span>`],
    ["Assignee", ticket.assignee ?? "none"],
    ["Campaign", ticket.campaign ?? "none"],
    ["Repository", ticket.issueNumber ? `${ticket.repository} #${ticket.issueNumber}` : ticket.repository],
    ["Labels", ticket.labels.length ? ticket.labels.join(", ") : "none"],
    ["Blocked by", ticket.blockedBy.length ? ticket.blockedBy.join(", ") : "nothing"],
    ["Attempts", String(ticket.attemptCount)],
    ["Created", timeTag(ticket.createdAt, now)],
    ["Updated", timeTag(ticket.updatedAt, now)],
    ["Version", String(ticket.version)],
  ];
  const github = githubLinks(links);
  if (github) rows.push(["On GitHub", github]);
  if (ticket.hold) rows.push(["Held", html`<code>${ticket.hold}</code>`]);
  if (ticket.nextEligibleAt && ticket.nextEligibleAt > now)
    rows.push(["Not before", timeTag(ticket.nextEligibleAt, now)]);
  return html`<section class="section" aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
<dl class="summary">${rows.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}</dl>
</section>`;
}

function descriptionSection(ticket: TicketRow): Html {
  return html`<section class="section" aria-labelledby="description-heading">
<h2 id="description-heading">Description</h2>
${ticket.body.trim() ? html`<pre class="body">${ticket.body}</pre>` : html`<p class="empty">No description.</p>`}
</section>`;
}

function questionsSection({ questions, now }: TicketView): Html | null {
  if (!questions.length) return null;
  return html`<section class="section" aria-labelledby="questions-heading">
<h2 id="questions-heading">Questions</h2>
<ul class="plain" role="list">${questions.map(
    (q) => html`<li><div><strong>Q:</strong> ${q.question}</div>
<div class="meta">asked ${ageTag(q.askedAt, now)}</div>
${
  q.answer !== null
    ? html`<div><strong>A:</strong> ${q.answer}</div><div class="meta">by ${q.answeredBy ?? "someone"}${q.answeredAt ? html`, ${ageTag(q.answeredAt, now)}` : null}</div>`
    : html`<div class="meta">not answered yet</div>`
}</li>`,
  )}</ul>
</section>`;
}

function statusBadge(status: string): Html {
  const known = status === "pass" || status === "fail" || status === "pending";
  return html`<span class="badge ${known ? `status-${status}` : "prio-normal"}">${STATUS_SYMBOLS[status] ?? "?"} ${status}</span>`;
}

function attemptLabel(attempts: readonly AttemptRow[], attemptId: string | null): string {
  if (!attemptId) return "—";
  const attempt = attempts.find((a) => a.id === attemptId);
  return attempt ? `#${attempt.number}` : attemptId.slice(0, 8);
}

function verdictSection(view: TicketView): Html {
  const latest = view.verdicts.at(-1);
  if (!latest) {
    return html`<section class="section" aria-labelledby="verdict-heading">
<h2 id="verdict-heading">Evidence verdict</h2>
<p class="empty">No evidence verdict yet.</p>
</section>`;
  }
  const earlier = view.verdicts.slice(0, -1).reverse();
  return html`<section class="section" aria-labelledby="verdict-heading">
<h2 id="verdict-heading">Evidence verdict</h2>
<p>${statusBadge(latest.status)} ${latest.summary}</p>
<p class="meta">Attempt ${attemptLabel(view.attempts, latest.attemptId)}${
    latest.sha ? html`, commit <code>${latest.sha.slice(0, 12)}</code>` : null
  } in ${latest.repository}; evaluated ${ageTag(latest.evaluatedAt, view.now)}, last checked ${ageTag(latest.lastCheckedAt, view.now)}; ticket outcome <code>${latest.ticketOutcome}</code>.</p>
<div class="table-wrap"><table>
<caption>Criteria of the current verdict</caption>
<thead><tr><th scope="col">Criterion</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Details</th></tr></thead>
<tbody>${latest.criteria.map((criterion, i) => criterionRow(criterion, `criterion-${latest.id}-${i}`))}</tbody>
</table></div>
${
  earlier.length
    ? html`<div class="table-wrap"><table>
<caption>Earlier verdicts</caption>
<thead><tr><th scope="col">Evaluated</th><th scope="col">Attempt</th><th scope="col">Status</th><th scope="col">Summary</th></tr></thead>
<tbody>${earlier.map(
        (v) =>
          html`<tr><th scope="row">${ageTag(v.evaluatedAt, view.now)}</th><td>${attemptLabel(view.attempts, v.attemptId)}</td><td>${statusBadge(v.status)}</td><td>${v.summary}</td></tr>`,
      )}</tbody>
</table></div>`
    : null
}
</section>`;
}

/** One criterion as a table row; `linkId` keeps keyboard focus on its link across refreshes. */
function criterionRow(stored: unknown, linkId: string): Html {
  const parsed = StoredCriterion.safeParse(stored);
  if (!parsed.success)
    return html`<tr><th scope="row">unreadable</th><td>—</td><td>—</td><td><code>${clip(JSON.stringify(stored) ?? "")}</code></td></tr>`;
  const c = parsed.data;
  const url = safeHttpUrl(c.url);
  return html`<tr><th scope="row">${c.title ?? c.id}${c.title ? html` <code>${c.id}</code>` : null}</th><td>${statusBadge(c.status)}</td><td class="nowrap">${c.reason ? html`<code>${c.reason}</code>` : "—"}</td><td>${c.message ?? ""}${url ? html` <a id="${linkId}" href="${url}" rel="noreferrer">link</a>` : null}</td></tr>`;
}

function attemptsSection({ attempts, now }: TicketView): Html {
  return html`<section class="section" aria-labelledby="attempts-heading">
<h2 id="attempts-heading">Attempts</h2>
${
  attempts.length
    ? html`<div class="table-wrap"><table>
<caption class="visually-hidden">Attempts, oldest first</caption>
<thead><tr><th scope="col">#</th><th scope="col">Worker</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Heartbeat</th><th scope="col">Lease until</th><th scope="col">Outcome</th></tr></thead>
<tbody>${attempts.map((a) => {
        const reason = typeof a.outcome?.reason === "string" ? a.outcome.reason : null;
        return html`<tr><th scope="row">${a.number}</th><td>${a.worker}</td><td>${a.status}</td><td>${ageTag(a.createdAt, now)}</td><td>${a.heartbeatAt ? ageTag(a.heartbeatAt, now) : "none"}</td><td>${a.endedAt ? "ended" : ageTag(a.leaseExpiresAt, now)}</td><td class="nowrap">${reason ? html`<code>${reason}</code>` : "—"}${a.endedAt ? html` ${ageTag(a.endedAt, now)}` : null}</td></tr>`;
      })}</tbody>
</table></div>`
    : html`<p class="empty">No attempt yet.</p>`
}
</section>`;
}

function inboxSection({ inbox, now }: TicketView): Html | null {
  if (!inbox.length) return null;
  return html`<section class="section" aria-labelledby="inbox-heading">
<h2 id="inbox-heading">Inbox items</h2>
<div class="table-wrap"><table>
<caption class="visually-hidden">Inbox items about this ticket, oldest first</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Decision</th><th scope="col">Filed</th></tr></thead>
<tbody>${inbox.map((item) => {
    const decision = typeof item.result?.decision === "string" ? item.result.decision : null;
    return html`<tr><th scope="row">${item.id}</th><td><code>${item.kind}</code></td><td>${item.state} (${item.audience})</td><td>${decision ? html`<code>${decision}</code>` : "—"}</td><td>${ageTag(item.createdAt, now)}</td></tr>`;
  })}</tbody>
</table></div>
</section>`;
}

function timelineSection(view: TicketView): Html {
  return html`<section class="section" aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Timeline</h2>
<div class="table-wrap"><table>
<caption class="visually-hidden">Every change of the ticket, oldest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Change</th><th scope="col">Reason</th><th scope="col">Actor</th><th scope="col">Attempt</th><th scope="col">Detail</th></tr></thead>
<tbody>${view.events.map(
    (event) =>
      html`<tr><th scope="row" class="nowrap">${timeTag(event.createdAt, view.now)}</th><td class="nowrap">${event.fromState ? STATE_LABELS[event.fromState] : "created"} → ${STATE_LABELS[event.toState]}</td><td class="nowrap"><code>${event.reason}</code></td><td>${event.actorKind} <code>${event.actorId}</code></td><td>${attemptLabel(view.attempts, event.attemptId)}</td><td>${detailOf(event.detail)}</td></tr>`,
  )}</tbody>
</table></div>
</section>`;
}

function detailOf(detail: Record<string, unknown>): Html | string {
  if (!Object.keys(detail).length) return "—";
  return html`<code>${clip(JSON.stringify(detail))}</code>`;
}

function clip(text: string): string {
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX - 1)}…` : text;
}
