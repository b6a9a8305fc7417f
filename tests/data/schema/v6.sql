-- Frozen schema of kiosk.db version 6 (firmware/store.c migrations 1 to 6 as
-- they stood when schema 6 was added), with a few rows of each table.
-- tests/unit/test_migrations.c opens a file made from this with store_open
-- and checks that it reaches STORE_SCHEMA_VERSION with the rows intact.
-- NEVER edit: a new schema version gets a new file vN.sql instead.

CREATE TABLE tickets (
 id TEXT PRIMARY KEY,
 request_key TEXT NOT NULL UNIQUE,
 service_id TEXT NOT NULL,
 day TEXT NOT NULL,
 seq INTEGER NOT NULL,
 number TEXT NOT NULL,
 lang TEXT NOT NULL,
 status TEXT NOT NULL DEFAULT 'waiting',
 created_ms INTEGER NOT NULL,
 UNIQUE (service_id, day, seq));
CREATE INDEX tickets_waiting ON tickets (day, status, service_id);
CREATE TABLE outbox (
 seq INTEGER PRIMARY KEY AUTOINCREMENT,
 id TEXT NOT NULL UNIQUE,
 type TEXT NOT NULL,
 body TEXT NOT NULL,
 state TEXT NOT NULL DEFAULT 'pending'
  CHECK (state IN ('pending', 'delivered', 'dead')),
 attempts INTEGER NOT NULL DEFAULT 0,
 next_attempt_ms INTEGER NOT NULL DEFAULT 0,
 last_error TEXT,
 created_ms INTEGER NOT NULL,
 delivered_ms INTEGER);
CREATE INDEX outbox_due ON outbox (state, next_attempt_ms, seq);
CREATE INDEX outbox_order ON outbox (state, seq);
CREATE TABLE print_jobs (
 id INTEGER PRIMARY KEY AUTOINCREMENT,
 ticket_id TEXT NOT NULL REFERENCES tickets (id),
 data BLOB NOT NULL,
 state TEXT NOT NULL DEFAULT 'pending'
  CHECK (state IN ('pending', 'printed', 'failed')),
 attempts INTEGER NOT NULL DEFAULT 0,
 last_error TEXT,
 created_ms INTEGER NOT NULL,
 updated_ms INTEGER NOT NULL);
CREATE TABLE health (
 component TEXT PRIMARY KEY,
 ok INTEGER NOT NULL,
 message TEXT NOT NULL,
 updated_ms INTEGER NOT NULL);
CREATE TABLE appointments (
 id TEXT PRIMARY KEY,
 process_number TEXT NOT NULL,
 booking_code TEXT NOT NULL,
 service_id TEXT NOT NULL,
 day TEXT NOT NULL,
 slot_start_ms INTEGER NOT NULL,
 slot_minutes INTEGER NOT NULL DEFAULT 15,
 status TEXT NOT NULL DEFAULT 'booked'
  CHECK (status IN ('booked', 'cancelled', 'checked_in')),
 ticket_id TEXT REFERENCES tickets (id),
 updated_ms INTEGER NOT NULL);
CREATE UNIQUE INDEX appointments_code ON appointments 
 (process_number, booking_code);
CREATE INDEX appointments_day ON appointments (day);
CREATE TABLE catalogue (
 service_id TEXT PRIMARY KEY,
 letter TEXT NOT NULL,
 name TEXT NOT NULL,
 names TEXT NOT NULL DEFAULT '{}',
 updated_ms INTEGER NOT NULL);
CREATE TABLE sync_state (
 key TEXT PRIMARY KEY,
 value TEXT NOT NULL);

ALTER TABLE print_jobs ADD COLUMN claimed_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN kind TEXT NOT NULL DEFAULT 'walkin'
 CHECK (kind IN ('walkin', 'appointment'));
ALTER TABLE appointments ADD COLUMN holder_key BLOB
 CHECK (holder_key IS NULL OR length(holder_key) = 32);
CREATE INDEX appointments_holder ON appointments (day, holder_key);
ALTER TABLE tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN queue_service TEXT;
ALTER TABLE tickets ADD COLUMN counter_id TEXT;
ALTER TABLE tickets ADD COLUMN to_counter TEXT;
ALTER TABLE tickets ADD COLUMN calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN called_ms INTEGER;
ALTER TABLE tickets ADD COLUMN first_called_ms INTEGER;
ALTER TABLE tickets ADD COLUMN started_ms INTEGER;
ALTER TABLE tickets ADD COLUMN finished_ms INTEGER;
ALTER TABLE tickets ADD COLUMN transfer_ms INTEGER;
CREATE INDEX tickets_holder ON tickets (counter_id, status);
CREATE TABLE counters (
 id TEXT PRIMARY KEY,
 name TEXT NOT NULL,
 token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
 services TEXT NOT NULL,
 paused INTEGER NOT NULL DEFAULT 0,
 created_ms INTEGER NOT NULL,
 revoked_ms INTEGER);
