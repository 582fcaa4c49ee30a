/**
 * A TCP proxy in front of PostgreSQL for outage tests: `down()` refuses new connections and cuts
 * every open one (as a database restart or a network partition does), `up()` forwards again. It
 * starts down. Its URL carries a password that trust authentication ignores: it stands for a real
 * one that must never be printed.
 */

import type { AddressInfo } from "node:net";
import { connect, createServer, type Server, type Socket } from "node:net";

export interface DatabaseProxy {
  readonly url: string;
  up(): void;
  down(): void;
  close(): Promise<void>;
}

export async function databaseProxy(target: URL): Promise<DatabaseProxy> {
  let down = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = new URL(target.href);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  // Trust authentication ignores it; it stands for a real password that must never be printed.
  url.password = "hunter2";
  return {
    url: url.href,
    up: () => {
      down = false;
    },
    down: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
