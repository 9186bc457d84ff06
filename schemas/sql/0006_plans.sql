-- Plans and safety plans as revisions, social-goal tallies, the lapse log.
--
-- A revision is an immutable snapshot of a whole plan: its content is one
-- canonical JSON document (sections in order, items with stable keys such
-- as t1 or c2, triggers linking to coping keys), built by src/core/plan.c
-- with jansson. A save whose canonical content equals the head's writes
-- nothing. plan.revision and safety_plan.revision name the head (0: none
-- saved yet, the plan is its empty sections).

CREATE TABLE plan_revision (
    id                INTEGER PRIMARY KEY,
    plan_id           INTEGER NOT NULL REFERENCES plan (id),
    revision          INTEGER NOT NULL CHECK (revision >= 1),
    author_login      TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    reason            TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL CHECK (status IN ('draft', 'active')),
    next_review_date  TEXT,
    content_json      TEXT    NOT NULL,
    UNIQUE (plan_id, revision)
) STRICT;

CREATE TRIGGER plan_revision_no_update BEFORE UPDATE ON plan_revision
BEGIN
    SELECT RAISE(ABORT, 'plan revisions are immutable');
END;

CREATE TRIGGER plan_revision_no_delete BEFORE DELETE ON plan_revision
BEGIN
    SELECT RAISE(ABORT, 'plan revisions are immutable');
END;

-- The safety plan (Stanley & Brown's six steps and reasons for living):
-- one per patient, created on its first save.
CREATE TABLE safety_plan (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL UNIQUE REFERENCES patient (id),
    revision    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE safety_revision (
    id              INTEGER PRIMARY KEY,
    safety_plan_id  INTEGER NOT NULL REFERENCES safety_plan (id),
    revision        INTEGER NOT NULL CHECK (revision >= 1),
    author_login    TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    reason          TEXT    NOT NULL DEFAULT '',
    content_json    TEXT    NOT NULL,
    UNIQUE (safety_plan_id, revision)
) STRICT;

CREATE TRIGGER safety_revision_no_update BEFORE UPDATE ON safety_revision
BEGIN
    SELECT RAISE(ABORT, 'safety plan revisions are immutable');
END;

CREATE TRIGGER safety_revision_no_delete BEFORE DELETE ON safety_revision
BEGIN
    SELECT RAISE(ABORT, 'safety plan revisions are immutable');
END;

-- How many times a social goal's weekly target was met, per ISO week.
CREATE TABLE goal_tally (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plan (id),
    goal_key    TEXT    NOT NULL CHECK (goal_key GLOB 'g[0-9]*'),
    week        TEXT    NOT NULL CHECK (week GLOB '[0-9][0-9][0-9][0-9]-W[0-5][0-9]'),
    done        INTEGER NOT NULL CHECK (done BETWEEN 0 AND 99),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, goal_key, week)
) STRICT;

-- The lapse log: what happened, when, and what was tried.
CREATE TABLE lapse (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (id),
    date        TEXT    NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    kind        TEXT    NOT NULL CHECK (kind IN ('lapse', 'relapse')),
    trigger     TEXT    NOT NULL DEFAULT '',
    coping      TEXT    NOT NULL DEFAULT '',
    note        TEXT    NOT NULL DEFAULT '',
    entered_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE INDEX lapse_by_patient ON lapse (patient_id, date);
