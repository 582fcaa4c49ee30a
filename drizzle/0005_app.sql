CREATE TABLE "command_replies" (
	"comment_id" bigint PRIMARY KEY NOT NULL,
	"repository" text NOT NULL,
	"issue_number" integer NOT NULL,
	"author" text NOT NULL,
	"command" text NOT NULL,
	"outcome" text NOT NULL,
	"reply" text NOT NULL,
	"reply_comment_id" bigint,
	"created_at" timestamp with time zone NOT NULL,
	"replied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dispatch_triggers" (
	"repository" text PRIMARY KEY NOT NULL,
	"triggered_at" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mirror_jobs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mirror_jobs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ticket_id" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"tries" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"repository" text,
	"status" text NOT NULL,
	"outcome" text,
	"error" text,
	"received_at" timestamp with time zone NOT NULL,
	"handled_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "mirror_jobs" ADD CONSTRAINT "mirror_jobs_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mirror_jobs_pending_idx" ON "mirror_jobs" USING btree ("ticket_id","id") WHERE "mirror_jobs"."done_at" is null;--> statement-breakpoint
CREATE INDEX "mirror_jobs_due_idx" ON "mirror_jobs" USING btree ("next_attempt_at","id") WHERE "mirror_jobs"."done_at" is null;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_idx" ON "webhook_deliveries" USING btree ("received_at");