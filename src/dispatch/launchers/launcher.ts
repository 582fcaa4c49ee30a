/** What a launcher needs to start one worker for one attempt. */
export interface LaunchRequest {
  readonly ticket: string;
  readonly attempt: string;
  /** Idempotency key: launching the same key twice starts at most one worker. */
  readonly launchKey: string;
}

export type LaunchResult =
  | { readonly ok: true; readonly detail: string; readonly duplicate: boolean }
  | {
      readonly ok: false;
      readonly error: string;
      /**
       * Set when the launch failed because of the configuration (no agent command, the workflow not
       * found, GitHub refusing the dispatch's inputs): what a person must change. Such a failure
       * is a `launch_config_error`: it spends none of the ticket's attempts, raises an operator
       * alert and makes `mctl dispatch` fail, since retrying cannot help until someone fixes it.
       */
      readonly fix?: string;
    };

/** Starts workers. Implementations: a local command, or a GitHub Actions workflow dispatch. */
export interface Launcher {
  readonly kind: string;
  launch(request: LaunchRequest): Promise<LaunchResult>;
}

/** Replaces {ticket}, {attempt} and {launch_key} in each argument. */
export function fillPlaceholders(argv: readonly string[], request: LaunchRequest): string[] {
  return argv.map((arg) =>
    arg
      .replaceAll("{ticket}", request.ticket)
      .replaceAll("{attempt}", request.attempt)
      .replaceAll("{launch_key}", request.launchKey),
  );
}
