/**
 * What happened in the world, as data. Every mutation emits one of these; the webhook layer turns
 * them into GitHub event payloads. Events carry ids, and are rendered when emitted, so a payload
 * shows the world as it was at that moment.
 */
export type WorldEvent =
  | {
      readonly kind: "issues";
      readonly action: "opened" | "edited" | "closed" | "reopened" | "labeled" | "unlabeled";
      readonly repositoryId: number;
      readonly issueNumber: number;
      readonly senderId: number;
      readonly labelId?: number;
      readonly changes?: { readonly title?: { from: string }; readonly body?: { from: string | null } };
    }
  | {
      readonly kind: "issue_comment";
      readonly action: "created" | "edited";
      readonly repositoryId: number;
      readonly issueNumber: number;
      readonly commentId: number;
      readonly senderId: number;
      readonly changes?: { readonly body: { from: string } };
    }
  | {
      readonly kind: "label";
      readonly action: "created";
      readonly repositoryId: number;
      readonly labelId: number;
      readonly senderId: number;
    }
  | {
      readonly kind: "check_run";
      readonly action: "created" | "completed";
      readonly repositoryId: number;
      readonly checkRunId: number;
      readonly senderId: number;
    }
  | {
      readonly kind: "status";
      readonly repositoryId: number;
      readonly statusId: number;
      readonly senderId: number;
    }
  | {
      readonly kind: "deployment";
      readonly action: "created";
      readonly repositoryId: number;
      readonly deploymentId: number;
      readonly senderId: number;
    }
  | {
      readonly kind: "deployment_status";
      readonly action: "created";
      readonly repositoryId: number;
      readonly deploymentId: number;
      readonly statusId: number;
      readonly senderId: number;
    }
  | {
      readonly kind: "pull_request";
      readonly action: "opened" | "closed" | "reopened" | "synchronize";
      readonly repositoryId: number;
      readonly number: number;
      readonly senderId: number;
    }
  | {
      readonly kind: "push";
      readonly repositoryId: number;
      readonly ref: string;
      readonly before: string;
      readonly after: string;
      readonly senderId: number;
    }
  | {
      readonly kind: "workflow_run";
      readonly action: "requested" | "in_progress" | "completed";
      readonly repositoryId: number;
      readonly runId: number;
      readonly senderId: number;
    }
  | {
      readonly kind: "workflow_job";
      readonly action: "queued" | "in_progress" | "completed";
      readonly repositoryId: number;
      readonly jobId: number;
      readonly senderId: number;
    };

export type WorldEventKind = WorldEvent["kind"];
export type WorldListener = (event: WorldEvent) => void;
