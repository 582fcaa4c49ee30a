import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, notFoundError } from "../http/http-error.js";
import type { RequestLog } from "../http/request-log.js";
import { presentApp } from "../presenters/apps.js";
import type { View } from "../presenters/view.js";
import { type ManifestFlow, ManifestSchema } from "./flow.js";

/** The manifest flow's routes, as the request log names them. */
export const MANIFEST_ROUTES = {
  newApp: "/settings/apps/new",
  newOrgApp: "/organizations/{org}/settings/apps/new",
  conversion: "/app-manifests/{code}/conversions",
} as const;

const ORG_NEW_APP = /^\/organizations\/([A-Za-z0-9-]{1,39})\/settings\/apps\/new\/?$/;
const CONVERSION = /^\/app-manifests\/([^/]+)\/conversions\/?$/;

export interface ManifestHttpDeps {
  readonly view: () => View;
  readonly flow: ManifestFlow;
  readonly log: RequestLog;
}

/**
 * Serves the manifest flow (src/github-standin/manifest/flow.ts): the browser's form post to
 * `/settings/apps/new`, answered with the redirect GitHub's confirmation page would send, and
 * `POST /app-manifests/{code}/conversions` (operation `apps/create-from-manifest`, no credential).
 * Returns false for every other path.
 */
export async function handleManifestRequest(
  deps: ManifestHttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const view = deps.view();
  const url = new URL(req.url ?? "/", view.urls.api);
  const path = url.pathname;
  const org = ORG_NEW_APP.exec(path)?.[1];
  const code = CONVERSION.exec(path)?.[1];
  const template =
    path.replace(/\/$/, "") === MANIFEST_ROUTES.newApp
      ? MANIFEST_ROUTES.newApp
      : org !== undefined
        ? MANIFEST_ROUTES.newOrgApp
        : code !== undefined
          ? MANIFEST_ROUTES.conversion
          : null;
  if (template === null) return false;
  const method = (req.method ?? "GET").toUpperCase();
  const body = await readText(req);
  const log = (status: number) =>
    deps.log.record({
      requestId: randomBytes(4).toString("hex").toUpperCase(),
      method,
      route: `${method} ${template}`,
      operationId: template === MANIFEST_ROUTES.conversion ? "apps/create-from-manifest" : null,
      path,
      status,
      mutation: method === "POST",
      notModified: false,
      faults: [],
      timestamp: view.world.now(),
    });
  if (method !== "POST") {
    sendJson(res, 404, notFoundError().body());
    log(404);
    return true;
  }
  if (code !== undefined) {
    const registration = deps.flow.convert(decodeURIComponent(code));
    if (!registration) {
      sendJson(res, 404, notFoundError().body());
      log(404);
      return true;
    }
    sendJson(res, 201, {
      ...presentApp(view, registration.app),
      client_id: registration.app.clientId,
      client_secret: registration.clientSecret,
      webhook_secret: registration.webhookSecret,
      pem: registration.privateKey,
    });
    log(201);
    return true;
  }
  // The browser's form: `manifest` (JSON) and an optional `state`, form-encoded.
  const form = new URLSearchParams(body);
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(form.get("manifest") ?? "");
  } catch {
    manifestJson = undefined;
  }
  const manifest = ManifestSchema.safeParse(manifestJson);
  if (!manifest.success || !manifest.data.redirect_url) {
    const problem = manifest.success
      ? "the manifest has no redirect_url"
      : manifest.error.issues.map((i) => `${i.path.join(".") || "manifest"}: ${i.message}`).join("; ");
    sendJson(res, 422, new HttpError(422, `Invalid GitHub App manifest: ${problem}`).body());
    log(422);
    return true;
  }
  const started = deps.flow.start(manifest.data, org ?? null);
  const target = new URL(manifest.data.redirect_url);
  target.searchParams.set("code", started.code);
  const state = form.get("state");
  if (state) target.searchParams.set("state", state);
  res
    .writeHead(302, { location: target.toString(), "content-type": "text/plain" })
    .end(`Found. Redirecting to ${target}`);
  log(302);
  return true;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
