/** The app's port: checked before anything starts, so a taken port is one clear error. */
import { createServer } from "node:net";

/** Where the app listens (the printed board URL says localhost, which reaches it). */
export const DEMO_HOST = "127.0.0.1";

export class PortInUseError extends Error {
  override readonly name = "PortInUseError";
}

/**
 * Reserves `port` on `host` for a moment to learn that it is free (0: any free port, whose number
 * is returned). Probot's server then listens on it; Probot itself cannot listen on port 0.
 */
export async function choosePort(port: number, host: string): Promise<number> {
  const server = createServer();
  const chosen = await new Promise<number>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE")
        reject(new PortInUseError(`port ${port} is already in use; pass --port <n> (0 picks a free one)`));
      else if (error.code === "EACCES")
        reject(
          new PortInUseError(`port ${port} needs privileges this process lacks; pass --port <n> above 1023`),
        );
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return chosen;
}
