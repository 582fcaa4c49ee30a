CREATE TABLE "alerts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"fingerprint" text NOT NULL,
	"condition" text NOT NULL,
	"subject" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"message" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"seen_count" integer DEFAULT 1 NOT NULL,
	"recurrence" integer DEFAULT 0 NOT NULL,
	"issue_number" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox_items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "inbox_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"ticket_id" bigint,
	"attempt_id" uuid,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"idempotency_key" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"audience" text NOT NULL,
	"delivered_to" text,
	"delivered_at" timestamp with time zone,
	"lease_expires_at" timestamp with time zone,
	"delivery_count" integer DEFAULT 0 NOT NULL,
	"handover_note" text,
	"result" jsonb,
	"acted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_setting_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "task_setting_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"task" text NOT NULL,
	"enabled" boolean NOT NULL,
	"previous" boolean NOT NULL,
	"actor_kind" "actor_kind" NOT NULL,
	"actor_id" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_settings" (
	"task" text PRIMARY KEY NOT NULL,
	"enabled" boolean NOT NULL,
	"changed_by" text NOT NULL,
	"reason" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_fingerprint_unique" ON "alerts" USING btree ("fingerprint");--> statement-breakpoint
CREATE INDEX "alerts_status_idx" ON "alerts" USING btree ("status","condition");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_items_idempotency_unique" ON "inbox_items" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "inbox_items_open_idx" ON "inbox_items" USING btree ("audience","state","id") WHERE "inbox_items"."state" <> 'acted';--> statement-breakpoint
CREATE INDEX "inbox_items_ticket_idx" ON "inbox_items" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE INDEX "task_setting_events_task_idx" ON "task_setting_events" USING btree ("task","id");