/* cairn — exporting one patient's record: cairn's own JSON, or a FHIR R4
 * Bundle.
 *
 * The record is read through the public API in one transaction (so the
 * document is one consistent moment of the record) and every read is
 * audited as the read of the record it is, like `patient show`. The
 * document is built with jansson and handed back as text; writing it
 * somewhere is the front end's job, which then records the export itself
 * with cairn_export_audit().
 *
 * Documents are reproducible: the same record gives the same bytes (no
 * export time inside; FHIR ids are name-based UUIDs of cairn's row ids).
 * The keys of the JSON form and the FHIR mapping are documented in
 * cairn(1), EXPORTS.
 */
#ifndef CAIRN_EXPORT_H
#define CAIRN_EXPORT_H

#include <stdint.h>

#include "cairn/status.h"

struct cairn_store;

enum cairn_export_format {
    CAIRN_EXPORT_JSON, /* cairn's own full record, "format": "cairn-patient-record" */
    CAIRN_EXPORT_FHIR, /* a FHIR R4 Bundle of type collection */
};

/* "json" or "fhir"; "" out of range. */
const char *cairn_export_format_str(enum cairn_export_format format);

/* Parses "json" or "fhir"; CAIRN_ERR_INVALID (pointer "format") otherwise. */
enum cairn_status cairn_export_format_parse(const char *text, enum cairn_export_format *out,
                                            struct cairn_error *err);

/* The version of the "cairn-patient-record" JSON layout; it goes up when a
 * key changes meaning or disappears (new keys may appear without it). */
#define CAIRN_EXPORT_RECORD_VERSION 1

/* Reads patient `mrn`'s whole record in one transaction, auditing the
 * reads (patient, plan and safety plan with their revisions, measures,
 * lapse log, reviews), and builds the document in `format` as indented
 * JSON ending in a newline into *doc (malloc'd; free()). *patient_id (may
 * be NULL) gets the patient's id, for cairn_export_audit(). An unknown MRN
 * is CAIRN_ERR_NOT_FOUND; nothing is handed back on failure (*doc NULL). */
enum cairn_status cairn_export_patient(struct cairn_store *store, const char *mrn,
                                       enum cairn_export_format format, char **doc,
                                       int64_t *patient_id, struct cairn_error *err);

/* Records that patient `patient_id`'s record left cairn as `format`: one
 * audit row (action export, entity patient, fields the format name; no
 * file name, no PHI). Call it once the document is written out. */
enum cairn_status cairn_export_audit(struct cairn_store *store, int64_t patient_id,
                                     enum cairn_export_format format, struct cairn_error *err);

#define CAIRN_UUID_LEN 36 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */

/* The name-based (version 5, SHA-1) UUID of `name` in namespace `ns`
 * (RFC 4122 §4.3), lower-case hex with a NUL into out. Pure. */
void cairn_uuid5(const unsigned char ns[16], const char *name, char out[CAIRN_UUID_LEN + 1]);

/* The namespace of every UUID cairn's FHIR export makes: the resource of
 * row `id` of entity `entity` is cairn_uuid5(CAIRN_EXPORT_UUID_NS,
 * "cairn:<entity>:<id>"). */
extern const unsigned char CAIRN_EXPORT_UUID_NS[16];

#endif
