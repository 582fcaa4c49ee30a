/** Board filters by state, repository and priority (issue 19), over real HTTP. */
import { afterEach, expect, it } from "vitest";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

describeOnDriver("board filters", (ctx) => {
  let app: AppHarness | undefined;
  afterEach(async () => app?.stop());

  it("?state=, ?repository= and ?priority= narrow the board; a bad value is a 400 naming it", async () => {
    app = await startApp(ctx.db());
    await givenTicket(app.lifecycle, { repository: "acme/a", title: "Alpha urgent", priority: "urgent" });
    await givenTicket(app.lifecycle, { repository: "acme/b", title: "Beta low", priority: "low" });
    const page = async (query: string) => {
      const res = await fetch(`${app?.baseUrl}/board${query}`);
      return { status: res.status, text: await res.text() };
    };
    const byRepo = await page("?repository=Acme/B");
    expect(byRepo.status).toBe(200);
    expect(byRepo.text).toContain("Beta low");
    expect(byRepo.text).not.toContain("Alpha urgent");
    expect(byRepo.text).toContain('<input type="hidden" name="repository" value="Acme/B">');
    const urgent = await page("?priority=urgent");
    expect(urgent.text).toContain("Alpha urgent");
    expect(urgent.text).not.toContain("Beta low");
    const todo = await page("?state=todo");
    expect(todo.status).toBe(200);
    expect(todo.text).toContain("Alpha urgent");
    expect(todo.text).toContain("in state <strong>todo</strong>");
    expect(todo.text).toContain('aria-labelledby="column-todo"');
    expect(todo.text).not.toContain('aria-labelledby="column-done"');
    expect((await page("?state=done")).status).toBe(200);
    const bad = await page("?priority=soon&repository=nope");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("priority: must be one of urgent, high, normal, low");
    expect(bad.text).toContain("repository: must be owner/name");
  });
});
