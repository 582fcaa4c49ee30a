/** GitHub's general REST documentation link, used when no more specific page applies. */
export const DOCS_URL = "https://docs.github.com/rest";

/** One entry of a 422 "Validation Failed" body. */
export interface ValidationErrorItem {
  readonly resource?: string;
  readonly field?: string;
  readonly code: string;
  readonly message?: string;
  readonly value?: string | number | null;
}

/**
 * An error response in GitHub's shape: `{ message, documentation_url, status }`, plus `errors`
 * for validation failures. Route handlers throw it; the server renders it.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly status: number,
    message: string,
    readonly details: {
      readonly errors?: readonly ValidationErrorItem[];
      readonly documentationUrl?: string;
      readonly headers?: Readonly<Record<string, string>>;
    } = {},
  ) {
    super(message);
  }

  /** Keeps the low-level error that caused this response (for debugging; never sent). */
  withCause(cause: unknown): this {
    Object.defineProperty(this, "cause", { value: cause, enumerable: false });
    return this;
  }

  body(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      message: this.message,
      documentation_url: this.details.documentationUrl ?? DOCS_URL,
      status: String(this.status),
    };
    if (this.details.errors) body.errors = this.details.errors;
    return body;
  }
}

export const notFoundError = () => new HttpError(404, "Not Found");

/** GitHub's 422 for a request that parsed but cannot be applied. */
export function validationFailed(
  errors: readonly ValidationErrorItem[],
  message = "Validation Failed",
): HttpError {
  return new HttpError(422, message, { errors });
}
