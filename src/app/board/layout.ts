import { type Html, html, raw } from "./html.js";
import { REFRESH_SCRIPT } from "./refresh-script.js";
import { STYLESHEET } from "./styles.js";
import { ageTag } from "./time.js";

export interface PageParts {
  /** The document title (escaped). */
  readonly title: string;
  /** The CSP nonce of this response: the only inline style and script carry it. */
  readonly nonce: string;
  /** Seconds between self-refreshes; null for pages that never refresh (errors). */
  readonly refreshSeconds: number | null;
  readonly now: Date;
  /** The header's content after the skip link (h1, navigation, filters). */
  readonly header: Html;
  readonly main: Html;
  /**
   * A refresh request (the page's own script asks with `x-mission-control-refresh: 1`): the same
   * document without the inline style and script, which the script never uses and whose parsing
   * would only trip the CSP in the reader's browser.
   */
  readonly partial?: boolean;
}

/** How a page is rendered for this response. */
export interface RenderOptions {
  readonly nonce: string;
  readonly refreshSeconds: number;
  readonly partial: boolean;
}

/** The request header the refresh script sends. */
export const REFRESH_HEADER = "x-mission-control-refresh";

/** The complete HTML document around a page: landmarks, the inline CSS and the refresh script. */
export function renderPage(parts: PageParts): string {
  const refreshing = parts.refreshSeconds !== null;
  const refreshControls = refreshing
    ? html`<div class="refresh">
<p id="refresh-status">Updated ${ageTag(parts.now, parts.now)}</p>
<button type="button" id="refresh-toggle" aria-pressed="false" hidden>Pause auto-refresh</button>
<noscript><p>Reload the page to update it.</p></noscript>
</div>`
    : null;
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${parts.title}</title>
<link rel="icon" href="data:,">
${parts.partial ? null : html`<style nonce="${parts.nonce}">${raw(STYLESHEET)}</style>`}
</head>
<body${refreshing ? html` data-refresh-seconds="${parts.refreshSeconds ?? 0}"` : null}>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="top">
${parts.header}
${refreshControls}
</header>
<main id="main" tabindex="-1">
${parts.main}
</main>
${refreshing && !parts.partial ? html`<script nonce="${parts.nonce}">${raw(REFRESH_SCRIPT)}</script>` : null}
</body>
</html>
`;
  return doc.value;
}
