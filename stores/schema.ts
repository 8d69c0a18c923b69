// The tables of plan33's own store, typed for Kysely. One row per fact, keyed so that a retried
// activity writes the same row again instead of a second one (insert-if-absent, or an upsert
// that keeps the first result). Timestamps are workflow/server time, not the host's clock.
import type { ColumnType, Insertable, Selectable } from 'kysely';

/** Written as a Date or ISO string, read back as a Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in (now()) when the insert leaves it out. */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: written as a JSON string (pg turns a JS array into a PostgreSQL array, not JSON), read as the value. */
type Json<T> = ColumnType<T, string, string>;

/** The delivery ledger: one row per touch key (and per agent notice key), the sending mark first. */
export interface DeliveriesTable {
  key: string;
  channel: string | null;
  /** `sent`, `failed` or `skipped`; null while only the sending mark is there. */
  outcome: string | null;
  reason: string | null;
  reference: string | null;
  /** The whole result as the activity returned it (assignee included). */
  result: Json<unknown> | null;
  /** Written before a send: when the attempt began, and where it went / what it said. */
  sending_started_at: Timestamp | null;
  sending_mark: Json<unknown> | null;
  recorded_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

/** Phone number (SHA-256 of E.164) -> person, for inbound SMS. */
export interface ContactsTable {
  phone_hash: string;
  customer_id: string;
  workflow_id: string;
  updated_at: GeneratedTimestamp;
}

export const TASK_STATES = ['open', 'reminded', 'escalated', 'done'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Work for people: call and reply tasks for agents, postal items for fulfilment. */
export interface TasksTable {
  task_id: string;
  type: 'call' | 'reply' | 'postal' | 'lead';
  customer_id: string;
  /** Who has it now (null for postal items). */
  agent: string | null;
  /** The customer's own agent. */
  owner: string | null;
  state: TaskState;
  due_at: Timestamp | null;
  given_at: Timestamp | null;
  reminded_at: Timestamp | null;
  escalated_at: Timestamp | null;
  completed_at: Timestamp | null;
  outcome: string | null;
  notes: string | null;
  /** The task as handed over (what the agent's inbox and the CRM see). */
  payload: Json<unknown>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** One row per person on a plan: where their year stands (written by the workflow's activities). */
export interface CustomersTable {
  customer_id: string;
  workflow_id: string;
  name: string;
  agent: string;
  plan: string;
  plan_year: number;
  /** `running`, `paused`, `cancelled` (lost) or `year-complete`. */
  state: string;
  referrals: number;
  updated_at: Timestamp;
  /** In the holdout group (HOLDOUT_PERCENT): only the transactional minimum. */
  holdout: ColumnType<boolean, boolean | undefined, boolean>;
}

/** One row per touch outcome of a plan year (sent by a delivery, or skipped/failed by the year). */
export interface TouchOutcomesTable {
  key: string;
  customer_id: string;
  agent: string;
  plan: string;
  plan_year: number;
  seq: number;
  kind: string;
  channel: string;
  outcome: string;
  reason: string | null;
  /** When it was due (the customer's local time, stored as an instant). */
  at: Timestamp;
  done_at: Timestamp;
}

export interface DealsTable {
  customer_id: string;
  deal_id: string;
  closed_at: string;
  value: number | null;
  recorded_at: Timestamp;
}

export interface ReferralsTable {
  customer_id: string;
  referral_id: string;
  plan_year: number;
  recorded_at: Timestamp;
  /** The touch whose referral link brought it, when known. */
  via_key: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One row per lead (a person before a deal): unique by email and by phone (the merge keys). */
export interface LeadsTable {
  lead_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  source: string;
  source_text: string | null;
  stage: string;
  agent: string | null;
  assigned_at: Timestamp | null;
  captures: ColumnType<number, number | undefined, number>;
  reason: string | null;
  payload: Json<unknown>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** Every stage a lead reached, when, with whom: conversion by source and by agent. */
export interface LeadStagesTable {
  lead_id: string;
  stage: string;
  at: Timestamp;
  agent: string | null;
  source: string;
  reason: string | null;
}

/** A send about to happen under the contact limit (written under the person's lock, before the send). */
export interface ContactReservationsTable {
  key: string;
  customer_id: string;
  channel: string;
  at: Timestamp;
}

/** Who shares printed cards at one address (the household key of plan/household.ts). */
export interface HouseholdMembersTable {
  household: string;
  customer_id: string;
  name: string;
  updated_at: GeneratedTimestamp;
}

/** A shared printed item a household got: one per household and item, whoever sent it. */
export interface HouseholdItemsTable {
  household: string;
  item: string;
  task_id: string;
  customer_id: string;
  created_at: GeneratedTimestamp;
}

/** How the customer said they heard of the business, after the deal (and what the lead said). */
export interface SourceConfirmationsTable {
  customer_id: string;
  source: string;
  text: string | null;
  captured_source: string | null;
  confirmed_at: GeneratedTimestamp;
}

/** Every touch of a customer-year with its cost and owner: the plan's budget. */
export interface PlannedTouchesTable {
  key: string;
  customer_id: string;
  workflow_id: string;
  plan: string;
  plan_year: number;
  segment: string | null;
  kind: string;
  channel: string;
  at: Timestamp;
  /** numeric: read back as a string. */
  cost: ColumnType<string, number, number>;
  owner: string;
  dropped: boolean;
}

/** One NPS answer per survey (its touch key): single use. */
export interface NpsResponsesTable {
  survey_id: string;
  customer_id: string;
  plan: string;
  plan_year: number;
  score: number;
  why: string | null;
  to_ten: string | null;
  language: string;
  answered_at: Timestamp;
}

/** A customer's value class and its figures, recomputed daily from the deals (not the business's own `segment`). */
export interface CustomerSegmentsTable {
  customer_id: string;
  /** numeric: read back as a string. */
  revenue: ColumnType<string, number, number>;
  abc: 'A' | 'B' | 'C';
  recency: number;
  frequency: number;
  monetary: number;
  vip: boolean;
  /** The value class whose `classes` plan overrides apply: `vip`, `a`, `b` or `c` (migration 0013 renamed it from `segment`). */
  value_class: string;
  computed_at: Timestamp;
}

/** A one-time sign-in link of the web app (by the token's SHA-256). */
export interface WebSignInsTable {
  token_hash: string;
  user_id: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** A web app session (by the cookie id's SHA-256), with its CSRF token. */
export interface WebSessionsTable {
  id_hash: string;
  user_id: string;
  role: 'agent' | 'manager';
  csrf: string;
  expires_at: Timestamp;
}

/** A forget or export request: who asked and how many rows, no personal data. */
export interface PrivacyAuditTable {
  id: ColumnType<string, never, never>;
  action: 'forget' | 'export';
  subject_hash: string;
  actor: string;
  rows: Json<Record<string, number>>;
  at: GeneratedTimestamp;
}

export interface Database {
  deliveries: DeliveriesTable;
  contacts: ContactsTable;
  tasks: TasksTable;
  customers: CustomersTable;
  touch_outcomes: TouchOutcomesTable;
  deals: DealsTable;
  referrals: ReferralsTable;
  leads: LeadsTable;
  lead_stages: LeadStagesTable;
  contact_reservations: ContactReservationsTable;
  household_members: HouseholdMembersTable;
  household_items: HouseholdItemsTable;
  source_confirmations: SourceConfirmationsTable;
  planned_touches: PlannedTouchesTable;
  nps_responses: NpsResponsesTable;
  customer_segments: CustomerSegmentsTable;
  web_sign_ins: WebSignInsTable;
  web_sessions: WebSessionsTable;
  privacy_audit: PrivacyAuditTable;
}

export type TaskRow = Selectable<TasksTable>;
export type NewTouchOutcome = Insertable<TouchOutcomesTable>;
