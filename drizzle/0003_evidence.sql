CREATE TABLE "evidence_check_runs" (
	"repository" text NOT NULL,
	"sha" text NOT NULL,
	"check_run_id" bigint NOT NULL,
	"app_id" bigint,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_decision_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evidence_decision_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ticket_id" bigint NOT NULL,
	"attempt_id" uuid NOT NULL,
	"verdict_id" bigint NOT NULL,
	"sha" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolution" text
);
--> statement-breakpoint
CREATE TABLE "evidence_http_cache" (
	"url" text PRIMARY KEY NOT NULL,
	"etag" text NOT NULL,
	"body" jsonb NOT NULL,
	"link" text,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_verdicts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evidence_verdicts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ticket_id" bigint NOT NULL,
	"attempt_id" uuid NOT NULL,
	"repository" text NOT NULL,
	"sha" text,
	"status" text NOT NULL,
	"criteria" jsonb NOT NULL,
	"summary" text NOT NULL,
	"fingerprint" text NOT NULL,
	"pending_since" timestamp with time zone,
	"ticket_outcome" text NOT NULL,
	"check_run_id" bigint,
	"publish_error" text,
	"checks" integer DEFAULT 1 NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL,
	"last_checked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evidence_decision_requests" ADD CONSTRAINT "evidence_decision_requests_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_decision_requests" ADD CONSTRAINT "evidence_decision_requests_verdict_id_evidence_verdicts_id_fk" FOREIGN KEY ("verdict_id") REFERENCES "public"."evidence_verdicts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_verdicts" ADD CONSTRAINT "evidence_verdicts_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_check_runs_sha_unique" ON "evidence_check_runs" USING btree ("repository","sha");--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_decision_requests_attempt_unique" ON "evidence_decision_requests" USING btree ("attempt_id");--> statement-breakpoint
CREATE INDEX "evidence_verdicts_attempt_idx" ON "evidence_verdicts" USING btree ("attempt_id","id");--> statement-breakpoint
CREATE INDEX "evidence_verdicts_sha_idx" ON "evidence_verdicts" USING btree ("repository","sha");--> statement-breakpoint
CREATE INDEX "evidence_verdicts_pending_idx" ON "evidence_verdicts" USING btree ("pending_since") WHERE "evidence_verdicts"."status" = 'pending';