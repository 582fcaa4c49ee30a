import { afterEach, beforeEach, expect, it } from "vitest";
import { renderIssue } from "../../src/app/mirror/render.js";
import type { MirrorDeps } from "../../src/app/mirror/worker.js";
import type { TicketRow } from "../../src/db/schema.js";
import { systemClock } from "../../src/lifecycle/index.js";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { mirrorUntilIdle } from "./support/drain.js";
import { type AppHarness, startApp } from "./support/harness.js";
import { eventsWithoutMirrorJob } from "./support/outbox.js";
import { givenNeedsInput } from "./support/tickets.js";

/** The mirror outbox and worker against the stand-in: issues created, updated, commented, in order. */
describeOnDriver("mirror", (ctx) => {
  let app: AppHarness;
  const repo = "acme/widgets";

  beforeEach(async () => {
    app = await startApp(ctx.db(), { faultSeed: 42 });
    app.gh.world.repository({ owner: "acme", name: "widgets", collaborators: { bob: "write" } });
  });
  afterEach(async () => app?.stop());

  const mirrorDeps = (overrides: Partial<MirrorDeps> = {}): MirrorDeps => ({
    issues: app.lifecycle.issues,
    store: app.store,
    clock: systemClock,
    octokitFor: app.runtime.octokitFor,
    worker: "test-mirror",
    ticketLabel: "mission-control",
    retry: { baseMs: 1, capMs: 5 },
    leaseMs: 60_000,
    batchLimit: 50,
    ...overrides,
  });
  const labelsOf = (issue: number) => app.gh.world.labelsOf(repo, issue).sort();

  it("every ticket event writes a mirror job in its own transaction", async () => {
    const ticket = await givenTicket(app.lifecycle, { repository: repo });
    await givenNeedsInput(app.lifecycle, ticket, "Which one?");
    const events = await app.lifecycle.ticketHistory(ticket.id);
    expect(events.map((e) => e.reason)).toEqual(["created", "claimed", "needs_input"]);
    expect(await eventsWithoutMirrorJob(ctx.db())).toBe(0);
    expect((await app.store.mirror.jobsOf(ticket.id)).map((j) => j.eventId)).toEqual(events.map((e) => e.id));
  });

  it("creates the issue with labels, comments the agent's question, and follows the state", async () => {
    const ticket = await givenTicket(app.lifecycle, {
      repository: repo,
      priority: "high",
      title: "Add retries",
    });
    app.gh.requests.clear();
    await mirrorUntilIdle(mirrorDeps());
    // Created from the view: one request, the issue is not read back.
    expect(app.gh.requests.count({ route: "POST /repos/{owner}/{repo}/issues" })).toBe(1);
    expect(app.gh.requests.count({ route: "GET /repos/{owner}/{repo}/issues/{issue_number}" })).toBe(0);
    expect(app.gh.requests.count({ route: "PATCH /repos/{owner}/{repo}/issues/{issue_number}" })).toBe(0);
    const linked = await app.lifecycle.findTicket(ticket.key);
    const issue = linked?.issueNumber ?? -1;
    expect(issue).toBeGreaterThan(0);
    expect(app.gh.world.issueOf(repo, issue).title).toBe(`${ticket.key}: Add retries`);
    expect(labelsOf(issue)).toEqual([
      "mission-control",
      "mission-control:priority/high",
      "mission-control:state/todo",
    ]);

    await givenNeedsInput(app.lifecycle, ticket, "Which database?");
    await mirrorUntilIdle(mirrorDeps());
    const comments = app.gh.world.commentsOf(repo, issue).map((c) => c.body);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("> Which database?");
    expect(labelsOf(issue)).toContain("mission-control:state/needs_input");
    expect(await app.store.mirror.backlog()).toBe(0);
    expect(app.gh.requests.count({ route: "POST /repos/{owner}/{repo}/issues" })).toBe(1);
  });

  it("an answer changes nothing the issue shows: its event costs no request; the requeue updates the issue", async () => {
    const ticket = await givenTicket(app.lifecycle, { repository: repo });
    await givenNeedsInput(app.lifecycle, ticket, "Which database?");
    await mirrorUntilIdle(mirrorDeps());
    const answered = await app.lifecycle.answerQuestion({
      ticket: ticket.key,
      answer: "PostgreSQL",
      actor: { kind: "human", id: "bob" },
    });
    expect(answered.ok).toBe(true);
    app.gh.requests.clear();
    const pass = await mirrorUntilIdle(mirrorDeps());
    expect(pass).toMatchObject({ done: 1, failed: 0 });
    expect(app.gh.requests.entries).toEqual([]);
    expect(await app.store.mirror.backlog()).toBe(0);

    const waiting = await app.lifecycle.findTicket(ticket.key);
    if (!waiting) throw new Error("no ticket");
    const requeued = await app.lifecycle.transition({
      ticket: waiting.key,
      from: "needs_input",
      expectedVersion: waiting.version,
      to: "todo",
      reason: "requeued_needs_input",
      actor: { kind: "dispatcher", id: "dispatcher-1" },
    });
    expect(requeued.ok).toBe(true);
    await mirrorUntilIdle(mirrorDeps());
    expect(labelsOf(waiting.issueNumber ?? -1)).toContain("mission-control:state/todo");
    expect(app.gh.requests.count({ route: "PATCH /repos/{owner}/{repo}/issues/{issue_number}" })).toBe(1);
  });

  it("coalesces pending changes of one issue into one update", async () => {
    const ticket = await givenTicket(app.lifecycle, { repository: repo });
    await mirrorUntilIdle(mirrorDeps());
    let current = await app.lifecycle.findTicket(ticket.key);
    for (const priority of ["urgent", "low", "high"] as const) {
      if (!current) throw new Error("no ticket");
      const changed = await app.lifecycle.issues.setPriority({
        ticket: current,
        priority,
        actor: { kind: "human", id: "bob" },
      });
      if (!changed.ok) throw new Error(changed.message);
      current = changed.ticket;
    }
    app.gh.requests.clear();
    const pass = await mirrorUntilIdle(mirrorDeps());
    expect(pass.done).toBe(3);
    expect(app.gh.requests.count({ route: "PATCH /repos/{owner}/{repo}/issues/{issue_number}" })).toBe(1);
    expect(labelsOf(current?.issueNumber ?? -1)).toContain("mission-control:priority/high");
  });

  it("with 20% 5xx and secondary rate limits, 200 changes all reach their issues", async () => {
    app.gh.faults.add({ route: "*", fault: { kind: "status", status: 502 }, probability: 0.2 });
    app.gh.faults.add({
      route: "*",
      fault: { kind: "secondary-rate-limit", retryAfterSeconds: 0 },
      probability: 0.05,
    });
    const tickets = [];
    for (let i = 0; i < 10; i += 1)
      tickets.push(await givenTicket(app.lifecycle, { repository: repo, title: `T${i}` }));
    const priorities = ["urgent", "high", "normal", "low"] as const;
    let changes = tickets.length;
    for (let round = 0; round < 19; round += 1) {
      for (const [i, t] of tickets.entries()) {
        const current = await app.lifecycle.findTicket(t.key);
        if (!current) throw new Error("no ticket");
        const next = priorities[(round + i + 1) % priorities.length] ?? "normal";
        const result =
          next === current.priority
            ? await app.lifecycle.issues.assign({
                ticket: current,
                assignee: `p${round}`,
                actor: { kind: "human", id: "bob" },
              })
            : await app.lifecycle.issues.setPriority({
                ticket: current,
                priority: next,
                actor: { kind: "human", id: "bob" },
              });
        if (!result.ok) throw new Error(result.message);
        changes += 1;
        // Interleave mirror passes with changes, as a live worker would.
        if (round % 5 === 0 && i === 0) await mirrorUntilIdle(mirrorDeps(), 3);
      }
    }
    expect(changes).toBe(200);
    const report = await mirrorUntilIdle(mirrorDeps(), 10_000);
    expect(report.failed).toBeGreaterThan(0);
    expect(await app.store.mirror.backlog()).toBe(0);
    for (const t of tickets) {
      const final = await app.lifecycle.findTicket(t.key);
      const issue = app.gh.world.issueOf(repo, final?.issueNumber ?? -1);
      if (!final) throw new Error(`no ticket ${t.key}`);
      expect(issue.body).toBe(renderIssue(final, "mission-control").body);
      expect(labelsOf(issue.number)).toContain(`mission-control:priority/${final?.priority}`);
    }
    // One issue per ticket, whatever failed on the way.
    expect(() => app.gh.world.issueOf(repo, tickets.length + 1)).toThrow();
  }, 60_000);

  it("prompt dispatch: new runnable tickets trigger the dispatch workflow once per interval", async () => {
    app.gh.world.workflow(repo, { path: ".github/workflows/mission-control-dispatch.yml" });
    for (let i = 0; i < 3; i += 1) await givenTicket(app.lifecycle, { repository: repo, title: `T${i}` });
    const dispatch = { workflow: "mission-control-dispatch.yml", intervalMs: 60_000 };
    await mirrorUntilIdle(mirrorDeps({ dispatch }));
    const route = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
    expect(app.gh.requests.count({ route })).toBe(1);
    // Another runnable change within the interval is coalesced into the trigger already sent.
    await givenTicket(app.lifecycle, { repository: repo, title: "T3" });
    await mirrorUntilIdle(mirrorDeps({ dispatch }));
    expect(app.gh.requests.count({ route })).toBe(1);
    // With no interval left, the next one triggers again.
    await givenTicket(app.lifecycle, { repository: repo, title: "T4" });
    await mirrorUntilIdle(mirrorDeps({ dispatch: { ...dispatch, intervalMs: 0 } }));
    expect(app.gh.requests.count({ route })).toBe(2);
  });

  it("prompt dispatch: the app triggers the owner's control repository's dispatch workflow, not the ticket's repository", async () => {
    app.gh.world.repository({ owner: "acme", name: "mission-control" });
    app.gh.world.workflow("acme/mission-control", { path: ".github/workflows/mission-control-dispatch.yml" });
    await givenTicket(app.lifecycle, { repository: repo, title: "T" });
    const dispatch = {
      workflow: "mission-control-dispatch.yml",
      intervalMs: 60_000,
      repositoryFor: (repository: string) => `${repository.split("/")[0]}/mission-control`,
    };
    await mirrorUntilIdle(mirrorDeps({ dispatch }));
    const sent = app.gh.requests.filter({
      route: "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    });
    expect(sent.map((r) => [r.path, r.status])).toEqual([
      ["/repos/acme/mission-control/actions/workflows/mission-control-dispatch.yml/dispatches", 204],
    ]);
  });

  it("prompt dispatch: an answered question prompts the dispatcher, without a request about the issue", async () => {
    app.gh.world.workflow(repo, { path: ".github/workflows/mission-control-dispatch.yml" });
    const dispatch = { workflow: "mission-control-dispatch.yml", intervalMs: 0 };
    const ticket = await givenNeedsInput(
      app.lifecycle,
      await givenTicket(app.lifecycle, { repository: repo, title: "Asks" }),
      "Which region?",
    );
    await mirrorUntilIdle(mirrorDeps({ dispatch }));
    const route = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
    const prompts = app.gh.requests.count({ route });
    const issueRequests = () =>
      app.gh.requests.entries.filter((e) => e.route?.startsWith("/repos/{owner}/{repo}/issues")).length;
    const before = issueRequests();

    const answered = await app.lifecycle.answerQuestion({
      ticket: ticket.key,
      answer: "eu-west",
      actor: { kind: "human", id: "octocat" },
    });
    expect(answered.ok).toBe(true);
    await mirrorUntilIdle(mirrorDeps({ dispatch }));
    // The dispatcher puts the ticket back in the queue at its next cycle: prompted now, not in 5 minutes.
    expect(app.gh.requests.count({ route })).toBe(prompts + 1);
    // Nothing the issue shows changed (it says needs_input until the cycle requeues the ticket).
    expect(issueRequests()).toBe(before);
    expect((await app.lifecycle.findTicket(ticket.key))?.state).toBe("needs_input");
  });

  it("prompt dispatch: the default branch is read once per repository, not for every trigger", async () => {
    app.gh.world.workflow(repo, { path: ".github/workflows/mission-control-dispatch.yml" });
    const dispatch = { workflow: "mission-control-dispatch.yml", intervalMs: 0 };
    for (let i = 0; i < 3; i += 1) {
      await givenTicket(app.lifecycle, { repository: repo, title: `T${i}` });
      await mirrorUntilIdle(mirrorDeps({ dispatch }));
    }
    const route = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
    expect(app.gh.requests.count({ route, status: 204 })).toBe(3);
    expect(app.gh.requests.count({ route: "GET /repos/{owner}/{repo}" })).toBe(1);
  });

  it("prompt dispatch: a failed workflow_dispatch (5xx) gives the interval's slot back", async () => {
    app.gh.world.workflow(repo, { path: ".github/workflows/mission-control-dispatch.yml" });
    const route = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
    const statuses = () =>
      app.gh.requests.entries
        .filter((e) => e.method === "POST" && e.route?.endsWith("/dispatches"))
        .map((e) => e.status);
    app.gh.faults.add({
      method: "POST",
      route: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
      fault: { kind: "status", status: 502 },
      times: 1,
    });
    const dispatch = { workflow: "mission-control-dispatch.yml", intervalMs: 60_000 };
    await givenTicket(app.lifecycle, { repository: repo, title: "T0" });
    const first = await mirrorUntilIdle(mirrorDeps({ dispatch }));
    // The mirror itself succeeded; only the trigger failed.
    expect(first.failed).toBe(0);
    expect(statuses()).toEqual([502]);
    // Within the same interval, the next runnable change triggers (the failed call did not use the slot)…
    await givenTicket(app.lifecycle, { repository: repo, title: "T1" });
    await mirrorUntilIdle(mirrorDeps({ dispatch }));
    expect(statuses()).toEqual([502, 204]);
    // …and the successful one does use it.
    await givenTicket(app.lifecycle, { repository: repo, title: "T2" });
    await mirrorUntilIdle(mirrorDeps({ dispatch }));
    expect(app.gh.requests.count({ route })).toBe(2);
  });

  /** A mirror worker ("dead") took the ticket's batch and created its issue as the app, then died. */
  async function diedAfterCreatingIssue(ticket: TicketRow) {
    const [taken] = await app.store.mirror.take({ worker: "dead", leaseMs: 1, limit: 10 });
    expect(taken?.ticketId).toBe(ticket.id);
    const view = renderIssue(ticket, "mission-control");
    const { data } = await (await app.runtime.octokitFor(repo)).rest.issues.create({
      owner: "acme",
      repo: "widgets",
      title: view.title,
      body: view.body,
      labels: [...view.labels],
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // the dead worker's lease runs out
    return data;
  }

  it("a worker that died after creating the issue: the next one takes over the lease and reuses that issue", async () => {
    const ticket = await givenTicket(app.lifecycle, { repository: repo, title: "Crashy" });
    const orphan = await diedAfterCreatingIssue(ticket);

    app.gh.requests.clear();
    await mirrorUntilIdle(mirrorDeps({ worker: "alive" }));
    expect((await app.lifecycle.findTicket(ticket.key))?.issueNumber).toBe(orphan.number);
    expect(app.gh.requests.count({ route: "POST /repos/{owner}/{repo}/issues" })).toBe(0);
    expect(await app.store.mirror.backlog()).toBe(0);
  });

  it("a resumed batch looks for its orphan among recent issues only, newest first, and stops at it", async () => {
    // 150 labelled issues from before, 2 days old, and 120 from the last minutes (other tickets).
    const labelled = (title: string) =>
      app.gh.world.issue(repo, { title, body: "x", labels: ["mission-control"], author: "octocat" });
    for (let i = 0; i < 150; i += 1) labelled(`old ${i}`).updatedAt -= 2 * 24 * 3600_000;
    for (let i = 0; i < 120; i += 1) labelled(`recent ${i}`);
    const list = { route: "GET /repos/{owner}/{repo}/issues" };

    // A try that failed before creating anything: one short listing (nothing old), then the issue.
    const first = await givenTicket(app.lifecycle, { repository: repo, title: "Failed first try" });
    await app.store.mirror.take({ worker: "dead", leaseMs: 1, limit: 10 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    app.gh.requests.clear();
    await mirrorUntilIdle(mirrorDeps({ worker: "alive" }));
    expect(app.gh.requests.count(list)).toBe(2); // 120 recent issues: two pages of 100, none older
    expect(app.gh.requests.count({ route: "POST /repos/{owner}/{repo}/issues" })).toBe(1);
    expect((await app.lifecycle.findTicket(first.key))?.issueNumber).not.toBeNull();

    // A try that created the issue and died: found on the first page, the newest.
    const second = await givenTicket(app.lifecycle, { repository: repo, title: "Died after creating" });
    const orphan = await diedAfterCreatingIssue(second);
    app.gh.requests.clear();
    await mirrorUntilIdle(mirrorDeps({ worker: "alive" }));
    expect(app.gh.requests.count(list)).toBe(1);
    expect((await app.lifecycle.findTicket(second.key))?.issueNumber).toBe(orphan.number);
  });

  it("recovery trusts only the app's own issues: a person's issue carrying the ticket's marker is not adopted", async () => {
    const ticket = await givenTicket(app.lifecycle, { repository: repo, title: "Forged" });
    await app.store.mirror.take({ worker: "dead", leaseMs: 1, limit: 10 });
    const view = renderIssue(ticket, "mission-control");
    const forged = app.gh.world.issue(repo, {
      title: view.title,
      body: view.body,
      labels: [...view.labels],
      author: "mallory",
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await mirrorUntilIdle(mirrorDeps({ worker: "alive" }));
    const linked = (await app.lifecycle.findTicket(ticket.key))?.issueNumber;
    expect(linked).not.toBeNull();
    expect(linked).not.toBe(forged.number);
  });
});
