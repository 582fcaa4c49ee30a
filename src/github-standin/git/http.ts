/**
 * git's smart HTTP protocol for the stand-in's remotes (`/_git/<owner>/<name>.git/...`), served by
 * git's own `git http-backend` (CGI), so clients speak to it exactly as to github.com. Reading is
 * open (public repositories); a push needs HTTP basic auth whose password is an installation token
 * of an app installed on the repository with `contents: write` (as `x-access-token:<token>`), else
 * 401/403 as GitHub answers. See ./remotes.ts for what a push changes in the world.
 */
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate } from "../http/auth.js";
import { installationCovers, permits } from "../world/apps.js";
import type { GitRemotes } from "./remotes.js";

export const GIT_PATH = "/_git/";

/** Answers a git request and returns true, or returns false for any other path. */
export async function handleGitRequest(
  remotes: GitRemotes,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://standin");
  if (!url.pathname.startsWith(GIT_PATH)) return false;
  const match = /^\/_git\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
  const bare = match ? remotes.bareOf(match[1] ?? "", match[2] ?? "") : undefined;
  const repo = match ? remotes.world.state.repositoryByName(match[1] ?? "", match[2] ?? "") : undefined;
  if (!match || !bare || !repo || !remotes.root) {
    res.writeHead(404, { "content-type": "text/plain" }).end("Repository not found.\n");
    return true;
  }
  const pushing = url.searchParams.get("service") === "git-receive-pack" || match[3] === "/git-receive-pack";
  let byApp = false;
  if (pushing) {
    const refusal = pushRefusal(remotes, req.headers.authorization, repo);
    if (refusal) {
      const headers: Record<string, string> = { "content-type": "text/plain" };
      if (refusal.status === 401) headers["www-authenticate"] = 'Basic realm="GitHub"';
      res.writeHead(refusal.status, headers).end(`${refusal.message}\n`);
      return true;
    }
    byApp = true;
  }
  const before = pushing ? await remotes.refs(bare) : new Map<string, string>();
  const child = spawn("git", ["http-backend"], {
    env: {
      GIT_PROJECT_ROOT: remotes.root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: url.pathname.slice(GIT_PATH.length - 1),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_ADDR: "127.0.0.1",
      ...(pushing ? { REMOTE_USER: "x-access-token" } : {}),
      ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] } : {}),
      ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  req.pipe(child.stdin);
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve) => child.once("close", () => resolve()));
  // The world shows the push before the client hears it landed (a report then verifies at once).
  if (pushing && match[3] === "/git-receive-pack") await remotes.landed(repo, bare, before, byApp);
  const output = Buffer.concat(chunks);
  const split = output.indexOf("\r\n\r\n");
  const head = output.subarray(0, Math.max(split, 0)).toString("latin1");
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  res.writeHead(status, headers).end(output.subarray(split < 0 ? 0 : split + 4));
  return true;
}

/** Why a push is refused (GitHub's words), or null for an installation token that may write. */
function pushRefusal(
  remotes: GitRemotes,
  authorization: string | undefined,
  repo: Parameters<typeof installationCovers>[1],
): { status: number; message: string } | null {
  const basic = /^basic\s+(\S+)$/i.exec(authorization?.trim() ?? "");
  if (!basic?.[1]) return { status: 401, message: "Authentication required" };
  const [, password = ""] = Buffer.from(basic[1], "base64").toString("utf8").split(/:(.*)/s);
  const credential = authenticate(remotes.world.state, `token ${password}`);
  if (credential.kind !== "installation") return { status: 401, message: "Invalid username or token." };
  const { token, installation } = credential;
  const reaches = installationCovers(installation, repo) && (token.repositoryIds?.has(repo.id) ?? true);
  if (!reaches || !permits(token.permissions, "contents", "write"))
    return { status: 403, message: "Permission to push denied to the installation token." };
  return null;
}
