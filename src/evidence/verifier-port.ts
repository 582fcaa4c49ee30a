import type { AttemptRow, EvidenceCheckRunRow, EvidenceVerdictRow, TicketRow } from "../db/schema.js";
import type { Clock, RecordVerdictResult, VerdictInput } from "../lifecycle/index.js";

/**
 * The lifecycle calls the verifier makes, and nothing else (a whole `Lifecycle` satisfies it). The
 * names are the lifecycle's own, so a test double or another writer module can stand in for it.
 */
export interface VerifierLifecycle {
  readonly clock: Clock;
  findTicket(key: string): Promise<TicketRow | undefined>;
  findAttempt(attemptId: string): Promise<AttemptRow | undefined>;
  readonly evidence: VerifierEvidenceStore;
}

/** The evidence verdicts and check runs, as the verifier reads and records them. */
export interface VerifierEvidenceStore {
  /** Stores a verdict and what it does to the ticket, in one transaction. */
  recordVerdict(input: VerdictInput): Promise<RecordVerdictResult>;
  /** Where a verdict was published (or why not), and the commit's check run. */
  recordPublication(input: {
    verdictId: number;
    repository: string;
    sha: string;
    checkRunId: number | null;
    appId: number | null;
    error: string | null;
  }): Promise<void>;
  latestVerdictOf(attemptId: string): Promise<EvidenceVerdictRow | undefined>;
  checkRunOf(repository: string, sha: string): Promise<EvidenceCheckRunRow | undefined>;
  knownSelfAppId(): Promise<number | null>;
  verifyingTickets(repository: string): Promise<{ ticket: TicketRow; attempt: AttemptRow }[]>;
  stalePendingVerdicts(cutoff: Date): Promise<{ verdict: EvidenceVerdictRow; ticketKey: string }[]>;
}
