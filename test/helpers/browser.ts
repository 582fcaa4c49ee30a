import { accessSync, constants, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe } from "vitest";

/**
 * Browser tests drive Debian's Chromium through `playwright-core` (which never downloads a
 * browser). One Chromium per `describeWithBrowser`, with a fresh profile folder removed afterwards.
 *
 * - `MCTL_CHROMIUM_PATH`: the executable (default `/usr/bin/chromium`).
 * - No executable: the suite is skipped with a message saying how to install one, unless
 *   `MCTL_REQUIRE_BROWSER=1` (CI), where it fails with that message instead.
 * - Screenshots go to `test-artifacts/` at the repository root (ignored by git).
 */
export interface BrowserHelpers {
  /** A new tab in this suite's browser: a 1366×768 viewport (a laptop screen), 5 s default timeouts. */
  newPage(): Promise<Page>;
  /** Saves a full-page PNG as `test-artifacts/<name>.png` and returns its absolute path. */
  screenshot(page: Page, name: string): Promise<string>;
}

export const ARTIFACTS_DIR = resolve(import.meta.dirname, "../../test-artifacts");
export const LAPTOP_VIEWPORT = { width: 1366, height: 768 } as const;

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium executable to use, or why there is none. */
function findChromium(): { ok: true; path: string } | { ok: false; message: string } {
  const fromEnv = process.env.MCTL_CHROMIUM_PATH?.trim();
  const path = fromEnv || "/usr/bin/chromium";
  try {
    accessSync(path, constants.X_OK);
    return { ok: true, path };
  } catch {
    const where = fromEnv ? `MCTL_CHROMIUM_PATH=${path}` : path;
    return {
      ok: false,
      message:
        `no executable Chromium at ${where}: install Debian's (apt-get install -y chromium) ` +
        "or point MCTL_CHROMIUM_PATH at one. Browser tests never download a browser.",
    };
  }
}

/**
 * `describe` with a browser: `suite` gets helpers backed by one Chromium launched in `beforeAll`
 * and closed (its profile folder removed) in `afterAll`.
 */
export function describeWithBrowser(title: string, suite: (browser: BrowserHelpers) => void): void {
  const chromiumFound = findChromium();
  if (!chromiumFound.ok) {
    if (process.env.MCTL_REQUIRE_BROWSER === "1") {
      describe(title, () => {
        beforeAll(() => {
          throw new Error(`MCTL_REQUIRE_BROWSER=1 but ${chromiumFound.message}`);
        });
        suite(unavailable(chromiumFound.message));
      });
      return;
    }
    console.warn(`[mission-control] browser tests skipped (${title}): ${chromiumFound.message}`);
    describe.skipIf(true)(title, () => suite(unavailable(chromiumFound.message)));
    return;
  }

  let launching: Promise<BrowserContext> | undefined;
  let profile: string | undefined;
  const running = async (): Promise<BrowserContext> => {
    if (!launching) throw new Error("the browser is not running (used outside a test?)");
    return launching;
  };
  const helpers: BrowserHelpers = {
    async newPage() {
      const page = await (await running()).newPage();
      page.setDefaultTimeout(5_000);
      page.setDefaultNavigationTimeout(10_000);
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "screenshot";
      const path = join(ARTIFACTS_DIR, `${safe}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
  };
  describe(title, () => {
    beforeAll(async () => {
      profile = await mkdtemp(join(tmpdir(), "mctl-chromium-"));
      // Not awaited here: Chromium starts while the suite's own set-up runs; the first page waits
      // for it, and a failed launch fails that test with Playwright's message.
      launching = chromium.launchPersistentContext(profile, {
        executablePath: chromiumFound.path,
        args: CHROMIUM_ARGS,
        viewport: LAPTOP_VIEWPORT,
        timeout: 30_000,
      });
      launching.catch(() => undefined);
    });
    suite(helpers);
    // Registered after the suite's own hooks so that it runs before them (vitest runs after-hooks
    // in reverse): the browser lets go of its keep-alive connections before the suite stops the
    // servers they point at (a server's close() waits for them).
    afterAll(async () => {
      const context = await launching?.catch(() => undefined);
      launching = undefined;
      await context?.close();
      if (profile) await rm(profile, { recursive: true, force: true });
    });
  });
}

function unavailable(message: string): BrowserHelpers {
  const fail = () => Promise.reject(new Error(message));
  return { newPage: fail, screenshot: fail };
}
