-- Per-patient summaries of what the alert rules and the caseload read, so
-- that the caseload's alerts and reports read one row per patient instead
-- of a dozen (DESIGN.md §10).
--
-- A summary is derived data, never entered: src/core/store_facts.c
-- recomputes a patient's row inside the same transaction as every change
-- to that patient's record (the store's commit does it for each patient
-- an audited change touched), so it is never behind the data it
-- summarizes. It holds only facts that do not depend on the day they are
-- read (the latest measures, the weeks with attendance, the unsigned
-- reviews...); the rules apply today to them. A row computed on a later
-- day than the reader's today (as_of), or missing, is not used: the exact
-- per-patient reads are.
--
-- Encodings (all written and read by store_facts.c only):
--   score:  "id:version:day:total:flags:item9" (day = day number, flags =
--           bit set of enum cairn_measure_flag, item9 = -1 when none)
--   week:   "YYYY-Www:minutes:days:sessions:attended:late:absent:excused"
--   review_weeks: the unsigned (due or draft) review weeks from the
--           admission week on, oldest first, comma-separated
--   trend:  "C,day:total,day:total,..." the latest 12 scores of the
--           instrument (dated, ties by id), oldest first; C is 1 when these
--           are all the patient's scores, else 0
--   reviews: "YYYY-Www:S,..." every review, by week, S its status (d due,
--           r draft, s signed, c cosigned); NULL: too many to keep
--   mastered: "C,day:ladder,..." the mastered steps (not retired, of an
--           active ladder) by the day of their latest attempt, the latest
--           16, oldest first; C as for trend
CREATE TABLE patient_summary (
    patient_id        INTEGER PRIMARY KEY REFERENCES patient (id) ON DELETE CASCADE,
    as_of             INTEGER NOT NULL,          -- day number it was computed on
    phq9              TEXT,
    phq9_previous     TEXT,
    phq9_baseline     TEXT,
    gad7              TEXT,
    gad7_previous     TEXT,
    gad7_baseline     TEXT,
    cssrs             TEXT,
    week0             TEXT,                      -- the week of the latest attendance day + 1
    week1             TEXT,                      -- the week before it
    week2             TEXT,                      -- and the one before that
    ladder_id         INTEGER NOT NULL DEFAULT 0, -- the most stalled unfinished ladder, 0: none
    ladder_name       TEXT    NOT NULL DEFAULT '',
    ladder_since      INTEGER NOT NULL DEFAULT 0,
    review_first_id   INTEGER NOT NULL DEFAULT 0,
    review_weeks      TEXT,                      -- NULL: too many to keep (read exactly)
    plan_id           INTEGER NOT NULL DEFAULT 0,
    plan_next_review  INTEGER NOT NULL DEFAULT 0,
    has_aftercare     INTEGER NOT NULL DEFAULT 0,
    aftercare_filled  INTEGER NOT NULL DEFAULT 0,
    lapse_week        TEXT    NOT NULL DEFAULT '', -- the ISO week of the latest lapse
    lapses            INTEGER NOT NULL DEFAULT 0,  -- lapses and relapses dated in it
    relapses          INTEGER NOT NULL DEFAULT 0,
    last_lapse_id     INTEGER NOT NULL DEFAULT 0,
    last_lapse_day    INTEGER NOT NULL DEFAULT 0,
    acks              INTEGER NOT NULL DEFAULT 0,  -- alert acknowledgements on record
    phq9_trend        TEXT,                        -- what the caseload report reads
    gad7_trend        TEXT,
    reviews           TEXT,
    mastered          TEXT
) STRICT;

