CREATE TABLE "ticket_policy_skips" (
	"ticket_id" bigint PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"policy" text NOT NULL,
	"rule" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ticket_policy_skips" ADD CONSTRAINT "ticket_policy_skips_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dispatch_cycles_lock_held_idx" ON "dispatch_cycles" USING btree ("holder","fencing_token") WHERE "dispatch_cycles"."outcome" = 'lock_held';--> statement-breakpoint
CREATE INDEX "tickets_pick_idx" ON "tickets" USING btree ("priority","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_state_pick_idx" ON "tickets" USING btree ("state","priority","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_repository_pick_idx" ON "tickets" USING btree ("repository","priority","created_at","id");