import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apiHandler } from "../../src/app/api/index.js";
import type { ApiLifecycle } from "../../src/app/api/port.js";
import { encodeCursor } from "../../src/app/api/query.js";
import type { TicketRow } from "../../src/db/schema.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";
import { givenNeedsInput } from "./support/tickets.js";

interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked by shape in each test
  readonly body: any;
}

async function get(base: string, path: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  return { status: res.status, body: await res.json() };
}

/** The read-only JSON API over real HTTP, on the app's server as the harness starts it. */
describeOnDriver("JSON API", (ctx) => {
  let app: AppHarness;
  let base: string;
  beforeEach(async () => {
    app = await startApp(ctx.db());
    base = new URL(app.webhookUrl).origin;
  });
  afterEach(async () => app?.stop());

  /** Eight tickets over every priority, two assignees and two campaigns; one in needs_input. */
  async function givenTickets(): Promise<TicketRow[]> {
    const specs = [
      { priority: "low", assignee: "ana", campaign: "spring" },
      { priority: "urgent", assignee: null, campaign: "spring" },
      { priority: "normal", assignee: "ana", campaign: null },
      { priority: "high", assignee: "bo", campaign: "spring" },
      { priority: "normal", assignee: "bo", campaign: "autumn" },
      { priority: "urgent", assignee: "ana", campaign: "autumn" },
      { priority: "normal", assignee: null, campaign: null },
      { priority: "low", assignee: "bo", campaign: "spring" },
    ] as const;
    const rows: TicketRow[] = [];
    for (const [i, spec] of specs.entries()) {
      rows.push(await givenTicket(app.lifecycle, { title: `Ticket ${i + 1}`, ...spec }));
    }
    return rows;
  }

  async function pickOrder(lifecycle: Lifecycle): Promise<string[]> {
    return (await lifecycle.listTickets({ limit: 1000 })).map((t) => t.key);
  }

  it("health: 200 with the database, the last dispatch cycle's age and the mirror backlog", async () => {
    const empty = await get(base, "/api/health");
    expect(empty).toMatchObject({
      status: 200,
      body: { status: "ok", database: "ok", last_dispatch_cycle: null },
    });
    expect(empty.body.mirror_backlog).toEqual(expect.any(Number));

    await givenTicket(app.lifecycle);
    const finishedAt = new Date(Date.now() - 120_000);
    await app.lifecycle.recordDispatchCycle({
      holder: "d",
      outcome: "completed",
      startedAt: finishedAt,
      finishedAt,
      counts: {},
      decisions: [],
      timings: {},
    });
    const { status, body } = await get(base, "/api/health");
    expect(status).toBe(200);
    expect(body.last_dispatch_cycle).toMatchObject({ outcome: "completed" });
    expect(body.last_dispatch_cycle.age_seconds).toBeGreaterThanOrEqual(120);
    expect(body.mirror_backlog).toBeGreaterThanOrEqual(1); // the new ticket's mirror job

    const cycles = await get(base, "/api/v1/dispatch/cycles?limit=5");
    expect(cycles.status).toBe(200);
    expect(cycles.body.items).toHaveLength(1);
  });

  it("tickets: every page in pick order, no duplicates and no gaps, then next_cursor null", async () => {
    await givenTickets();
    const expected = await pickOrder(app.lifecycle);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/api/v1/tickets?limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const { status, body } = await get(base, path);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((t: TicketRow) => t.key));
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
    expect(expected[0]).toBe("MC-2"); // urgent, oldest
  });

  it("tickets: a page boundary exactly at the end gives next_cursor null", async () => {
    await givenTickets();
    const first = await get(base, "/api/v1/tickets?limit=4");
    const second = await get(base, `/api/v1/tickets?limit=4&cursor=${first.body.next_cursor}`);
    expect(second.body.items).toHaveLength(4);
    expect(second.body.next_cursor).toBeNull();
  });

  it("tickets: filters by state, assignee and campaign, combined and paginated", async () => {
    const rows = await givenTickets();
    const asking = rows[3] as TicketRow;
    await givenNeedsInput(app.lifecycle, asking, "Which branch?");

    const waiting = await get(base, "/api/v1/tickets?state=needs_input");
    expect(waiting.body.items.map((t: TicketRow) => t.key)).toEqual([asking.key]);

    const ana = await get(base, "/api/v1/tickets?assignee=ana");
    expect(ana.body.items.map((t: TicketRow) => t.key)).toEqual(["MC-6", "MC-3", "MC-1"]);

    const spring = await get(base, "/api/v1/tickets?campaign=spring&state=todo&limit=2");
    expect(spring.body.items.map((t: TicketRow) => t.key)).toEqual(["MC-2", "MC-1"]);
    const springRest = await get(
      base,
      `/api/v1/tickets?campaign=spring&state=todo&limit=2&cursor=${spring.body.next_cursor}`,
    );
    expect(springRest.body).toMatchObject({ items: [{ key: "MC-8" }], next_cursor: null });

    const none = await get(base, "/api/v1/tickets?assignee=nobody");
    expect(none).toMatchObject({ status: 200, body: { items: [], next_cursor: null } });
  });

  it("tickets: bad queries are 400s naming the parameter", async () => {
    const cases: [string, string][] = [
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=ten", "limit"],
      ["state=bogus", "state"],
      ["cursor=garbage!", "cursor"],
      [`cursor=${Buffer.from("not json").toString("base64url")}`, "cursor"],
      [`cursor=${Buffer.from(JSON.stringify({ p: "mega", t: "1", i: 1 })).toString("base64url")}`, "cursor"],
      ["assignee=", "assignee"],
      ["colour=red", "colour"],
    ];
    for (const [query, parameter] of cases) {
      const { status, body } = await get(base, `/api/v1/tickets?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe("invalid_request");
      expect(
        body.error.issues.map((i: { parameter: string }) => i.parameter),
        query,
      ).toContain(parameter);
    }
    // A cursor of the right shape is accepted even when no ticket is after it.
    const far = encodeCursor({ priority: "low", createdMicros: "99999999999999999", id: 1 });
    expect(await get(base, `/api/v1/tickets?cursor=${far}`)).toMatchObject({
      status: 200,
      body: { items: [] },
    });
  });

  it("ticket: attempts (without launch keys), events and verdicts; 404 unknown, 400 malformed", async () => {
    const [first] = await givenTickets();
    await givenNeedsInput(app.lifecycle, first as TicketRow, "Which branch?");
    const { status, body } = await get(base, "/api/v1/tickets/mc-1");
    expect(status).toBe(200);
    expect(body.ticket).toMatchObject({ key: "MC-1", state: "needs_input" });
    expect(body.attempts).toHaveLength(1);
    expect(body.attempts[0]).not.toHaveProperty("launchKey");
    expect(body.events.map((e: { toState: string }) => e.toState)).toEqual(
      (await app.lifecycle.ticketHistory(first?.id ?? -1)).map((e) => e.toState),
    );
    expect(body.verdicts).toEqual([]);

    expect(await get(base, "/api/v1/tickets/MC-999")).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    expect(await get(base, "/api/v1/tickets/not-a-key")).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_request", issues: [{ parameter: "key" }] } },
    });
  });

  it("inbox, alerts and dispatch cycles: lists with a validated limit", async () => {
    for (const path of ["/api/v1/inbox", "/api/v1/alerts", "/api/v1/dispatch/cycles"]) {
      expect(await get(base, `${path}?limit=10`), path).toMatchObject({ status: 200, body: { items: [] } });
      expect((await get(base, `${path}?limit=0`)).status, path).toBe(400);
    }
    expect((await get(base, "/api/v1/inbox?state=bogus")).status).toBe(400);
    expect((await get(base, "/api/v1/alerts?status=open")).status).toBe(200);
    expect((await get(base, "/api/v1/nothing")).status).toBe(404);
    const post = await fetch(`${base}/api/v1/tickets`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
  });
});

describe("JSON API without a database", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // Only what the health check reaches before it answers: the database probe fails.
    const down = {
      ping: () => Promise.reject(new Error("connect ECONNREFUSED")),
      clock: { now: () => new Date() },
    } as unknown as ApiLifecycle;
    const handler = apiHandler({ lifecycle: down, mirror: { backlog: async () => 0 } });
    server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("health answers 503 saying only that the database is unreachable (the reason goes to the log)", async () => {
    const answer = await get(base, "/api/health");
    expect(answer).toMatchObject({ status: 503, body: { status: "unavailable", database: "unreachable" } });
    expect(JSON.stringify(answer.body)).not.toContain("ECONNREFUSED");
  });

  it("leaves other paths (the webhook route) to the next handler", async () => {
    const res = await fetch(`${base}/api/github/webhooks`, { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("");
  });
});
