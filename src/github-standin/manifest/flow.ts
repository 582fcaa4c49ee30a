/**
 * GitHub's app manifest flow (docs.github.com, "Registering a GitHub App from a manifest"), as the
 * stand-in plays it:
 * 1. the person's browser POSTs a form field `manifest` (JSON) to `/settings/apps/new` (or
 *    `/organizations/{org}/settings/apps/new`); GitHub shows a confirmation page, which here is
 *    skipped: the stand-in answers 302 to the manifest's `redirect_url` with `?code=` (and `state`);
 * 2. the app exchanges the code, within an hour and once, with `POST /app-manifests/{code}/conversions`
 *    (no credential) for the registered app: its id, `pem` (private key), `webhook_secret`,
 *    `client_id` and `client_secret`.
 * The registered app exists in the world like any other (its JWTs verify); its webhook URL and
 * secret are recorded in `registrations` for tests to check (the stand-in keeps delivering to the
 * webhook target it was started with).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { z } from "zod";
import { createApp } from "../world/apps.js";
import type { WorldState } from "../world/world-state.js";
import type { AppPermissions, AppRecord } from "../world/types.js";

/** The manifest fields GitHub reads (others are refused by GitHub's form as well). */
export const ManifestSchema = z.object({
  name: z.string().trim().min(1).max(34),
  url: z.string().url(),
  hook_attributes: z.object({ url: z.string().url(), active: z.boolean().optional() }).optional(),
  redirect_url: z.string().url().optional(),
  callback_urls: z.array(z.string().url()).max(10).optional(),
  setup_url: z.string().url().optional(),
  description: z.string().max(1000).optional(),
  public: z.boolean().optional(),
  default_events: z.array(z.string()).optional(),
  default_permissions: z.record(z.string(), z.enum(["read", "write", "admin"])).optional(),
  request_oauth_on_install: z.boolean().optional(),
  setup_on_update: z.boolean().optional(),
  version: z.string().optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** An app registered through the flow, as a test inspects it. */
export interface Registration {
  readonly app: AppRecord;
  readonly manifest: Manifest;
  /** `hook_attributes.url`, or null when the manifest set none (GitHub then sends no webhooks). */
  readonly webhookUrl: string | null;
  readonly webhookSecret: string;
  readonly clientSecret: string;
  readonly privateKey: string;
}

interface Pending {
  readonly manifest: Manifest;
  readonly owner: string | null;
  readonly expiresAt: number;
}

/** How long a code may be exchanged (GitHub: one hour). */
const CODE_TTL_MS = 3_600_000;

export class ManifestFlow {
  readonly #pending = new Map<string, Pending>();
  readonly #registrations: Registration[] = [];

  constructor(private readonly world: WorldState) {}

  get registrations(): readonly Registration[] {
    return this.#registrations;
  }

  /** Step 1: a valid manifest gets a one-time code; the answer is where the browser goes next. */
  start(manifest: Manifest, owner: string | null): { readonly code: string } {
    const code = randomBytes(20).toString("hex");
    this.#pending.set(code, { manifest, owner, expiresAt: this.world.now() + CODE_TTL_MS });
    return { code };
  }

  /** Step 2: the code, once, for the registered app; null for an unknown, used or expired code. */
  convert(code: string): Registration | null {
    const pending = this.#pending.get(code);
    this.#pending.delete(code);
    if (!pending || pending.expiresAt <= this.world.now()) return null;
    const { manifest } = pending;
    const keys = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    const slug = uniqueSlug(this.world, manifest.name);
    const app = createApp(this.world, {
      slug,
      name: manifest.name,
      owner: pending.owner ?? "octocat",
      publicKey: keys.publicKey,
      ...(manifest.default_permissions
        ? { permissions: manifest.default_permissions as AppPermissions }
        : {}),
      ...(manifest.default_events ? { events: manifest.default_events } : {}),
    });
    const registration: Registration = {
      app,
      manifest,
      webhookUrl: manifest.hook_attributes?.url ?? null,
      webhookSecret: randomBytes(20).toString("hex"),
      clientSecret: randomBytes(20).toString("hex"),
      privateKey: keys.privateKey,
    };
    this.#registrations.push(registration);
    return registration;
  }
}

function uniqueSlug(world: WorldState, name: string): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "app";
  const taken = new Set([...world.apps.values()].map((a) => a.slug));
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}
