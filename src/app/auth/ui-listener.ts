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
  const server = createServer((req, res) => {
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
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
