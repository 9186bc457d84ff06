-- Weekly progress reviews filled in and signed, their addenda, and alert
-- acknowledgements.
--
-- A review row exists per patient and ISO week (0003 schedules them at
-- admission; `review start` makes one for a week that has none). Its life:
-- due -> draft (started: the reviewer's inputs, as one canonical JSON
-- document built by src/core/review.c) -> signed (the computed snapshot is
-- frozen in snapshot_json) -> cosigned. A signed review never changes
-- again except by the co-signature; corrections are addenda. Triggers make
-- that hold whatever code runs.

ALTER TABLE review ADD COLUMN inputs_json   TEXT;
ALTER TABLE review ADD COLUMN snapshot_json TEXT;
ALTER TABLE review ADD COLUMN started_by    TEXT;
ALTER TABLE review ADD COLUMN started_at    TEXT;
ALTER TABLE review ADD COLUMN signed_by     TEXT;
ALTER TABLE review ADD COLUMN signed_at     TEXT;
ALTER TABLE review ADD COLUMN cosigned_by   TEXT;
ALTER TABLE review ADD COLUMN cosigned_at   TEXT;

-- A patient's reviews by week need no index of their own: UNIQUE
-- (patient_id, week) in 0003 already keeps one.

CREATE TRIGGER review_signed_is_frozen BEFORE UPDATE ON review
WHEN OLD.status IN ('signed', 'cosigned')
 AND NOT (OLD.status = 'signed' AND NEW.status = 'cosigned'
          AND NEW.inputs_json IS OLD.inputs_json
          AND NEW.snapshot_json IS OLD.snapshot_json
          AND NEW.signed_by IS OLD.signed_by
          AND NEW.signed_at IS OLD.signed_at
          AND NEW.week IS OLD.week
          AND NEW.patient_id IS OLD.patient_id
          AND NEW.cosigned_by IS NOT NULL
          AND NEW.cosigned_at IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'a signed review is immutable; add an addendum');
END;

CREATE TRIGGER review_signed_no_delete BEFORE DELETE ON review
WHEN OLD.status IN ('signed', 'cosigned')
BEGIN
    SELECT RAISE(ABORT, 'a signed review is immutable; add an addendum');
END;

CREATE TRIGGER review_sign_needs_snapshot BEFORE UPDATE ON review
WHEN NEW.status IN ('signed', 'cosigned')
 AND (NEW.snapshot_json IS NULL OR NEW.inputs_json IS NULL
      OR NEW.signed_by IS NULL OR NEW.signed_at IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'a signed review needs its snapshot, inputs and signature');
END;

-- Corrections to a signed review: appended, never changed.
CREATE TABLE review_addendum (
    id            INTEGER PRIMARY KEY,
    review_id     INTEGER NOT NULL REFERENCES review (id),
    author_login  TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    text          TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 4000)
) STRICT;

CREATE INDEX review_addendum_by_review ON review_addendum (review_id, id);

CREATE TRIGGER review_addendum_no_update BEFORE UPDATE ON review_addendum
BEGIN
    SELECT RAISE(ABORT, 'review addenda are append-only');
END;

CREATE TRIGGER review_addendum_no_delete BEFORE DELETE ON review_addendum
BEGIN
    SELECT RAISE(ABORT, 'review addenda are append-only');
END;

-- Alerts are computed from the data every time; only the acknowledgement is
-- stored. data_key names the data the alert fired on (measure ids, a week,
-- a date): an acknowledgement holds while the alert fires on the same data.
CREATE TABLE alert_ack (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patient (id),
    code          TEXT    NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    data_key      TEXT    NOT NULL CHECK (length(data_key) BETWEEN 1 AND 128),
    note          TEXT    NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    acked_by      TEXT    NOT NULL,
    acked_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX alert_ack_by_patient ON alert_ack (patient_id, code, data_key);

CREATE TRIGGER alert_ack_no_update BEFORE UPDATE ON alert_ack
BEGIN
    SELECT RAISE(ABORT, 'alert acknowledgements are append-only');
END;

CREATE TRIGGER alert_ack_no_delete BEFORE DELETE ON alert_ack
BEGIN
    SELECT RAISE(ABORT, 'alert acknowledgements are append-only');
END;
