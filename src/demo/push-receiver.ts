/**
 * How a push to the demo's `origin` reaches "GitHub" as it would on github.com: at once. The bare
 * repository's `post-receive` hook (push-hook.ts) posts the ref updates here and the push waits
 * for the answer, so by the time an agent's `git push` returns — and so before its worker can claim
 * completion — the commit is on the GitHub stand-in. (A verifier that looked before it got there
 * would find no commit: a pending verdict for `evidence.missing_commit_grace_seconds`, then a
 * failed one.)
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { z } from "zod";

export const RefUpdateSchema = z.object({
  old: z.string().regex(/^[0-9a-f]{40}$/),
  new: z.string().regex(/^[0-9a-f]{40}$/),
  ref: z.string().min(1).max(500),
});
export type RefUpdate = z.infer<typeof RefUpdateSchema>;
const PushSchema = z.object({ updates: z.array(RefUpdateSchema).max(1000) });

export interface PushReceiver {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (random port); `receive` runs while the push waits. */
export async function startPushReceiver(
  receive: (updates: readonly RefUpdate[]) => Promise<void>,
): Promise<PushReceiver> {
  const token = randomBytes(24).toString("hex");
  const server = createServer((request, response) => {
    const reply = (status: number, message: string) => {
      response.writeHead(status, { "content-type": "text/plain" }).end(`${message}\n`);
    };
    if (request.method !== "POST" || request.url !== "/push") {
      reply(404, "POST /push only");
      return;
    }
    if (!tokenMatches(request.headers.authorization, token)) {
      reply(401, "wrong token");
      return;
    }
    readJson(request)
      .then(async (body) => {
        const parsed = PushSchema.safeParse(body);
        if (!parsed.success) {
          reply(400, `invalid push: ${parsed.error.issues[0]?.message ?? "?"}`);
          return;
        }
        await receive(parsed.data.updates);
        reply(200, "ok");
      })
      .catch((error: unknown) => reply(500, `the demo could not take the push: ${String(error)}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/push`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Installs the `post-receive` hook of a bare repository: the built push-hook.js, run by this Node. */
export async function installPushHook(
  bareRepository: string,
  receiver: { url: string; token: string },
  hookProgram: string,
): Promise<void> {
  const hook = path.join(bareRepository, "hooks", "post-receive");
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  await writeFile(
    hook,
    [
      "#!/bin/sh",
      "# Mission Control demo: tell the demo about this push before the pusher's `git push` returns.",
      `MCTL_DEMO_PUSH_TOKEN=${quote(receiver.token)} exec ${quote(process.execPath)} ${quote(hookProgram)} ${quote(receiver.url)}`,
      "",
    ].join("\n"),
  );
  await chmod(hook, 0o700);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.replace(/^Bearer\s+/i, "") ?? "");
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error("push notice too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}