CREATE UNIQUE INDEX counters_name ON counters (name) WHERE revoked_ms IS NULL;
CREATE TABLE site_events (
 id INTEGER PRIMARY KEY AUTOINCREMENT,
 type TEXT NOT NULL,
 day TEXT NOT NULL,
 number TEXT,
 counter_name TEXT,
 created_ms INTEGER NOT NULL);
CREATE INDEX site_events_day ON site_events (day, type);

INSERT INTO tickets (id, request_key, service_id, day, seq, number, lang, status, created_ms, kind, priority, queue_service, counter_id, to_counter, calls, called_ms, first_called_ms, started_ms, finished_ms, transfer_ms) VALUES
 ('6d1f6a2e-0c5b-4b8e-9d1e-2f3a4b5c6d7e', 'key-1', 'personalausweis', '2026-11-24', 1, 'A001', 'de', 'waiting', 1795510000000, 'walkin', 1, 'reisepass', NULL, 'c-2', 1, 1795510300000, 1795510300000, NULL, NULL, 1795510400000),
 ('7e2a7b3f-1d6c-4c9f-8e2f-3a4b5c6d7e8f', 'key-2', 'reisepass', '2026-11-24', 1, 'B001', 'en', 'done', 1795510060000, 'appointment', 0, NULL, 'c-1', NULL, 2, 1795510200000, 1795510100000, 1795510250000, 1795510900000, NULL);
INSERT INTO outbox (id, type, body, state, attempts, next_attempt_ms, last_error, created_ms, delivered_ms) VALUES
 ('11111111-2222-4333-8444-555555555555', 'ticket.issued', '{"id":"11111111-2222-4333-8444-555555555555","type":"ticket.issued"}', 'delivered', 1, 0, NULL, 1795510000000, 1795510001000),
 ('22222222-3333-4444-8555-666666666666', 'ticket.issued', '{"id":"22222222-3333-4444-8555-666666666666","type":"ticket.issued"}', 'dead', 3, 0, 'unknown event type', 1795510060000, NULL),
 ('33333333-4444-4555-8666-777777777777', 'ticket.issued', '{"id":"33333333-4444-4555-8666-777777777777","type":"ticket.issued"}', 'pending', 0, 0, NULL, 1795510070000, NULL);
INSERT INTO print_jobs (ticket_id, data, state, attempts, last_error, created_ms, updated_ms) VALUES
 ('6d1f6a2e-0c5b-4b8e-9d1e-2f3a4b5c6d7e', X'1B40414130300A1D5642', 'printed', 1, NULL, 1795510000000, 1795510000500),
 ('7e2a7b3f-1d6c-4c9f-8e2f-3a4b5c6d7e8f', X'1B4042303031', 'pending', 2, 'paper end', 1795510060000, 1795510065000);
INSERT INTO health (component, ok, message, updated_ms) VALUES
 ('printer', 0, 'paper end', 1795510065000),
 ('sync', 1, 'delivered 1, dead 1', 1795510001000);
INSERT INTO appointments (id, process_number, booking_code, service_id, day, slot_start_ms, slot_minutes, status, ticket_id, updated_ms, holder_key) VALUES
 ('appt-1', '482913', 'K7QX2', 'reisepass', '2026-11-24', 1795512600000, 15, 'checked_in', '7e2a7b3f-1d6c-4c9f-8e2f-3a4b5c6d7e8f', 1795400000000, X'9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08'),
 ('appt-2', '519274', 'M3PZ9', 'personalausweis', '2026-11-25', 1795599000000, 30, 'booked', NULL, 1795400000000, NULL);
INSERT INTO catalogue (service_id, letter, name, names, updated_ms) VALUES
 ('personalausweis', 'A', 'Personalausweis', '{"en":"Identity card"}', 1795400000000);
INSERT INTO sync_state (key, value) VALUES
 ('appointments.cursor', '17'), ('appointments.site', 'musterstadt'),
 ('catalogue.etag', '"v1"'), ('catalogue.version', 'v1');
INSERT INTO counters (id, name, token_hash, services, paused, created_ms, revoked_ms) VALUES
 ('c-1', 'Schalter 1', X'0000000000000000000000000000000000000000000000000000000000000001', '["reisepass"]', 0, 1795500000000, NULL),
 ('c-2', 'Schalter 2', X'0000000000000000000000000000000000000000000000000000000000000002', '["personalausweis","reisepass"]', 1, 1795500000000, 1795600000000);
INSERT INTO site_events (type, day, number, counter_name, created_ms) VALUES
 ('call', '2026-11-24', 'B001', 'Schalter 1', 1795510100000),
 ('change', '2026-11-24', NULL, NULL, 1795510900000);

PRAGMA user_version = 6;
