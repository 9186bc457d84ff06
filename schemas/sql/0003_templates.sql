-- Program templates, and the care a patient is given on admission.
--
-- A program row is one imported version of a template: its settings are
-- columns, its lists are child tables in the template's order, and the exact
-- file it came from is program.template_text. Admission copies the
-- program's plan sections, ladders and weekly review schedule to the patient
-- (plan, plan_section, ladder, ladder_step, review), so re-importing a
-- template never changes a patient who is already in care.

ALTER TABLE program ADD COLUMN hours_per_session REAL NOT NULL DEFAULT 3
    CHECK (hours_per_session > 0 AND hours_per_session <= 8);
ALTER TABLE program ADD COLUMN session_types TEXT NOT NULL DEFAULT 'group,individual';
ALTER TABLE program ADD COLUMN mastery_peak_suds INTEGER NOT NULL DEFAULT 30
    CHECK (mastery_peak_suds BETWEEN 0 AND 100);
ALTER TABLE program ADD COLUMN mastery_consecutive INTEGER NOT NULL DEFAULT 2
    CHECK (mastery_consecutive BETWEEN 1 AND 5);
ALTER TABLE program ADD COLUMN mastery_drop_percent INTEGER NOT NULL DEFAULT 50
    CHECK (mastery_drop_percent BETWEEN 0 AND 100);
ALTER TABLE program ADD COLUMN alert_phq9_rise INTEGER NOT NULL DEFAULT 5;
ALTER TABLE program ADD COLUMN alert_gad7_rise INTEGER NOT NULL DEFAULT 4;
ALTER TABLE program ADD COLUMN alert_absences_per_week INTEGER NOT NULL DEFAULT 2;
ALTER TABLE program ADD COLUMN alert_ladder_stall_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE program ADD COLUMN alert_discharge_planning_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE program ADD COLUMN crisis_line TEXT NOT NULL DEFAULT '';
ALTER TABLE program ADD COLUMN lapse_log INTEGER NOT NULL DEFAULT 0 CHECK (lapse_log IN (0, 1));

CREATE TABLE program_measure (
    program_id  INTEGER NOT NULL REFERENCES program (id),
    position    INTEGER NOT NULL,
    instrument  TEXT    NOT NULL CHECK (instrument IN ('phq9', 'gad7', 'cssrs_screen', 'craving',
                                                       'mood')),
    every       TEXT    NOT NULL CHECK (every IN ('admission', 'week', 'two_weeks', 'month',
                                                  'discharge')),
    PRIMARY KEY (program_id, position),
    UNIQUE (program_id, instrument, every)
) STRICT, WITHOUT ROWID;

CREATE TABLE program_plan_section (
    program_id  INTEGER NOT NULL REFERENCES program (id),
    position    INTEGER NOT NULL,
    section     TEXT    NOT NULL,
    PRIMARY KEY (program_id, position),
    UNIQUE (program_id, section)
) STRICT, WITHOUT ROWID;

CREATE TABLE program_ladder (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES program (id),
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    target      TEXT    NOT NULL DEFAULT '',
    scale       INTEGER NOT NULL DEFAULT 100 CHECK (scale IN (10, 100)),
    UNIQUE (program_id, position),
    UNIQUE (program_id, name)
) STRICT;

CREATE TABLE program_ladder_step (
    ladder_id   INTEGER NOT NULL REFERENCES program_ladder (id),
    position    INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    suds        INTEGER NOT NULL CHECK (suds BETWEEN 0 AND 100),
    PRIMARY KEY (ladder_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE program_checklist_item (
    program_id  INTEGER NOT NULL REFERENCES program (id),
    position    INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    PRIMARY KEY (program_id, position)
) STRICT, WITHOUT ROWID;

-- A patient's relapse-prevention and reintegration plan: one per patient,
-- created as an empty draft with the program's sections on admission.
CREATE TABLE plan (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL UNIQUE REFERENCES patient (id),
    program_id        INTEGER NOT NULL REFERENCES program (id),
    status            TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active')),
    revision          INTEGER NOT NULL DEFAULT 0,
    signed_by         TEXT,
    signed_at         TEXT,
    next_review_date  TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE plan_section (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES plan (id),
    position  INTEGER NOT NULL,
    section   TEXT    NOT NULL,
    UNIQUE (plan_id, section),
    UNIQUE (plan_id, position)
) STRICT;

-- Exposure ladders: a patient's own copies of the program's ladders.
CREATE TABLE ladder (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (id),
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    target      TEXT    NOT NULL DEFAULT '',
    scale       INTEGER NOT NULL DEFAULT 100 CHECK (scale IN (10, 100)),
    status      TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (patient_id, position)
) STRICT;

CREATE TABLE ladder_step (
    id          INTEGER PRIMARY KEY,
    ladder_id   INTEGER NOT NULL REFERENCES ladder (id),
    position    INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    suds        INTEGER NOT NULL CHECK (suds BETWEEN 0 AND 100),
    status      TEXT    NOT NULL DEFAULT 'not_started'
                CHECK (status IN ('not_started', 'in_progress', 'mastered', 'skipped')),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (ladder_id, position)
) STRICT;

-- Weekly progress reviews: admission schedules one per ISO week of the
-- expected stay, each 'due' until a reviewer starts it.
CREATE TABLE review (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (id),
    week        TEXT    NOT NULL CHECK (week GLOB '[0-9][0-9][0-9][0-9]-W[0-5][0-9]'),
    status      TEXT    NOT NULL DEFAULT 'due'
                CHECK (status IN ('due', 'draft', 'signed', 'cosigned')),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (patient_id, week)
) STRICT;

CREATE INDEX review_by_week ON review (week, status);
