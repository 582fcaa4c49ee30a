/**
 * Work a webhook starts but does not wait for (evidence re-evaluation reads GitHub at length): run
 * one at a time, errors logged. `idle()` resolves when everything queued so far has run.
 */
export function createBackground(onError: (error: unknown, what: string) => void) {
  let tail: Promise<void> = Promise.resolve();
  return {
    run(what: string, work: () => Promise<unknown>): void {
      tail = tail.then(() =>
        work().then(
          () => undefined,
          (error: unknown) => onError(error, what),
        ),
      );
    },
    async idle(): Promise<void> {
      let current: Promise<void>;
      do {
        current = tail;
        await current;
      } while (current !== tail);
    },
  };
}
export type Background = ReturnType<typeof createBackground>;
