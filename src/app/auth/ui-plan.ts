import { z } from "zod";

/** GitHub sign-in, from the environment: the App's OAuth client and the session-signing secret. */
export interface SignInSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** At least 32 characters; signs the session cookie (HS256, jose). */
  readonly sessionSecret: string;
}

const SignInSchema = z.object({
  clientId: z.string().trim().min(1, "GITHUB_CLIENT_ID is empty"),
  clientSecret: z.string().trim().min(1, "GITHUB_CLIENT_SECRET is empty"),
  sessionSecret: z
    .string()
    .min(32, "MCTL_SESSION_SECRET must be at least 32 characters (e.g. openssl rand -base64 48)"),
});

/**
 * Sign-in settings from GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET (the App's OAuth credentials, which
 * Probot's setup writes to .env) and MCTL_SESSION_SECRET: null when none is set; all three or an error.
 */
export function signInSettingsFrom(values: {
  readonly GITHUB_CLIENT_ID?: string | undefined;
  readonly GITHUB_CLIENT_SECRET?: string | undefined;
  readonly MCTL_SESSION_SECRET?: string | undefined;
}):
  | { readonly ok: true; readonly settings: SignInSettings | null }
  | { readonly ok: false; readonly message: string } {
  const raw = {
    clientId: values.GITHUB_CLIENT_ID,
    clientSecret: values.GITHUB_CLIENT_SECRET,
    sessionSecret: values.MCTL_SESSION_SECRET,
  };
  if (Object.values(raw).every((v) => v === undefined || v === "")) return { ok: true, settings: null };
  const parsed = SignInSchema.safeParse(raw);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const missing = Object.entries(raw)
    .filter(([, v]) => v === undefined || v === "")
    .map(
      ([k]) =>
        ({
          clientId: "GITHUB_CLIENT_ID",
          clientSecret: "GITHUB_CLIENT_SECRET",
          sessionSecret: "MCTL_SESSION_SECRET",
        })[k],
    );
  return {
    ok: false,
    message: missing.length
      ? `sign-in needs GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and MCTL_SESSION_SECRET; missing: ${missing.join(", ")}`
      : (parsed.error.issues[0]?.message ?? "sign-in settings are invalid"),
  };
}

/** Where the board and API are served: a loopback listener, or the public one behind sign-in. */
export type UiPlan =
  | { readonly kind: "loopback"; readonly port: number }
  | { readonly kind: "public"; readonly signIn: SignInSettings; readonly publicUrl: string };

/**
 * The safe default, decided once at start: without `app.public_ui` the board and API listen on
 * 127.0.0.1 only; with it, sign-in and `app.public_url` must be configured, or the app refuses to
 * start (an error saying what to set), rather than serve tickets to anyone who reaches it.
 */
export function planUi(
  app: { readonly public_ui: boolean; readonly ui_port: number; readonly public_url?: string | undefined },
  signIn: SignInSettings | null,
): { readonly ok: true; readonly plan: UiPlan } | { readonly ok: false; readonly message: string } {
  if (!app.public_ui) return { ok: true, plan: { kind: "loopback", port: app.ui_port } };
  if (!signIn)
    return {
      ok: false,
      message:
        "app.public_ui is true but sign-in is not configured: set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET (the GitHub App's OAuth credentials) and MCTL_SESSION_SECRET, or remove app.public_ui to serve the board and API on 127.0.0.1 only (app.ui_port)",
    };
  if (!app.public_url)
    return {
      ok: false,
      message:
        "app.public_ui is true but app.public_url is not set: sign-in needs it for GitHub's callback URL (<public_url>/login/callback)",
    };
  return { ok: true, plan: { kind: "public", signIn, publicUrl: app.public_url.replace(/\/+$/, "") } };
}
