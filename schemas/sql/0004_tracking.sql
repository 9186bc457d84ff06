-- Tracking between sessions: exposure attempts on ladder steps, and session
-- attendance.
--
-- A ladder step's status is derived from its attempts by the program's
-- mastery rule and stored with each attempt, in the same transaction, so
-- lists never recompute it; `skipped` is set by hand. A retired step stays
-- (its attempts are history) but leaves the ladder's order, suggestions and
-- warnings.
--
-- A session is one meeting (a group with its roster, or one individual
-- session); attendance is one patient's line on it. The date is copied to
-- attendance so a patient's weeks are one index range.

ALTER TABLE ladder_step ADD COLUMN retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1));

CREATE TABLE ladder_attempt (
    id                 INTEGER PRIMARY KEY,
    step_id            INTEGER NOT NULL REFERENCES ladder_step (id),
    patient_id         INTEGER NOT NULL REFERENCES patient (id),
    date               TEXT    NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    suds_before        INTEGER NOT NULL CHECK (suds_before BETWEEN 0 AND 100),
    suds_peak          INTEGER NOT NULL CHECK (suds_peak BETWEEN 0 AND 100),
    suds_after         INTEGER NOT NULL CHECK (suds_after BETWEEN 0 AND 100),
    minutes            INTEGER CHECK (minutes BETWEEN 1 AND 1440),
    setting            TEXT    NOT NULL CHECK (setting IN ('session', 'between')),
    prediction         TEXT,
    expectancy_before  INTEGER CHECK (expectancy_before BETWEEN 0 AND 100),
    came_true          TEXT    CHECK (came_true IN ('yes', 'no', 'partly')),
    expectancy_after   INTEGER CHECK (expectancy_after BETWEEN 0 AND 100),
    safety_behaviours  TEXT,
    note               TEXT,
    entered_by         TEXT    NOT NULL,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE INDEX ladder_attempt_by_step ON ladder_attempt (step_id, date, id);
CREATE INDEX ladder_attempt_by_patient ON ladder_attempt (patient_id, date);

CREATE TABLE session (
    id            INTEGER PRIMARY KEY,
    date          TEXT    NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    start_time    TEXT    CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    type          TEXT    NOT NULL CHECK (type IN ('group', 'individual', 'family', 'skills',
                                                   'psychiatry', 'peer')),
    title         TEXT    NOT NULL DEFAULT '',
    minutes       INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 720),
    telehealth    INTEGER NOT NULL DEFAULT 1 CHECK (telehealth IN (0, 1)),
    facilitator_id INTEGER REFERENCES staff (id),
    entered_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE INDEX session_by_date ON session (date, type, title);

CREATE TABLE attendance (
    id                INTEGER PRIMARY KEY,
    session_id        INTEGER NOT NULL REFERENCES session (id),
    patient_id        INTEGER NOT NULL REFERENCES patient (id),
    date              TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('attended', 'absent', 'excused', 'late')),
    minutes_attended  INTEGER NOT NULL CHECK (minutes_attended BETWEEN 0 AND 720),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    UNIQUE (session_id, patient_id)
) STRICT;

CREATE INDEX attendance_by_patient ON attendance (patient_id, date);
