-- Symptom measures: one row per questionnaire given (PHQ-9, GAD-7, the
-- C-SSRS screen, the 0-10 craving and mood scales).
--
-- answers holds the item answers in item order, comma-separated ("1,2,0,1,3,
-- 0,1,0,0"; a skipped C-SSRS item is "-"). total and band are computed by
-- cairn from the answers and stored so reports and alerts can query them;
-- they are recomputed whenever the answers change. flags holds the urgent
-- rules that fired at entry ("phq9_item9", "cssrs_high_risk"), for alerts.

CREATE TABLE measure (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (id),
    instrument  TEXT    NOT NULL CHECK (instrument IN ('phq9', 'gad7', 'cssrs_screen', 'craving',
                                                       'mood')),
    date        TEXT    NOT NULL
                CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    answers     TEXT    NOT NULL CHECK (length(answers) BETWEEN 1 AND 64),
    total       INTEGER NOT NULL CHECK (total BETWEEN 0 AND 27),
    band        TEXT    NOT NULL DEFAULT '',
    flags       TEXT    NOT NULL DEFAULT '',
    entered_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

-- A patient's history of one instrument, in date order (baseline first).
CREATE INDEX measure_by_patient ON measure (patient_id, instrument, date, id);
-- Urgent flags across the caseload (the alerts list).
CREATE INDEX measure_flagged ON measure (patient_id, date) WHERE flags <> '';
