import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { boardHandler } from "../../src/app/board/index.js";
import { STATE_LABELS } from "../../src/app/board/labels.js";
import { TICKET_STATES } from "../../src/domain/ticket-states.js";
import { givenTicket } from "../builders/tickets.js";
import { describeWithBrowser } from "../helpers/browser.js";
import { boardApp, SCENE_CRITERIA } from "./support/board.js";

/**
 * The page's globals, typed only as far as these tests use them inside `page.evaluate` (the
 * project compiles without the DOM library; the casts vanish before the functions reach Chromium).
 */
interface PageGlobals {
  readonly document: { readonly activeElement: { readonly id: string } | null };
  readonly scrollY: number;
  scrollTo(x: number, y: number): void;
  getComputedStyle(element: unknown): { readonly outlineStyle: string; readonly outlineWidth: string };
}

/** Presses Tab until the element with `id` has focus (keyboard only); fails after `max` presses. */
async function tabTo(page: Page, id: string, max = 40): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press("Tab");
    if (
      await page.evaluate(
        (want) => (globalThis as unknown as PageGlobals).document.activeElement?.id === want,
        id,
      )
    )
      return presses;
  }
  throw new Error(`Tab never reached #${id} in ${max} presses`);
}

/**
 * The board in Debian's Chromium, served by the app over real HTTP (the harness's Probot server),
 * with tickets in every state made through the lifecycle.
 */
describeWithBrowser("board in a browser", (browser) => {
  const board = boardApp();

  it("shows every ticket card in its state's column, found by role and name", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${board.base}/board`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Mission Control board");
    const tickets = await board.app.lifecycle.listTickets({ limit: 1000 });
    for (const state of TICKET_STATES) {
      const column = page.getByRole("region", { name: STATE_LABELS[state], exact: true });
      const keys = board.scene.byState[state];
      expect(await column.getByRole("listitem").count(), state).toBe(
        tickets.filter((t) => t.state === state).length,
      );
      for (const key of keys) {
        expect(await column.getByRole("link", { name: new RegExp(`^${key} `) }).count(), key).toBe(1);
        for (const other of TICKET_STATES.filter((s) => s !== state)) {
          const elsewhere = page.getByRole("region", { name: STATE_LABELS[other], exact: true });
          const found = await elsewhere.getByRole("link", { name: new RegExp(`^${key} `) }).count();
          expect(found, `${key} in ${other}`).toBe(0);
        }
      }
    }
    const running = page.getByRole("region", { name: "In progress", exact: true }).getByRole("listitem");
    expect(await running.textContent()).toMatch(/#1 running\s*Heartbeat\s*(just now|\d+ s ago)/);
    for (const panel of ["Inbox", "Open alerts", "Last dispatch cycles"])
      expect(await page.getByRole("region", { name: new RegExp(`^${panel}`) }).count(), panel).toBe(1);
    expect(await page.getByRole("search", { name: "Filter tickets" }).getByLabel("Assignee").count()).toBe(1);
    await browser.screenshot(page, "board");
    expect(problems).toEqual([]); // no CSP violation, no script error
    await page.close();
  });

  it("keyboard only: Tab to a card, Enter opens the ticket page with its timeline and verdict", async () => {
    const page = await browser.newPage();
    await page.goto(`${board.base}/board`);
    const key = board.scene.verifying.key;
    await tabTo(page, `card-${key}`);
    // The focused link shows a visible focus ring.
    const outline = await page.evaluate(() => {
      const win = globalThis as unknown as PageGlobals;
      const style = win.getComputedStyle(win.document.activeElement);
      return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
    });
    expect(outline.style).toBe("solid");
    expect(outline.width).toBeGreaterThanOrEqual(2);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${board.base}/board/tickets/${key}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`${key} Ship the board page`);

    const verdict = page.getByRole("region", { name: "Evidence verdict" }).getByRole("table", {
      name: "Criteria of the current verdict",
    });
    const criteria = verdict.getByRole("rowheader");
    expect((await criteria.allTextContents()).map((t) => t.trim())).toEqual(
      SCENE_CRITERIA.map((c) => `${c.title} ${c.id}`),
    );
    expect(await verdict.getByRole("row", { name: /check run build/ }).textContent()).toMatch(
      /pending\s*check_missing/,
    );

    const timeline = page.getByRole("region", { name: "Timeline" }).getByRole("table");
    const history = await board.app.lifecycle.ticketHistory(board.scene.verifying.id);
    const rows = timeline.locator("tbody").getByRole("row");
    expect(await rows.count()).toBe(history.length);
    for (const [i, event] of history.entries()) {
      const text = (await rows.nth(i).textContent()) ?? "";
      expect(text).toContain(event.reason);
      expect(text).toContain(`${event.actorKind} ${event.actorId}`);
      expect(await rows.nth(i).locator("time").getAttribute("datetime")).toBe(event.createdAt.toISOString());
    }
    await browser.screenshot(page, "board-ticket");
    // Back to the board, by keyboard too.
    await page.getByRole("link", { name: "← Board" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${board.base}/board`);
    await page.close();
  });

  it("refreshes itself without moving keyboard focus or the scroll position", async () => {
    // The same handler on its own server with a one-second refresh (the app uses 15 s).
    const handler = boardHandler({ lifecycle: board.app.lifecycle, refreshSeconds: 1 });
    const server: Server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const page = await browser.newPage();
    try {
      await page.setViewportSize({ width: 1366, height: 360 });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/board`);
      const focusId = `card-${board.scene.running.key}`;
      await tabTo(page, focusId);
      await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 120));
      const before = await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollY);
      expect(before).toBeGreaterThan(0);
      const added = await givenTicket(board.app.lifecycle, {
        title: "Arrived while reading",
        priority: "low",
      });
      await page
        .getByRole("region", { name: "To do", exact: true })
        .getByRole("link", { name: `${added.key} Arrived while reading` })
        .waitFor({ state: "attached" });
      expect(
        await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id),
      ).toBe(focusId);
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollY)).toBe(before);
      // Paused: nothing changes any more.
      await page.getByRole("button", { name: "Pause auto-refresh" }).click();
      expect(
        await page.getByRole("button", { name: "Resume auto-refresh" }).getAttribute("aria-pressed"),
      ).toBe("true");
      const late = await givenTicket(board.app.lifecycle, { title: "Arrived while paused" });
      await page.waitForTimeout(1500);
      expect(await page.getByRole("link", { name: `${late.key} Arrived while paused` }).count()).toBe(0);
    } finally {
      await page.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
