import { describe, expect, it } from "vitest";
import { escapeHtml, html, safeHttpUrl } from "../../src/app/board/html.js";
import { decisionLine } from "../../src/app/board/labels.js";
import { PALETTE, TEXT_PAIRS } from "../../src/app/board/styles.js";
import { relativeAge } from "../../src/app/board/time.js";
import { TICKET_STATES, type TicketState } from "../../src/domain/ticket-states.js";
import { createLifecycle, systemClock } from "../../src/lifecycle/index.js";
import { givenTicket } from "../builders/tickets.js";
import { describePostgres } from "../helpers/databases.js";
import { boardApp, givenBoardScene } from "./support/board.js";
import { givenNeedsInput } from "./support/tickets.js";

interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

async function get(base: string, path: string, init: RequestInit = {}): Promise<Page> {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** The keys of the ticket cards in each column, read from the markup the board renders. */
function columnsOf(body: string): [string, string[]][] {
  const sections = body.matchAll(
    /<section class="column column-(\w+)" aria-labelledby="column-\1">([\s\S]*?)<\/section>/g,
  );
  return [...sections].map(([, state = "", inner = ""]) => [
    state,
    [...inner.matchAll(/<a id="card-([A-Z0-9]+-\d+)"/g)].map((m) => m[1] ?? ""),
  ]);
}

/** The inner markup of one card. */
function cardOf(body: string, key: string): string {
  const start = body.indexOf(`<a id="card-${key}"`);
  expect(start, `card ${key}`).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf("</li>", start));
}

function expectSecureHtml(page: Page) {
  expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(page.headers.get("cache-control")).toBe("no-store");
  expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  const csp = page.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).toContain(`style-src 'nonce-${nonce}'`);
  // Every inline style and script carries this response's nonce; nothing else is inline.
  const styles = [...page.body.matchAll(/<style([^>]*)>/g)].map((m) => m[1]);
  const scripts = [...page.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  for (const attributes of [...styles, ...scripts]) expect(attributes).toBe(` nonce="${nonce}"`);
  expect(page.body).not.toMatch(/<[^>]*\s(style|on[a-z]+)=/i);
  return { nonce, styles: styles.length, scripts: scripts.length };
}

/**
 * The board and ticket pages over real HTTP, on the app's server as the harness starts it. The
 * pages only read, so one app and one scene serve every test (PGlite, to keep the file fast; the
 * board's own query also runs on PostgreSQL below).
 */
