import type { AlertRow, DispatchCycleRow } from "../../db/schema.js";
import { isLiveAttempt } from "../../domain/attempts.js";
import type { BoardCard, BoardColumn, InboxItemView, TaskSettingView } from "../../lifecycle/index.js";
import { type CycleGroup, describeRepeat, groupCycles } from "./cycle-groups.js";
import { type Html, html, pathSegment } from "./html.js";
import { STATE_LABELS } from "./labels.js";
import { type RenderOptions, renderPage } from "./layout.js";
import { ageTag } from "./time.js";

/** Everything the board page shows, read before rendering (rendering does no I/O). */
export interface BoardView {
  readonly now: Date;
  /** The signed-in person's login (a sign-out link is shown), or null. */
  readonly signedInAs?: string | null | undefined;
  readonly filter: {
    readonly state?: string | undefined;
    readonly repository?: string | undefined;
    readonly priority?: string | undefined;
    readonly assignee?: string | undefined;
    readonly campaign?: string | undefined;
  };
  readonly columns: readonly BoardColumn[];
  /** Open inbox items (pending or delivered), oldest first. */
  readonly inbox: readonly InboxItemView[];
  readonly inboxLimit: number;
  /** Open alerts, most recently seen first. */
  readonly alerts: readonly AlertRow[];
  readonly alertsLimit: number;
  /** The last dispatch cycles, newest first (repeats are grouped when shown). */
  readonly cycles: readonly DispatchCycleRow[];
  /** Groups of cycles shown at most. */
  readonly cycleGroupsShown?: number;
  readonly tasks: readonly TaskSettingView[];
}

/** Decisions listed per dispatch cycle; the rest are counted (the whole record is in the JSON API). */
const DECISIONS_SHOWN = 8;

export function ticketHref(key: string): string {
  return `/board/tickets/${pathSegment(key)}`;
}

export function renderBoardPage(view: BoardView, options: RenderOptions): string {
  const total = view.columns.reduce((sum, c) => sum + c.total, 0);
  return renderPage({
    title: `Board (${total} tickets) · Mission Control`,
    nonce: options.nonce,
    refreshSeconds: options.refreshSeconds,
    partial: options.partial,
    now: view.now,
    header: html`<h1>Mission Control board</h1>
${view.signedInAs ? html`<p class="signed-in">Signed in as ${view.signedInAs} · <a href="/logout">Sign out</a></p>` : null}
${filterForm(view.filter)}`,
    main: html`${filterSummary(view.filter)}
<div data-refresh-region="notices">${pausedNotices(view.tasks)}</div>
<div class="columns" data-refresh-region="columns">
${view.columns.map((column) => renderColumn(column, view.now))}
</div>
<div class="panels" data-refresh-region="panels">
${inboxPanel(view)}
${alertsPanel(view)}
${cyclesPanel(view)}
</div>`,
  });
}

function filterForm(filter: BoardView["filter"]): Html {
  return html`<form class="filters" role="search" aria-label="Filter tickets" method="get" action="/board">
<label for="filter-assignee">Assignee</label>
<input id="filter-assignee" name="assignee" type="text" maxlength="200" autocomplete="off" value="${filter.assignee ?? ""}">
<label for="filter-campaign">Campaign</label>
<input id="filter-campaign" name="campaign" type="text" maxlength="200" autocomplete="off" value="${filter.campaign ?? ""}">
${(["state", "repository", "priority"] as const).map((name) => (filter[name] ? html`<input type="hidden" name="${name}" value="${filter[name]}">` : null))}
<button type="submit">Filter</button>
${Object.values(filter).some(Boolean) ? html`<a class="button" href="/board">Clear</a>` : null}
</form>`;
}

function filterSummary(filter: BoardView["filter"]): Html | null {
  const parts = [
    filter.state ? html`in state <strong>${filter.state}</strong>` : null,
    filter.repository ? html`of <strong>${filter.repository}</strong>` : null,
    filter.priority ? html`of priority <strong>${filter.priority}</strong>` : null,
    filter.assignee ? html`assigned to <strong>${filter.assignee}</strong>` : null,
    filter.campaign ? html`in campaign <strong>${filter.campaign}</strong>` : null,
  ].filter((p): p is Html => p !== null);
  if (!parts.length) return null;
  return html`<p class="filter-summary">Showing tickets ${parts.map((p, i) => html`${i ? " and " : ""}${p}`)}. The inbox, alerts and dispatch panels are not filtered.</p>`;
}

function pausedNotices(tasks: readonly TaskSettingView[]): Html[] {
  return tasks
    .filter((t) => !t.enabled)
    .map(
      (t) =>
        html`<p class="notice"><strong>${t.task}</strong> is paused${t.changedBy ? html` by ${t.changedBy}` : null}${t.reason ? html`: ${t.reason}` : null}.</p>`,
    );
}

function renderColumn(column: BoardColumn, now: Date): Html {
  const id = `column-${column.state}`;
  const label = STATE_LABELS[column.state];
  const hidden = column.total - column.cards.length;
  return html`<section class="column column-${column.state}" aria-labelledby="${id}">
<h2><span id="${id}">${label}</span> <span class="count">${column.total}<span class="visually-hidden"> ${column.total === 1 ? "ticket" : "tickets"}</span></span></h2>
${
  column.cards.length
    ? html`<ol class="cards" role="list">${column.cards.map((card) => renderCard(card, now))}</ol>`
    : html`<p class="empty">No tickets</p>`
}
${
  hidden > 0
    ? html`<p class="more">${hidden} more not shown: <a id="more-${column.state}" href="/api/v1/tickets?state=${column.state}">all as JSON</a></p>`
    : null
}
</section>`;
}

