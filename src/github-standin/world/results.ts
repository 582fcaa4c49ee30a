/** Why a world operation refused, as data; the HTTP layer maps each reason to GitHub's response. */
export type Refusal =
  | { readonly ok: false; readonly reason: "not_found"; readonly what: string }
  | {
      readonly ok: false;
      readonly reason: "invalid";
      readonly resource: string;
      readonly field: string;
      readonly code: "missing" | "missing_field" | "invalid" | "already_exists" | "unprocessable" | "custom";
      readonly message?: string;
    }
  | { readonly ok: false; readonly reason: "conflict"; readonly message: string };

export type Result<T> = { readonly ok: true; readonly value: T } | Refusal;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const notFound = (what: string): Refusal => ({ ok: false, reason: "not_found", what });
export function invalid(
  resource: string,
  field: string,
  code: Extract<Refusal, { reason: "invalid" }>["code"],
  message?: string,
): Refusal {
  return message === undefined
    ? { ok: false, reason: "invalid", resource, field, code }
    : { ok: false, reason: "invalid", resource, field, code, message };
}
export const conflict = (message: string): Refusal => ({ ok: false, reason: "conflict", message });