describe("board page [pglite]", () => {
  const board = boardApp();

  it("shows each ticket in its state's column, columns in the state machine's order, with secure headers", async () => {
    const page = await get(board.base, "/board");
    expect(page.status).toBe(200);
    expect(expectSecureHtml(page)).toMatchObject({ styles: 1, scripts: 1 });
    const columns = columnsOf(page.body);
    expect(columns.map(([state]) => state)).toEqual([...TICKET_STATES]);
    for (const [state, keys] of columns)
      expect(new Set(keys), state).toEqual(new Set(board.scene.byState[state as TicketState]));
    // Open columns in pick order: the high-priority person's ticket before the normal blocked one.
    expect(Object.fromEntries(columns).todo).toEqual(board.scene.byState.todo);

    const running = cardOf(page.body, board.scene.running.key);
    expect(running).toContain("Refactor the dispatcher");
    expect(running).toContain("urgent");
    expect(running).toContain("#1 running");
    expect(running).toMatch(/Heartbeat<\/dt><dd><time datetime="[^"]+Z" title="[^"]+ UTC">/);
    expect(cardOf(page.body, board.scene.byState.todo[1] ?? "")).toContain(
      `Blocked by ${board.scene.assigned.key}`,
    );
  });

  it("has panels for the open inbox items, open alerts and the last dispatch cycles with reason codes", async () => {
    const { body } = await get(board.base, "/board");
    const panel = (id: string) =>
      body.slice(
        body.indexOf(`aria-labelledby="${id}"`),
        body.indexOf("</section>", body.indexOf(`aria-labelledby="${id}"`)),
      );
    const inbox = panel("inbox-heading");
    expect(inbox).toContain('Inbox <span class="count">(1 open)</span>');
    expect(inbox).toContain("<code>completion_verified</code>");
    expect(inbox).toContain(`>${board.scene.byState.verifying[1]}</a>`);
    const alerts = panel("alerts-heading");
    expect(alerts).toContain("<code>needs_input_unanswered</code>");
    expect(alerts).toContain("has waited for an answer too long");
    const cycles = panel("cycles-heading");
    expect(cycles).toContain("<strong>completed</strong>");
    expect(cycles).toMatch(
      new RegExp(
        `<code>skipped_policy</code> <a [^>]+>${board.scene.assigned.key}</a> <span class="meta">assigned_to_human</span>`,
      ),
    );
    expect(cycles).toContain("<code>blocked</code>");
  });

  it("ticket page: summary, attempts, the verdict's criteria and the timeline with actor, reason and time", async () => {
    const page = await get(board.base, `/board/tickets/${board.scene.verifying.key.toLowerCase()}`);
    expect(page.status).toBe(200);
    expectSecureHtml(page);
    const { body } = page;
    expect(body).toContain(
      `<h1><span class="key">${board.scene.verifying.key}</span> Ship the board page</h1>`,
    );
    // The verdict table: one row per criterion, with its status and reason code.
    expect(body).toContain("pending: 2 pass, 1 pending (check:build)");
    const rows = [
      ...body.matchAll(
        /<tr><th scope="row">([^<]+)(?:<code>[^<]*<\/code>)?<\/th><td><span class="badge status-(\w+)">[^<]*<\/span><\/td><td class="nowrap"><code>(\w+)<\/code>/g,
      ),
    ];
    expect(rows.map((m) => [m[1]?.trim(), m[2], m[3]])).toEqual([
      ["attempt is current and valid", "pass", "current_attempt"],
      ["commit exists", "pass", "commit_found"],
      ["check run build", "pending", "check_missing"],
    ]);
    expect(body).toMatch(
      /<a id="criterion-\d+-1" href="https:\/\/github\.com\/acme\/widgets\/commit\/aaaaaaa" rel="noreferrer">link<\/a>/,
    );
    expect(body).not.toContain("javascript:"); // a stored link that is not http(s) is dropped
    // The timeline: every event, oldest first, with its reason code and actor.
    const history = await board.app.lifecycle.ticketHistory(board.scene.verifying.id);
    const timeline = body.slice(body.indexOf('aria-labelledby="timeline-heading"'));
    const reasons = [
      ...timeline.matchAll(/<td class="nowrap"><code>(\w+)<\/code><\/td><td>(\w+) <code>([^<]+)<\/code>/g),
    ];
    expect(reasons.map((m) => [m[1], m[2], m[3]])).toEqual(
      history.map((e) => [e.reason, e.actorKind, e.actorId]),
    );
    expect(reasons.map((m) => m[1])).toEqual(["created", "claimed", "completion_claimed"]);
    expect(timeline.match(/<th scope="row" class="nowrap"><time datetime="/g)).toHaveLength(history.length);
    // Attempts: number, worker, status and how it ended.
    expect(body).toMatch(/<tr><th scope="row">1<\/th><td>agent<\/td><td>completed<\/td>/);
    expect(body).toContain("<code>completion_claimed</code>");
  });

  it("filters by assignee and campaign (validated); empty fields mean no filter", async () => {
    const keysOf = async (query: string) =>
      columnsOf((await get(board.base, `/board${query}`)).body)
        .flatMap(([, keys]) => keys)
        .sort();
    const all = (await board.app.lifecycle.listTickets({ limit: 1000 })).map((t) => t.key).sort();
    expect(all).toEqual(expect.arrayContaining(Object.values(board.scene.byState).flat()));
    expect(await keysOf("")).toEqual(all);
    expect(await keysOf("?assignee=&campaign=")).toEqual(all);
    expect(await keysOf("?assignee=ana")).toEqual([board.scene.assigned.key]);
    expect(await keysOf("?campaign=spring")).toEqual(
      [board.scene.assigned.key, board.scene.running.key].sort(),
    );
    expect(await keysOf("?campaign=spring&assignee=bo")).toEqual([]);
    const filtered = await get(board.base, "/board?assignee=ana");
    expect(filtered.body).toContain('value="ana"');
    expect(filtered.body).toContain("Showing tickets assigned to <strong>ana</strong>");
    // Every column is still there, counting what matches.
    expect(columnsOf(filtered.body).map(([state]) => state)).toEqual([...TICKET_STATES]);
  });

  it("escapes every value: a hostile title, body, assignee, question and filter stay text", async () => {
    const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)> **bold** ünïcödé 🚀 & 'q'`;
    const ticket = await givenTicket(board.app.lifecycle, {
      title: hostile,
      body: `</pre><script>alert(2)</script>`,
      assignee: `"><script>alert(3)</script>`,
      campaign: "<b>c</b>",
      labels: ["<i>l</i>"],
    });
    await givenNeedsInput(board.app.lifecycle, ticket, "<iframe src=//evil></iframe>?");
    const escaped =
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; **bold** ünïcödé 🚀 &amp; &#39;q&#39;";
    const assignee = encodeURIComponent(`"><script>alert(4)</script>`);
    for (const path of ["/board", `/board/tickets/${ticket.key}`, `/board?assignee=${assignee}`]) {
      const page = await get(board.base, path);
      expect(page.status, path).toBe(200);
      const { scripts } = expectSecureHtml(page);
      expect(scripts, path).toBe(1); // the page's own, with the nonce
      expect(page.body, path).not.toMatch(/<(img|iframe|b|i)[\s>]/);
      expect(page.body, path).not.toContain("<script>alert");
      if (!path.includes("?")) expect(page.body, path).toContain(escaped);
    }
    const detail = await get(board.base, `/board/tickets/${ticket.key}`);
    expect(detail.body).toContain("&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
    expect(detail.body).toContain("&lt;iframe src=//evil&gt;&lt;/iframe&gt;?");
    expect(detail.body).toContain(`<title>${ticket.key} ${escaped} · Mission Control</title>`);
    const filtered = await get(board.base, `/board?assignee=${assignee}`);
    expect(filtered.body).toContain('value="&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"');
  });

  it("answers 400 with the reason, 404 for unknown tickets and pages, 405 for anything but GET", async () => {
    const cases: [string, number, string][] = [
      ["/board?colour=red", 400, "colour: is not a parameter of this route"],
      ["/board?assignee=%20%20", 400, "assignee: must not be empty"],
      [`/board?campaign=${"x".repeat(201)}`, 400, "campaign: "],
      ["/board/tickets/not-a-key", 400, "key: &quot;not-a-key&quot; is not a ticket key"],
      ["/board/tickets/MC-1?tab=events", 400, "tab: is not a parameter of this route"],
      ["/board/tickets/MC-999", 404, "There is no ticket MC-999."],
      ["/board/tickets", 404, "There is no page /board/tickets."],
      ["/board/nothing/here", 404, "There is no page /board/nothing/here."],
    ];
    for (const [path, status, reason] of cases) {
      const page = await get(board.base, path);
      expect(page.status, path).toBe(status);
      expect(page.body, path).toContain(`<li>${reason}`);
      expect(page.body, path).toContain('<a href="/board">Back to the board</a>');
      expect(expectSecureHtml(page), path).toMatchObject({ styles: 1, scripts: 0 });
    }
    for (const [method, path] of [
      ["POST", "/board"],
      ["DELETE", "/board/tickets/MC-1"],
      ["PUT", "/board/tickets/MC-999"],
    ] as const) {
      const page = await get(board.base, path, { method });
      expect(page.status, `${method} ${path}`).toBe(405);
      expect(page.headers.get("allow")).toBe("GET");
      expect(page.body).toContain(`${method} is not allowed: the board is read-only.`);
    }
    expect((await get(board.base, "/board/tickets/MC-1")).status).toBe(200);
    expect((await get(board.base, "/board/")).status).toBe(200);
  });

  it("a refresh request gets the same regions without the inline style and script", async () => {
    await givenTicket(board.app.lifecycle, { title: "Refresh me" });
    for (const [path, expected] of [
      ["/board", "Refresh me"],
      [`/board/tickets/${board.scene.verifying.key}`, "check_missing"],
    ] as const) {
      const full = await get(board.base, path);
      const partial = await get(board.base, path, { headers: { "x-mission-control-refresh": "1" } });
      expect(partial.status).toBe(200);
      expect(expectSecureHtml(partial)).toMatchObject({ styles: 0, scripts: 0 });
      const regions = (body: string) => [...body.matchAll(/data-refresh-region="(\w+)"/g)].map((m) => m[1]);
      expect(regions(partial.body)).toEqual(regions(full.body));
      expect(regions(full.body).length, path).toBeGreaterThan(0);
      expect(partial.body).toContain(expected);
      // Every link the refresh may replace has an id, so keyboard focus can follow it.
      const main = full.body.slice(full.body.indexOf("<main"), full.body.indexOf("</main>"));
      expect(main.match(/<a [^>]*>/g)?.length, path).toBeGreaterThan(0);
      expect(main.match(/<a (?!id=")[^>]*>/g), path).toBeNull();
    }
    // Paths that are not the board's are left to the other handlers (the JSON API here).
    expect((await get(board.base, "/api/v1/tickets")).headers.get("content-type")).toMatch(
      /^application\/json/,
    );
    expect((await get(board.base, "/boards")).headers.get("content-security-policy")).toBeNull();
  });
});

/** The board's query (src/lifecycle/board-reads.ts) on PostgreSQL, without HTTP. */
describePostgres("board columns", (ctx) => {
  it("one column per state with its total, filtered, open ones in pick order, each card with its current attempt", async () => {
    const lifecycle = createLifecycle({ db: ctx.db(), clock: systemClock, keyPrefix: "MC" });
    const scene = await givenBoardScene(lifecycle);
    const columns = await lifecycle.board.columns({ perColumn: 50 });
    expect(columns.map((c) => c.state)).toEqual([...TICKET_STATES]);
    for (const column of columns) {
      expect(column.cards.map((c) => c.ticket.key).sort(), column.state).toEqual(
        [...scene.byState[column.state]].sort(),
      );
      expect(column.total, column.state).toBe(scene.byState[column.state].length);
    }
    const [running] = columns.find((c) => c.state === "in_progress")?.cards ?? [];
    expect(running?.attempt).toMatchObject({
      id: scene.running.currentAttemptId,
      status: "running",
      number: 1,
    });
    expect(running?.attempt?.heartbeatAt).toBeInstanceOf(Date);
    expect(columns.find((c) => c.state === "todo")?.cards.every((c) => c.attempt === null)).toBe(true);

    const limited = await lifecycle.board.columns({ perColumn: 1 });
    const verifying = limited.find((c) => c.state === "verifying");
    expect(verifying).toMatchObject({ total: 2 });
    expect(verifying?.cards).toHaveLength(1);
    const spring = await lifecycle.board.columns({ campaign: "spring", perColumn: 50 });
    expect(spring.flatMap((c) => c.cards.map((card) => card.ticket.key)).sort()).toEqual(
      [scene.assigned.key, scene.running.key].sort(),
    );
    const none = await lifecycle.board.columns({ campaign: "spring", assignee: "bo", perColumn: 50 });
    expect(none.every((c) => c.total === 0 && c.cards.length === 0)).toBe(true);
  });
});

describe("board rendering helpers", () => {
  it("html`` escapes every interpolated value, nested arrays included; only Html passes as is", () => {
    const title = `<a href="x" onclick='y'>&amp;</a>`;
    expect(html`<p title="${title}">${[title, [title]]}</p>`.value).toBe(
      `<p title="${escapeHtml(title)}">${escapeHtml(title).repeat(2)}</p>`,
    );
    expect(escapeHtml(title)).toBe("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    expect(html`${null}${undefined}${false}${0}${html`<b>${"<i>"}</b>`}`.value).toBe("0<b>&lt;i&gt;</b>");
  });

  it("a max_attempts decision says the attempts used against the budget when the cycle recorded one", () => {
    expect(decisionLine({ code: "max_attempts", ticket: "MC-7", attempts: 3, budget: 3 })).toEqual({
      code: "max_attempts",
      ticket: "MC-7",
      detail: "3 of 3 attempts used",
    });
    expect(decisionLine({ code: "max_attempts", ticket: "MC-7", attempts: 3 }).detail).toBe("3 attempts");
  });

  it("links from stored data must be http(s)", () => {
    expect(safeHttpUrl("https://github.com/a/b")).toBe("https://github.com/a/b");
    for (const bad of ["javascript:alert(1)", "data:text/html,x", "//evil", "", null, "vbscript:x"])
      expect(safeHttpUrl(bad), String(bad)).toBeNull();
  });

  it("relative ages", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    const at = (seconds: number) => relativeAge(new Date(now.getTime() - seconds * 1000), now);
    expect([at(2), at(45), at(125), at(7300), at(3 * 86_400), at(-600)]).toEqual([
      "just now",
      "45 s ago",
      "2 min ago",
      "2 h ago",
      "3 d ago",
      "in 10 min",
    ]);
  });

  it("every text colour reaches a contrast of 4.5:1 on each background it is used on", () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    for (const [text, background] of TEXT_PAIRS)
      expect(contrast(PALETTE[text], PALETTE[background]), `${text} on ${background}`).toBeGreaterThanOrEqual(
        4.5,
      );
    // The focus ring must stand out (3:1) from every surface it can be drawn on.
    for (const background of ["page", "surface", "column"] as const)
      expect(contrast(PALETTE.focus, PALETTE[background])).toBeGreaterThanOrEqual(3);
  });
});
