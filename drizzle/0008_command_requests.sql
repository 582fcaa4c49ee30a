CREATE TABLE "command_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "command_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"comment_id" bigint NOT NULL,
	"repository" text NOT NULL,
	"issue_number" integer NOT NULL,
	"author" text NOT NULL,
	"body" text NOT NULL,
	"delivery_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"tries" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"done_at" timestamp with time zone,
	CONSTRAINT "command_requests_comment_id_unique" UNIQUE("comment_id")
);
--> statement-breakpoint
CREATE INDEX "command_requests_due_idx" ON "command_requests" USING btree ("next_attempt_at","id") WHERE "command_requests"."done_at" is null;