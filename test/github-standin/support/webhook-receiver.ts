import { createServer, type IncomingHttpHeaders } from "node:http";

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, exactly as received (signatures are over these bytes). */
  readonly body: string;
}

/**
 * A local webhook receiver on 127.0.0.1 that records what arrives. `respond` decides the status
 * per delivery (default 200), so tests can make deliveries fail and redeliver them.
 */
export async function startWebhookReceiver(respond: (hook: ReceivedWebhook) => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const hook = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(hook);
      res.writeHead(respond(hook), { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/api/github/webhooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
