ALTER TABLE "attempts" ADD COLUMN "run_repository" text;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "run_id" text;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "run_attempt" integer;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "base_sha" text;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "run_completed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "attempts_run_idx" ON "attempts" USING btree ("run_repository","run_id");