-- cairn schema 1: staff, programs, patients, audit.
-- Applied once, inside a transaction, by the store when user_version < 1.
-- Timestamps are UTC "YYYY-MM-DDTHH:MM:SSZ"; dates are "YYYY-MM-DD".

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    login       TEXT    NOT NULL UNIQUE CHECK (length(login) BETWEEN 1 AND 64),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role        TEXT    NOT NULL CHECK (role IN ('therapist', 'case_manager', 'supervisor',
                                                 'prescriber', 'peer_mentor')),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE program (
    id                  INTEGER PRIMARY KEY,
    code                TEXT    NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    template_version    INTEGER NOT NULL CHECK (template_version >= 1),
    name                TEXT    NOT NULL,
    level_of_care       TEXT    NOT NULL DEFAULT '',
    population          TEXT    NOT NULL CHECK (population IN ('adult', 'adolescent')),
    min_hours_per_week  REAL    NOT NULL,
    max_hours_per_week  REAL    NOT NULL,
    sessions_per_week   INTEGER NOT NULL,
    min_days_per_week   INTEGER NOT NULL,
    length_weeks        INTEGER NOT NULL,
    template_text       TEXT,
    template_sha256     TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    UNIQUE (code, template_version),
    CHECK (min_hours_per_week <= max_hours_per_week)
) STRICT;

CREATE TABLE patient (
    id                       INTEGER PRIMARY KEY,
    mrn                      TEXT    NOT NULL UNIQUE CHECK (length(mrn) BETWEEN 1 AND 32),
    legal_name               TEXT    NOT NULL CHECK (length(legal_name) >= 1),
    preferred_name           TEXT    NOT NULL DEFAULT '',
    dob                      TEXT    NOT NULL,
    pronouns                 TEXT    NOT NULL DEFAULT '',
    phone                    TEXT    NOT NULL DEFAULT '',
    emergency_contact        TEXT    NOT NULL DEFAULT '',
    program_id               INTEGER REFERENCES program (id),
    admission_date           TEXT,
    expected_discharge_date  TEXT,
    discharge_date           TEXT,
    discharge_reason         TEXT    NOT NULL DEFAULT '',
    status                   TEXT    NOT NULL DEFAULT 'referred'
                             CHECK (status IN ('referred', 'active', 'on_hold', 'discharged',
                                               'alumni')),
    therapist_id             INTEGER REFERENCES staff (id),
    case_manager_id          INTEGER REFERENCES staff (id),
    peer_mentor_id           INTEGER REFERENCES staff (id),
    risk_level               TEXT    CHECK (risk_level IN ('low', 'moderate', 'high')),
    risk_set_by              TEXT,
    risk_set_at              TEXT,
    tags                     TEXT    NOT NULL DEFAULT '',
    created_at               TEXT    NOT NULL,
    updated_at               TEXT    NOT NULL,
    version                  INTEGER NOT NULL DEFAULT 1,
    CHECK (status = 'referred' OR admission_date IS NOT NULL),
    CHECK (status NOT IN ('discharged', 'alumni') OR discharge_date IS NOT NULL)
) STRICT;

-- The caseload is listed by name, by clinician and by program.
CREATE INDEX patient_by_name ON patient (legal_name, id);
CREATE INDEX patient_by_therapist ON patient (therapist_id, legal_name);
CREATE INDEX patient_by_case_manager ON patient (case_manager_id, legal_name);
CREATE INDEX patient_by_peer_mentor ON patient (peer_mentor_id) WHERE peer_mentor_id IS NOT NULL;
CREATE INDEX patient_by_program ON patient (program_id, legal_name);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    uid         INTEGER NOT NULL,
    login       TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('create', 'read', 'update', 'delete', 'export',
                                                   'import', 'backup', 'sign')),
    entity      TEXT    NOT NULL,
    entity_id   INTEGER,
    patient_id  INTEGER,
    fields      TEXT    NOT NULL DEFAULT '',
    outcome     TEXT    NOT NULL CHECK (outcome IN ('ok', 'conflict', 'denied'))
) STRICT;

CREATE INDEX audit_by_patient ON audit (patient_id, id) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_by_time ON audit (at);

CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit rows are append-only');
END;

CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit rows are append-only');
END;
