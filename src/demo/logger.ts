/** The demo's structured log (pino): to a file in the demo's folder, errors also to stderr. */
import path from "node:path";
import pino, { type Logger } from "pino";
import type { Workspace } from "./workspace.js";

/** Structured logs of the app and the demo's parts: to a file in the demo folder; errors also to stderr. */
export function demoLogger(workspace: Workspace): Logger {
  return pino(
    {
      level: "info",
      base: { name: "mission-control-demo" },
      // Nothing secret is logged on purpose; these paths make sure a careless detail is not either.
      redact: {
        paths: ["req.headers.authorization", "headers.authorization", "privateKey", "secret", "token"],
        censor: "[redacted]",
      },
    },
    pino.multistream([
      {
        level: "info",
        stream: pino.destination({ dest: path.join(workspace.logDir, "demo.log"), sync: true }),
      },
      { level: "error", stream: process.stderr },
    ]),
  );
}
