/**
 * Ticket keys look like `MC-42`: a prefix of capital letters (configurable per installation) and a
 * positive sequence number. Keys are what people type, so parsing is strict and errors say why.
 */
export const DEFAULT_KEY_PREFIX = "MC";

const PREFIX_PATTERN = /^[A-Z][A-Z0-9]{0,9}$/;
const KEY_PATTERN = /^([A-Z][A-Z0-9]{0,9})-([1-9][0-9]{0,9})$/;

export type ParsedKey = { ok: true; prefix: string; number: number } | { ok: false; message: string };

export function isValidKeyPrefix(prefix: string): boolean {
  return PREFIX_PATTERN.test(prefix);
}

export function formatTicketKey(prefix: string, number: number): string {
  if (!isValidKeyPrefix(prefix)) throw new RangeError(`invalid ticket key prefix ${JSON.stringify(prefix)}`);
  if (!Number.isSafeInteger(number) || number < 1) throw new RangeError(`invalid ticket number ${number}`);
  return `${prefix}-${number}`;
}

/** Parses `MC-42` (case-insensitive input, canonical upper-case output). */
export function parseTicketKey(input: string): ParsedKey {
  const match = KEY_PATTERN.exec(input.trim().toUpperCase());
  if (!match) {
    return {
      ok: false,
      message: `"${input}" is not a ticket key: expected PREFIX-NUMBER such as ${DEFAULT_KEY_PREFIX}-42`,
    };
  }
  return { ok: true, prefix: match[1] as string, number: Number(match[2]) };
}

/** The branch a ticket's work is pushed to: the worker's worktree branch, and what evidence must name. */
export function ticketBranch(ticketKey: string): string {
  return `mission-control/${ticketKey}`;
}
