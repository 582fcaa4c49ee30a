/**
 * `npm run demo [-- --once --port 0 --json --keep]`: Mission Control end to end with no GitHub
 * account and no database server. The composition root of the demo (see run.ts and docs/demo.md).
 */
import { fileURLToPath } from "node:url";
import { errorMessage } from "../domain/error-message.js";
import { parseDemoArgs, UsageError } from "./options.js";
import { choosePort, DEMO_HOST } from "./port.js";
import { jsonReporter, type Reporter, textReporter } from "./reporter.js";

const EXIT_USAGE = 2;

async function main(): Promise<number> {
  const stdout = (text: string) => void process.stdout.write(text);
  const stderr = (text: string) => void process.stderr.write(text);
  let parsed: ReturnType<typeof parseDemoArgs>;
  try {
    parsed = parseDemoArgs(process.argv.slice(2), { stdout, stderr });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr(`mctl demo: ${error.message} (see --help)\n`);
    return EXIT_USAGE;
  }
  if (parsed.kind === "exit") return parsed.code;
  const { options } = parsed;
  const reporter: Reporter = options.json ? jsonReporter(stdout, stderr) : textReporter(stdout, stderr);

  // Ctrl-C or SIGTERM: stop and clean up; a second one leaves at once (the folder may stay behind).
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      stderr(`mctl demo: ${signal} again, leaving without cleaning up\n`);
      process.exit(130);
    }
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    // 1. The port first: a taken port is one clear error before anything is loaded or created.
    const port = await choosePort(options.port, DEMO_HOST);
    // The app, the database and the stand-in are loaded only now (--help and bad input stay quick).
    const { runDemo } = await import("./run.js");
    return await runDemo({
      options,
      port,
      agentPath: fileURLToPath(new URL("./agent.js", import.meta.url)),
      pushHookPath: fileURLToPath(new URL("./push-hook.js", import.meta.url)),
      reporter,
      stop: stop.signal,
    });
  } catch (error) {
    reporter.error(errorMessage(error));
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mctl demo: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);
