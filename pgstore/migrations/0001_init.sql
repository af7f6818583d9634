-- recmock's shared state. Values are kept as the JSON recmock writes (type json, not jsonb:
-- stored as given, so a journaled body holding \u0000 is kept too).

-- Settings by username; COLLATE "C" lists them byte by byte, as the other stores do.
CREATE TABLE recmock_settings (
	username text COLLATE "C" PRIMARY KEY,
	settings json NOT NULL
);

-- The request journal and the webhook deliveries: bounded logs, trimmed on insert. Their IDs
-- come from sequences, so they are unique across replicas and keep growing across resets.
CREATE SEQUENCE recmock_journal_id;
CREATE TABLE recmock_journal (
	id bigint PRIMARY KEY,
	entry json NOT NULL
);

CREATE SEQUENCE recmock_delivery_id;
CREATE TABLE recmock_deliveries (
	id bigint PRIMARY KEY,
	delivery json NOT NULL
);

-- base is the last ID a log had given out when it was last reset: the entries added since
-- are its newest ID minus base, and those dropped are that minus the entries kept.
CREATE TABLE recmock_logs (
	name text PRIMARY KEY,
	base bigint NOT NULL DEFAULT 0
);
INSERT INTO recmock_logs (name) VALUES ('journal'), ('deliveries');
