-- Names sort and match the way people read them: "Élodie" next to "Eero",
-- "zoe" finding "Zoë". name_key is cairn_text_fold(legal_name), a tab, then
-- cairn_text_fold(preferred_name); the store keeps it in step on every write.
-- cairn_name_key() is registered by the store on every connection.
ALTER TABLE patient ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE patient SET name_key = cairn_name_key(legal_name, preferred_name);

DROP INDEX patient_by_name;
DROP INDEX patient_by_therapist;
DROP INDEX patient_by_case_manager;
DROP INDEX patient_by_program;
CREATE INDEX patient_by_name ON patient (name_key, id);
CREATE INDEX patient_by_therapist ON patient (therapist_id, name_key, id);
CREATE INDEX patient_by_case_manager ON patient (case_manager_id, name_key, id);
CREATE INDEX patient_by_program ON patient (program_id, name_key, id);
