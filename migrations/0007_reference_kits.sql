CREATE TABLE "reference_kit_members" (
	"kit_id" text NOT NULL,
	"job_id" text NOT NULL,
	"dataset_id" text NOT NULL,
	"domain" text NOT NULL,
	CONSTRAINT "reference_kit_members_kit_id_job_id_pk" PRIMARY KEY("kit_id","job_id")
);
--> statement-breakpoint
CREATE TABLE "reference_kits" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"model" text NOT NULL,
	"tenant_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "scopes" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "reference_kit_members" ADD CONSTRAINT "reference_kit_members_kit_id_reference_kits_id_fk" FOREIGN KEY ("kit_id") REFERENCES "public"."reference_kits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reference_kit_members" ADD CONSTRAINT "reference_kit_members_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reference_kit_members" ADD CONSTRAINT "reference_kit_members_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reference_kits" ADD CONSTRAINT "reference_kits_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reference_kit_members_job_idx" ON "reference_kit_members" USING btree ("job_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reference_kits_name_key" ON "reference_kits" USING btree ("name");--> statement-breakpoint
CREATE INDEX "reference_kits_model_idx" ON "reference_kits" USING btree ("model","id");