CREATE TABLE "evidence_reevaluations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evidence_reevaluations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"delivery_id" text NOT NULL,
	"event" text NOT NULL,
	"repository" text NOT NULL,
	"shas" jsonb NOT NULL,
	"whole_repository" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"tries" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"done_at" timestamp with time zone,
	CONSTRAINT "evidence_reevaluations_delivery_id_unique" UNIQUE("delivery_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_failures" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_failures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"delivery_id" text NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"repository" text,
	"error" text NOT NULL,
	"failed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "evidence_reevaluations_due_idx" ON "evidence_reevaluations" USING btree ("next_attempt_at","id") WHERE "evidence_reevaluations"."done_at" is null;--> statement-breakpoint
CREATE INDEX "webhook_failures_failed_idx" ON "webhook_failures" USING btree ("failed_at");--> statement-breakpoint
CREATE INDEX "webhook_failures_delivery_idx" ON "webhook_failures" USING btree ("delivery_id");