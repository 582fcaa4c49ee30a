/**
 * Preloaded into the app process by the chaos harness (`node --import test/chaos/no-pacing.mjs
 * dist/app/main.js`): turns off Octokit's client-side content-creation pacing (plugin-throttling:
 * one write a second, one issue or comment every three seconds), which GitHub asks of real clients
 * and the stand-in does not enforce. With it, mirroring 150 tickets would take more than ten minutes
 * of sleeping; test/app/support/harness.ts turns it off the same way for the in-process app.
 * Retries (plugin-retry), authentication and everything else stay as in production.
 */
import { ProbotOctokit } from "probot";

const defaults = ProbotOctokit.defaults;
ProbotOctokit.defaults = function withoutPacing(options) {
  return defaults.call(this, (instance) => {
    const merged = typeof options === "function" ? options(instance) : { ...instance, ...options };
    return { ...merged, throttle: { ...merged.throttle, enabled: false } };
  });
};
