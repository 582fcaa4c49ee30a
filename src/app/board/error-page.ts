import { html } from "./html.js";
import { renderPage } from "./layout.js";

export interface ErrorPage {
  readonly status: number;
  /** Short, e.g. `Bad request`. */
  readonly heading: string;
  /** What was wrong, one line each (escaped). */
  readonly reasons: readonly string[];
}

/** A 4xx/5xx page: says what went wrong and links back to the board. Never refreshes. */
export function renderErrorPage(error: ErrorPage, nonce: string, now: Date): string {
  return renderPage({
    title: `${error.status} ${error.heading} · Mission Control`,
    nonce,
    refreshSeconds: null,
    now,
    header: html`<p class="back"><a href="/board">← Board</a></p>`,
    main: html`<h1>${error.status} ${error.heading}</h1>
<ul>${error.reasons.map((reason) => html`<li>${reason}</li>`)}</ul>
<p><a href="/board">Back to the board</a></p>`,
  });
}