function renderCard({ ticket, attempt }: BoardCard, now: Date): Html {
  const notes: Html[] = [];
  if (ticket.hold) notes.push(html`Held: <code>${ticket.hold}</code>`);
  if (ticket.state === "todo" && ticket.blockedBy.length)
    notes.push(html`Blocked by ${ticket.blockedBy.join(", ")}`);
  if (ticket.state === "todo" && ticket.nextEligibleAt && ticket.nextEligibleAt > now)
    notes.push(html`Retry ${ageTag(ticket.nextEligibleAt, now)}`);
  if (!attempt && ticket.attemptCount > 0)
    notes.push(html`${ticket.attemptCount} ${ticket.attemptCount === 1 ? "attempt" : "attempts"} so far`);
  return html`<li class="card">
<h3><a id="card-${ticket.key}" href="${ticketHref(ticket.key)}"><span class="key">${ticket.key}</span> <span class="title">${ticket.title}</span></a></h3>
<dl class="facts">
<div><dt class="visually-hidden">Priority</dt><dd><span class="badge prio-${ticket.priority}">${ticket.priority}</span></dd></div>
<div><dt>Assignee</dt><dd>${ticket.assignee ?? "none"}</dd></div>
${ticket.campaign ? html`<div><dt>Campaign</dt><dd>${ticket.campaign}</dd></div>` : null}
${attempt ? attemptFacts(attempt, now) : null}
</dl>
${notes.map((note) => html`<p class="note">${note}</p>`)}
</li>`;
}

function attemptFacts(attempt: NonNullable<BoardCard["attempt"]>, now: Date): Html {
  const live = isLiveAttempt(attempt.status);
  const expired = live && attempt.leaseExpiresAt <= now;
  return html`<div><dt>Attempt</dt><dd>#${attempt.number} ${attempt.status}</dd></div>
<div><dt>Heartbeat</dt><dd>${attempt.heartbeatAt ? ageTag(attempt.heartbeatAt, now) : "none yet"}${expired ? html` <span class="warn">lease expired</span>` : null}</dd></div>`;
}

function inboxPanel(view: BoardView): Html {
  const items = view.inbox;
  return html`<section class="panel" aria-labelledby="inbox-heading">
<h2 id="inbox-heading">Inbox <span class="count">(${items.length}${items.length >= view.inboxLimit ? "+" : ""} open)</span></h2>
${
  items.length
    ? html`<ul class="plain" role="list">${items.map(
        (item) => html`<li><code>${item.kind}</code> ${
          item.ticketKey
            ? html`<a id="inbox-${item.id}-ticket" href="${ticketHref(item.ticketKey)}">${item.ticketKey}</a>`
            : null
        }
<div class="meta">${item.state}, for ${item.audience}, filed ${ageTag(item.createdAt, now(view))}${
          item.handoverNote ? html` — handed over: ${item.handoverNote}` : null
        }</div></li>`,
      )}</ul>`
    : html`<p class="empty">Nothing waits for a decision.</p>`
}
</section>`;
}

function alertsPanel(view: BoardView): Html {
  const alerts = view.alerts;
  return html`<section class="panel" aria-labelledby="alerts-heading">
<h2 id="alerts-heading">Open alerts <span class="count">(${alerts.length}${alerts.length >= view.alertsLimit ? "+" : ""})</span></h2>
${
  alerts.length
    ? html`<ul class="plain" role="list">${alerts.map(
        (
          alert,
        ) => html`<li><span class="badge ${alert.severity === "critical" ? "status-fail" : "status-pending"}">${alert.severity}</span> <code>${alert.condition}</code> ${alert.subject}
<div>${alert.message}</div>
<div class="meta">open since ${ageTag(alert.openedAt, now(view))}, last seen ${ageTag(alert.lastSeenAt, now(view))}, seen ${alert.seenCount}×${
          alert.recurrence ? html`, came back ${alert.recurrence}×` : null
        }</div></li>`,
      )}</ul>`
    : html`<p class="empty">No open alerts.</p>`
}
</section>`;
}

function cyclesPanel(view: BoardView): Html {
  const cycles = groupCycles(view.cycles).slice(0, view.cycleGroupsShown ?? Number.POSITIVE_INFINITY);
  return html`<section class="panel" aria-labelledby="cycles-heading">
<h2 id="cycles-heading">Last dispatch cycles</h2>
${
  cycles.length
    ? html`<ul class="plain" role="list">${cycles.map((cycle) => renderCycle(cycle, now(view)))}</ul>`
    : html`<p class="empty">No dispatch cycle has run yet.</p>`
}
</section>`;
}

function renderCycle(group: CycleGroup, at: Date): Html {
  const cycle = group.latest;
  const lines = group.lines;
  const shown = lines.slice(0, DECISIONS_SHOWN);
  const rest = lines.length - shown.length;
  return html`<li><strong>${cycle.outcome}</strong>${cycle.dryRun ? " (dry run)" : null} ${ageTag(cycle.finishedAt, at)} <span class="meta">by ${cycle.holder}</span>${
    group.count > 1 ? html` <span class="meta repeat">(${describeRepeat(group)})</span>` : null
  }
${
  shown.length
    ? html`<ul class="decisions">${shown.map(
        (line, i) =>
          html`<li><code>${line.code}</code>${
            line.ticket
              ? html` <a id="cycle-${cycle.id}-${i}" href="${ticketHref(line.ticket)}">${line.ticket}</a>`
              : null
          }${line.detail ? html` <span class="meta">${line.detail}</span>` : null}</li>`,
      )}</ul>`
    : html`<div class="meta">no decisions</div>`
}
${rest > 0 ? html`<div class="meta">and ${rest} more decisions</div>` : null}</li>`;
}

const now = (view: BoardView) => view.now;
