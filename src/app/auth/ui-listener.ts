import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface UiListener {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The board and API without sign-in: their own HTTP server bound to 127.0.0.1 only (`app.ui_port`;
 * 0 picks a free port), so only someone on this machine (or through an SSH tunnel) reads them. The
 * host is not configurable on purpose: serving them further needs sign-in (`app.public_ui`).
 */
export async function startUiListener(
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
  onError: (error: unknown) => void,
): Promise<UiListener> {
  let hosts: ReadonlySet<string> = new Set();
  const server = createServer((req, res) => {
    // A web page that rebinds its own name to 127.0.0.1 would otherwise read the board through the
    // operator's browser: only requests addressed to this listener by a loopback name are served.
    if (!hosts.has((req.headers.host ?? "").toLowerCase())) {
      res.writeHead(421, { "content-type": "text/plain; charset=utf-8" });
      res.end("misdirected request: address this listener as 127.0.0.1 or localhost\n");
      return;
    }
    handler(req, res)
      .then((handled) => {
        if (!handled && !res.headersSent) {
          res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
          res.end("not found: this listener serves /board, /api/v1 and /api/health\n");
        }
      })
      .catch((error: unknown) => {
        onError(error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  hosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`, `[::1]:${bound}`]);
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
