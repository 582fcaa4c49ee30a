import { type Html, html } from "./html.js";

/** How long ago (or how far ahead) `at` is from `now`, in words a person scans: `3 min ago`, `in 2 h`. */
export function relativeAge(at: Date, now: Date): string {
  const deltaMs = now.getTime() - at.getTime();
  const future = deltaMs < 0;
  const seconds = Math.floor(Math.abs(deltaMs) / 1000);
  if (seconds < 5) return "just now";
  let amount: string;
  if (seconds < 60) amount = `${seconds} s`;
  else if (seconds < 3600) amount = `${Math.floor(seconds / 60)} min`;
  else if (seconds < 86_400) amount = `${Math.floor(seconds / 3600)} h`;
  else amount = `${Math.floor(seconds / 86_400)} d`;
  return future ? `in ${amount}` : `${amount} ago`;
}

/** `2026-01-01 12:00:05 UTC`: one zone for every reader of a shared board. */
export function absoluteTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A `<time>` showing the relative age, the exact time in `datetime` and as a tooltip. */
export function ageTag(at: Date, now: Date): Html {
  const iso = at.toISOString();
  return html`<time datetime="${iso}" title="${absoluteTime(at)}">${relativeAge(at, now)}</time>`;
}

/** A `<time>` showing the exact time, followed by the relative age. */
export function timeTag(at: Date, now: Date): Html {
  return html`<time datetime="${at.toISOString()}">${absoluteTime(at)}</time> <span class="age">(${relativeAge(at, now)})</span>`;
}
