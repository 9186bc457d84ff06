/* Exporting one patient's record: gathering it through the public API in
 * one transaction, then writing it as cairn's own JSON or as a FHIR R4
 * Bundle (jansson throughout). The FHIR mapping is documented in cairn(1),
 * EXPORTS; the comments below say why each choice was made. */
#include "cairn/export.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/care.h"
#include "cairn/date.h"
#include "cairn/ladder.h"
#include "cairn/measure.h"
#include "cairn/patient.h"
#include "cairn/plan.h"
#include "cairn/program.h"
#include "cairn/review.h"
#include "cairn/session.h"
#include "cairn/store.h"

/* A fixed, randomly drawn namespace for cairn's name-based UUIDs. */
const unsigned char CAIRN_EXPORT_UUID_NS[16] = {0x6b, 0x1f, 0x3c, 0x52, 0x9a, 0x0e, 0x4d, 0x8b,
                                                0xb2, 0x71, 0x5e, 0xc4, 0x0d, 0x93, 0xa7, 0x16};

const char *cairn_export_format_str(enum cairn_export_format format)
{
    switch (format) {
    case CAIRN_EXPORT_JSON:
        return "json";
    case CAIRN_EXPORT_FHIR:
        return "fhir";
    }
    return "";
}

enum cairn_status cairn_export_format_parse(const char *text, enum cairn_export_format *out,
                                            struct cairn_error *err)
{
    if (text && strcmp(text, "json") == 0) {
        *out = CAIRN_EXPORT_JSON;
        return CAIRN_OK;
    }
    if (text && strcmp(text, "fhir") == 0) {
        *out = CAIRN_EXPORT_FHIR;
        return CAIRN_OK;
    }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "format", "must be json or fhir");
}

/* --- SHA-1 (FIPS 180-4), for version 5 UUIDs only ------------------------- */

struct sha1 {
    uint32_t h[5];
    unsigned char block[64];
    size_t used;
    uint64_t bytes;
};

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1 *c, const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ cc ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = rol(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
}

static void sha1_init(struct sha1 *c)
{
    static const uint32_t h0[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memset(c, 0, sizeof *c);
    memcpy(c->h, h0, sizeof h0);
}

static void sha1_update(struct sha1 *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    c->bytes += n;
    while (n--) {
        c->block[c->used++] = *p++;
        if (c->used == 64) {
            sha1_block(c, c->block);
            c->used = 0;
        }
    }
}

static void sha1_final(struct sha1 *c, unsigned char out[20])
{
    uint64_t bits = c->bytes * 8;
    unsigned char pad = 0x80;
    sha1_update(c, &pad, 1);
    pad = 0;
    while (c->used != 56)
        sha1_update(c, &pad, 1);
    for (int i = 7; i >= 0; i--) {
        unsigned char b = (unsigned char)(bits >> (8 * i));
        sha1_update(c, &b, 1);
    }
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (unsigned char)(c->h[i] >> (24 - 8 * j));
}

void cairn_uuid5(const unsigned char ns[16], const char *name, char out[CAIRN_UUID_LEN + 1])
{
    struct sha1 c;
    unsigned char d[20];
    sha1_init(&c);
    sha1_update(&c, ns, 16);
    sha1_update(&c, name, strlen(name));
    sha1_final(&c, d);
    d[6] = (unsigned char)((d[6] & 0x0F) | 0x50); /* version 5 */
    d[8] = (unsigned char)((d[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[d[i] >> 4];
        out[o++] = hex[d[i] & 15];
    }
    out[o] = '\0';
}

/* --- gathering the record ------------------------------------------------- */

struct rec_attempt {
    size_t ladder; /* index into record.ladders */
    struct cairn_ladder_attempt a;
};

/* Everything both forms need, read in one transaction. The JSON-only
 * parts (revisions, lapses, reviews) go straight into `extra`. */
struct record {
    enum cairn_export_format format;
    int schema;
    struct cairn_patient patient;
    bool has_program;
    struct cairn_program program;
    struct cairn_plan *plan; /* NULL: never admitted to a program */
    struct cairn_plan *safety;
    struct cairn_goal_tally *tallies;
    size_t ntallies, tallies_cap;
    struct cairn_ladder *ladders;
    size_t nladders, ladders_cap;
    struct rec_attempt *attempts;
    size_t nattempts, attempts_cap;
    size_t current_ladder;
    struct cairn_attendance_row *sessions;
    size_t nsessions, sessions_cap;
    struct cairn_measure_entry *measures;
    size_t nmeasures, measures_cap;
    struct cairn_review_line *reviews;
    size_t nreviews, reviews_cap;
    struct cairn_plan_revision *revisions; /* scratch for one plan's history */
    size_t nrevisions, revisions_cap;
    json_t *lapses; /* JSON form only */
    bool nomem;
};

/* Makes room for one more element of `size` bytes in *arr; false when out
 * of memory (and rec->nomem set). */
static bool grow(struct record *rec, void **arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, ncap * size);
    if (!p) {
        rec->nomem = true;
        return false;
    }
    *arr = p;
    *cap = ncap;
    return true;
}

/* Appends `value` to rec->field (count n<field>, capacity <field>_cap). */
#define APPEND(rec, field, value)                                                                  \
    do {                                                                                           \
        if (grow((rec), (void **)&(rec)->field, (rec)->n##field, &(rec)->field##_cap,              \
                 sizeof *(rec)->field))                                                            \
            (rec)->field[(rec)->n##field++] = (value);                                             \
    } while (0)

static int on_tally(const struct cairn_goal_tally *t, void *ctx)
{
    struct record *rec = ctx;
    APPEND(rec, tallies, *t);
    return rec->nomem;
}

static int on_ladder(const struct cairn_ladder *l, void *ctx)
{
    struct record *rec = ctx;
    APPEND(rec, ladders, *l);
    return rec->nomem;
}

static int on_attempt(const struct cairn_ladder_attempt *a, void *ctx)
{
    struct record *rec = ctx;
    struct rec_attempt ra = {.ladder = rec->current_ladder, .a = *a};
    APPEND(rec, attempts, ra);
    return rec->nomem;
}

static int on_session(const struct cairn_attendance_row *row, void *ctx)
{
    struct record *rec = ctx;
    APPEND(rec, sessions, *row);
    return rec->nomem;
}

static int on_measure(const struct cairn_measure_entry *e, void *ctx)
{
    struct record *rec = ctx;
    APPEND(rec, measures, *e);
    return rec->nomem;
}

static int on_review(const struct cairn_review_line *l, void *ctx)
{
    struct record *rec = ctx;
    APPEND(rec, reviews, *l);
    return rec->nomem;
}

static int on_revision(const struct cairn_plan_revision *r, void *ctx)
{
    struct record *rec = ctx;
    APPEND(rec, revisions, *r);
    return rec->nomem;
}

static void set_text(json_t *o, const char *key, const char *text)
{
    json_object_set_new(o, key, text && *text ? json_string(text) : json_null());
}

static int on_lapse(const struct cairn_lapse *l, void *ctx)
{
    struct record *rec = ctx;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(l->id));
    json_object_set_new(o, "date", json_string(l->date));
    json_object_set_new(o, "kind", json_string(l->kind));
    set_text(o, "trigger", l->trigger);
    set_text(o, "coping", l->coping);
    set_text(o, "note", l->note);
    set_text(o, "entered_by", l->entered_by);
    set_text(o, "created_at", l->created_at);
    json_array_append_new(rec->lapses, o);
    return 0;
}

static void record_free(struct record *rec)
{
    cairn_plan_free(&rec->plan);
    cairn_plan_free(&rec->safety);
    free(rec->tallies);
    free(rec->ladders);
    free(rec->attempts);
    free(rec->sessions);
    free(rec->measures);
    free(rec->reviews);
    free(rec->revisions);
    json_decref(rec->lapses);
}

static enum cairn_status nomem(struct cairn_error *err)
{
    return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory exporting a record");
}

/* A document from a cairn_*_json()/export() call, parsed back into a value;
 * null when it could not be made. */
static json_t *embedded(enum cairn_status made, char *text)
{
    json_t *v = made == CAIRN_OK && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return v ? v : json_null();
}

static json_t *plan_doc(const struct cairn_plan *p)
{
    char *text = NULL;
    enum cairn_status made = cairn_plan_export(p, &text, NULL);
    return embedded(made, text);
}

/* The JSON form's plan block: the head, and every revision (who, when, why
 * and its content), each revision read through the audited read. */
static enum cairn_status plan_block(struct cairn_store *s, struct record *rec,
                                    enum cairn_plan_kind kind, const struct cairn_plan *head,
                                    json_t **out, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    struct cairn_plan *rev = NULL;
    json_t *block = json_object(), *revs = json_array();
    rec->nrevisions = 0;
    if ((rc = cairn_plan_history(s, kind, rec->patient.id, on_revision, rec, err)) != CAIRN_OK)
        goto out;
    if (rec->nomem) {
        rc = nomem(err);
        goto out;
    }
    if (!(rev = cairn_plan_new(kind))) {
        rc = nomem(err);
        goto out;
    }
    for (size_t i = 0; i < rec->nrevisions; i++) {
        const struct cairn_plan_revision *r = &rec->revisions[i];
        json_t *o = json_object();
        json_object_set_new(o, "revision", json_integer(r->revision));
        set_text(o, "author", r->author);
        set_text(o, "created_at", r->created_at);
        set_text(o, "reason", r->reason);
        if (kind == CAIRN_PLAN_RELAPSE)
            set_text(o, "status", r->status);
        json_array_append_new(revs, o);
        if (r->revision == head->revision) {
            json_object_set_new(o, "content", plan_doc(head));
            continue;
        }
        if ((rc = cairn_plan_read(s, kind, rec->patient.id, r->revision, rev, err)) != CAIRN_OK)
            goto out;
        json_object_set_new(o, "content", plan_doc(rev));
    }
    json_object_set_new(block, "head", plan_doc(head));
    json_object_set_new(block, "revisions", revs);
    revs = NULL;
out:
    cairn_plan_free(&rev);
    json_decref(revs);
    if (rc != CAIRN_OK) {
        json_decref(block);
        block = NULL;
    }
    *out = block;
    return rc;
}

static json_t *review_json(const struct cairn_review *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "week", json_string(r->week));
    json_object_set_new(o, "status", json_string(cairn_review_status_str(r->status)));
    json_object_set_new(o, "version", json_integer(r->version));
    set_text(o, "started_by", r->started_by);
    set_text(o, "started_at", r->started_at);
    set_text(o, "signed_by", r->signed_by);
    set_text(o, "signed_at", r->signed_at);
    set_text(o, "cosigned_by", r->cosigned_by);
    set_text(o, "cosigned_at", r->cosigned_at);
    char *inputs = NULL, *snapshot = NULL;
    enum cairn_status made_inputs = cairn_review_inputs_json(&r->inputs, &inputs, NULL);
    enum cairn_status made_snapshot = cairn_review_snapshot_json(&r->snapshot, &snapshot, NULL);
    json_object_set_new(o, "inputs", embedded(made_inputs, inputs));
    json_object_set_new(o, "snapshot_frozen", json_boolean(r->status >= CAIRN_REVIEW_SIGNED));
    json_object_set_new(o, "snapshot", embedded(made_snapshot, snapshot));
    json_t *adds = json_array();
    for (size_t i = 0; i < r->naddenda; i++) {
        json_t *a = json_object();
        json_object_set_new(a, "author", json_string(r->addenda[i].author));
        json_object_set_new(a, "at", json_string(r->addenda[i].at));
        json_object_set_new(a, "text", json_string(r->addenda[i].text));
        json_array_append_new(adds, a);
    }
    json_object_set_new(o, "addenda", adds);
    return o;
}

/* Reviews for the JSON form: every review row; the ones started (draft,
 * signed, co-signed) in full through the audited read, the merely
 * scheduled ones (due) as week and status. */
static enum cairn_status reviews_block(struct cairn_store *s, struct record *rec, json_t **out,
                                       struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    struct cairn_review *r = NULL;
    json_t *list = json_array();
    if ((rc = cairn_review_list(s, rec->patient.id, on_review, rec, err)) != CAIRN_OK)
        goto out;
    if (rec->nomem || !(r = malloc(sizeof *r))) {
        rc = nomem(err);
        goto out;
    }
    /* The list is newest first; the record reads oldest first. */
    for (size_t i = rec->nreviews; i-- > 0;) {
        const struct cairn_review_line *l = &rec->reviews[i];
        if (l->status == CAIRN_REVIEW_DUE) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(l->id));
            json_object_set_new(o, "week", json_string(l->week));
            json_object_set_new(o, "status", json_string(cairn_review_status_str(l->status)));
            json_array_append_new(list, o);
            continue;
        }
        if ((rc = cairn_review_read(s, &rec->patient, l->week, r, err)) != CAIRN_OK)
            goto out;
        json_array_append_new(list, review_json(r));
    }
out:
    free(r);
    if (rc != CAIRN_OK) {
        json_decref(list);
        list = NULL;
    }
    *out = list;
    return rc;
}

/* Reads everything inside the caller's transaction. JSON-only blocks are
 * put into *extra (an object; NULL for FHIR). */
static enum cairn_status gather(struct cairn_store *s, const char *mrn, struct record *rec,
                                json_t *extra, struct cairn_error *err)
{
    enum cairn_status rc;
    struct cairn_patient *p = &rec->patient;
    if ((rc = cairn_patient_read(s, mrn, p, err)) != CAIRN_OK)
        return rc;
    rec->schema = cairn_store_schema_version(s);
    if (p->program_id) {
        if ((rc = cairn_program_get(s, p->program_id, &rec->program, err)) != CAIRN_OK)
            return rc;
        rec->has_program = true;
    }
    if (!(rec->plan = cairn_plan_new(CAIRN_PLAN_RELAPSE)) ||
        !(rec->safety = cairn_plan_new(CAIRN_PLAN_SAFETY)))
        return nomem(err);
    rc = cairn_plan_read(s, CAIRN_PLAN_RELAPSE, p->id, 0, rec->plan, err);
    if (rc == CAIRN_ERR_NOT_FOUND) {
        cairn_plan_free(&rec->plan); /* never admitted: no plan yet */
        cairn_error_clear(err);
    } else if (rc != CAIRN_OK) {
        return rc;
    }
    if ((rc = cairn_plan_read(s, CAIRN_PLAN_SAFETY, p->id, 0, rec->safety, err)) != CAIRN_OK)
        return rc;
    if (rec->plan && (rc = cairn_plan_goal_list(s, p->id, on_tally, rec, err)) != CAIRN_OK)
        return rc;
    if ((rc = cairn_ladder_list(s, p->id, true, on_ladder, rec, err)) != CAIRN_OK)
        return rc;
    for (size_t i = 0; i < rec->nladders && !rec->nomem; i++) {
        rec->current_ladder = i;
        if ((rc = cairn_ladder_attempts(s, rec->ladders[i].id, on_attempt, rec, err)) != CAIRN_OK)
            return rc;
    }
    if ((rc = cairn_attendance_list(s, p->id, CAIRN_DATE_MIN, CAIRN_DATE_MAX, on_session, rec,
                                    err)) != CAIRN_OK)
        return rc;
    if ((rc = cairn_measure_list(s, p->id, false, CAIRN_INSTRUMENT_PHQ9, on_measure, rec, err)) !=
        CAIRN_OK)
        return rc;
    if (rec->nomem)
        return nomem(err);
    if (!extra)
        return CAIRN_OK;

    json_t *block = NULL;
    if (rec->plan) {
        if ((rc = plan_block(s, rec, CAIRN_PLAN_RELAPSE, rec->plan, &block, err)) != CAIRN_OK)
            return rc;
        json_t *tallies = json_array();
        for (size_t i = 0; i < rec->ntallies; i++) {
            json_t *t = json_object();
            json_object_set_new(t, "goal", json_string(rec->tallies[i].goal));
            json_object_set_new(t, "week", json_string(rec->tallies[i].week));
            json_object_set_new(t, "done", json_integer(rec->tallies[i].done));
            json_array_append_new(tallies, t);
        }
        json_object_set_new(block, "goal_tallies", tallies);
    }
    json_object_set_new(extra, "plan", block ? block : json_null());
    if ((rc = plan_block(s, rec, CAIRN_PLAN_SAFETY, rec->safety, &block, err)) != CAIRN_OK)
        return rc;
    json_object_set_new(extra, "safety_plan", block);
    rec->lapses = json_array();
    if ((rc = cairn_lapse_list(s, p->id, on_lapse, rec, err)) != CAIRN_OK)
        return rc;
    if ((rc = reviews_block(s, rec, &block, err)) != CAIRN_OK)
        return rc;
    json_object_set_new(extra, "reviews", block);
    return CAIRN_OK;
}

/* --- cairn's own JSON ---------------------------------------------------- */

static json_t *patient_json(const struct cairn_patient *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "mrn", json_string(p->mrn));
    json_object_set_new(o, "legal_name", json_string(p->legal_name));
    set_text(o, "preferred_name", p->preferred_name);
    set_text(o, "dob", p->dob);
    set_text(o, "pronouns", p->pronouns);
    set_text(o, "phone", p->phone);
    set_text(o, "emergency_contact", p->emergency_contact);
    json_object_set_new(o, "status", json_string(cairn_patient_status_str(p->status)));
    set_text(o, "program", p->program_code);
    set_text(o, "admission_date", p->admission_date);
    set_text(o, "expected_discharge_date", p->expected_discharge_date);
    set_text(o, "discharge_date", p->discharge_date);
    set_text(o, "discharge_reason", p->discharge_reason);
    set_text(o, "therapist", p->therapist_login);
    set_text(o, "case_manager", p->case_manager_login);
    set_text(o, "peer_mentor", p->peer_mentor_login);
    set_text(o, "risk_level", cairn_risk_str(p->risk));
    set_text(o, "risk_set_by", p->risk_set_by);
    set_text(o, "risk_set_at", p->risk_set_at);
    json_t *tags = json_array();
    char buf[sizeof p->tags];
    snprintf(buf, sizeof buf, "%s", p->tags);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(tags, json_string(t));
    json_object_set_new(o, "tags", tags);
    json_object_set_new(o, "created_at", json_string(p->created_at));
    json_object_set_new(o, "updated_at", json_string(p->updated_at));
    json_object_set_new(o, "version", json_integer(p->version));
    return o;
}

static json_t *program_json(const struct cairn_program *pr)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(pr->code));
    json_object_set_new(o, "version", json_integer(pr->version));
    json_object_set_new(o, "name", json_string(pr->name));
    set_text(o, "level_of_care", pr->level_of_care);
    set_text(o, "population", pr->population);
    json_object_set_new(o, "min_hours_per_week", json_real(pr->min_hours_per_week));
    json_object_set_new(o, "max_hours_per_week", json_real(pr->max_hours_per_week));
    json_object_set_new(o, "sessions_per_week", json_integer(pr->sessions_per_week));
    json_object_set_new(o, "min_days_per_week", json_integer(pr->min_days_per_week));
    json_object_set_new(o, "length_weeks", json_integer(pr->length_weeks));
    return o;
}

static json_t *int_or_null(int v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *ladders_json(const struct record *rec)
{
    json_t *list = json_array();
    for (size_t i = 0; i < rec->nladders; i++) {
        const struct cairn_ladder *l = &rec->ladders[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(l->id));
        json_object_set_new(o, "position", json_integer(l->position));
        json_object_set_new(o, "name", json_string(l->name));
        set_text(o, "target", l->target);
        json_object_set_new(o, "scale", json_integer(l->scale));
        json_object_set_new(o, "retired", json_boolean(l->retired));
        json_object_set_new(o, "version", json_integer(l->version));
        json_t *rule = json_object();
        json_object_set_new(rule, "peak_suds_at_most", json_integer(l->rule.peak_suds_at_most));
        json_object_set_new(rule, "consecutive", json_integer(l->rule.consecutive));
        json_object_set_new(rule, "or_drop_percent", json_integer(l->rule.or_drop_percent));
        json_object_set_new(o, "mastery_rule", rule);
        json_t *steps = json_array();
        for (size_t k = 0; k < l->nsteps; k++) {
            const struct cairn_ladder_step *st = &l->steps[k];
            json_t *so = json_object();
            json_object_set_new(so, "id", json_integer(st->id));
            json_object_set_new(so, "position", json_integer(st->position));
            json_object_set_new(so, "text", json_string(st->text));
            json_object_set_new(so, "suds", json_integer(st->suds));
            json_object_set_new(so, "status", json_string(cairn_step_status_str(st->status)));
            json_object_set_new(so, "retired", json_boolean(st->retired));
            json_object_set_new(so, "attempts", json_integer(st->attempts));
            json_object_set_new(so, "mastery", json_string(st->mastery.reason));
            json_array_append_new(steps, so);
        }
        json_object_set_new(o, "steps", steps);
        json_t *attempts = json_array();
        for (size_t k = 0; k < rec->nattempts; k++) {
            const struct cairn_ladder_attempt *a = &rec->attempts[k].a;
            if (rec->attempts[k].ladder != i)
                continue;
            json_t *ao = json_object();
            json_object_set_new(ao, "id", json_integer(a->id));
            json_object_set_new(ao, "step_id", json_integer(a->step_id));
            json_object_set_new(ao, "date", json_string(a->date));
            json_object_set_new(ao, "suds_before", json_integer(a->suds_before));
            json_object_set_new(ao, "suds_peak", json_integer(a->suds_peak));
            json_object_set_new(ao, "suds_after", json_integer(a->suds_after));
            json_object_set_new(ao, "minutes", a->minutes ? json_integer(a->minutes) : json_null());
            json_object_set_new(ao, "setting", json_string(cairn_attempt_setting_str(a->setting)));
            set_text(ao, "prediction", a->prediction);
            json_object_set_new(ao, "expectancy_before", int_or_null(a->expectancy_before));
            set_text(ao, "came_true", cairn_came_true_str(a->came_true));
            json_object_set_new(ao, "expectancy_after", int_or_null(a->expectancy_after));
            set_text(ao, "safety_behaviours", a->safety_behaviours);
            set_text(ao, "note", a->note);
            set_text(ao, "entered_by", a->entered_by);
            set_text(ao, "created_at", a->created_at);
            json_array_append_new(attempts, ao);
        }
        json_object_set_new(o, "attempts", attempts);
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *sessions_json(const struct record *rec)
{
    json_t *list = json_array();
    for (size_t i = 0; i < rec->nsessions; i++) {
        const struct cairn_attendance_row *r = &rec->sessions[i];
        json_t *o = json_object();
        json_object_set_new(o, "session_id", json_integer(r->session.id));
        json_object_set_new(o, "date", json_string(r->session.date));
        set_text(o, "start", r->session.start);
        json_object_set_new(o, "type", json_string(cairn_session_type_str(r->session.type)));
        set_text(o, "title", r->session.title);
        json_object_set_new(o, "minutes", json_integer(r->session.minutes));
        json_object_set_new(o, "telehealth", json_boolean(r->session.telehealth));
        set_text(o, "facilitator", r->session.facilitator);
        json_object_set_new(o, "attendance_id", json_integer(r->attendance_id));
        json_object_set_new(o, "status", json_string(cairn_attendance_str(r->status)));
        json_object_set_new(o, "minutes_attended", json_integer(r->minutes_attended));
        json_object_set_new(o, "version", json_integer(r->version));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *measures_json(const struct record *rec)
{
    json_t *list = json_array();
    for (size_t i = 0; i < rec->nmeasures; i++) {
        const struct cairn_measure_entry *e = &rec->measures[i];
        const struct cairn_measure *m = &e->m;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(m->id));
        json_object_set_new(o, "instrument", json_string(cairn_instrument_str(m->instrument)));
        json_object_set_new(o, "date", json_string(m->date));
        json_t *answers = json_array();
        for (size_t k = 0; k < m->nanswers; k++)
            json_array_append_new(answers, int_or_null(m->answers[k]));
        json_object_set_new(o, "answers", answers);
        json_object_set_new(o, "total", json_integer(m->score.total));
        set_text(o, "band", m->score.band);
        set_text(o, "band_rule", m->score.band_rule);
        json_t *flags = json_array();
        for (int f = 0; f < CAIRN_MEASURE_FLAG__COUNT; f++) {
            if (!(m->score.flags & (1u << f)))
                continue;
            json_t *fo = json_object();
            json_object_set_new(fo, "rule",
                                json_string(cairn_measure_flag_str((enum cairn_measure_flag)f)));
            json_object_set_new(fo, "text", json_string(m->score.flag_text[f]));
            json_array_append_new(flags, fo);
        }
        json_object_set_new(o, "flags", flags);
        json_object_set_new(o, "baseline", json_boolean(e->baseline));
        json_object_set_new(o, "baseline_total", json_integer(e->baseline_total));
        json_object_set_new(o, "previous_total",
                            e->has_previous ? json_integer(e->previous_total) : json_null());
        json_t *labels = json_array();
        for (size_t k = 0; k < e->change.nlabels; k++)
            json_array_append_new(labels, json_string(e->change.labels[k].text));
        json_object_set_new(o, "change_labels", labels);
        set_text(o, "entered_by", m->entered_by);
        set_text(o, "created_at", m->created_at);
        json_object_set_new(o, "version", json_integer(m->version));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *record_json(struct record *rec, json_t *extra)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string("cairn-patient-record"));
    json_object_set_new(doc, "format_version", json_integer(CAIRN_EXPORT_RECORD_VERSION));
    json_object_set_new(doc, "schema_version", json_integer(rec->schema));
    json_object_set_new(doc, "patient", patient_json(&rec->patient));
    json_object_set_new(doc, "program",
                        rec->has_program ? program_json(&rec->program) : json_null());
    json_object_set(doc, "plan", json_object_get(extra, "plan"));
    json_object_set(doc, "safety_plan", json_object_get(extra, "safety_plan"));
    json_object_set_new(doc, "ladders", ladders_json(rec));
    json_object_set_new(doc, "sessions", sessions_json(rec));
    json_object_set_new(doc, "measures", measures_json(rec));
    json_object_set(doc, "lapses", rec->lapses);
    json_object_set(doc, "reviews", json_object_get(extra, "reviews"));
    return doc;
}

/* --- FHIR R4 -------------------------------------------------------------- */

#define FHIR_GOAL_ACHIEVEMENT "http://terminology.hl7.org/CodeSystem/goal-achievement"
#define FHIR_OBS_CATEGORY     "http://terminology.hl7.org/CodeSystem/observation-category"
#define FHIR_ACT_CODE         "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define FHIR_CONTACT_ROLE     "http://terminology.hl7.org/CodeSystem/v2-0131"
#define FHIR_LOINC            "http://loinc.org"
#define FHIR_MRN_SYSTEM       "urn:cairn:mrn"

struct bundle {
    json_t *entries;
    char patient_url[64]; /* "urn:uuid:…" of the Patient */
};

/* "urn:uuid:<uuid5 of cairn:<entity>:<id>>" into out (64 bytes). */
static void fhir_url(const char *entity, int64_t id, char out[64])
{
    char name[96], uuid[CAIRN_UUID_LEN + 1];
    snprintf(name, sizeof name, "cairn:%s:%lld", entity, (long long)id);
    cairn_uuid5(CAIRN_EXPORT_UUID_NS, name, uuid);
    snprintf(out, 64, "urn:uuid:%s", uuid);
}

/* Starts a resource of `type` with the id its fullUrl carries, and adds
 * it to the bundle (which owns it). */
static json_t *fhir_add(struct bundle *b, const char *type, const char *url)
{
    json_t *r = json_object(), *entry = json_object();
    json_object_set_new(r, "resourceType", json_string(type));
    json_object_set_new(r, "id", json_string(url + strlen("urn:uuid:")));
    json_object_set_new(entry, "fullUrl", json_string(url));
    json_object_set_new(entry, "resource", r);
    json_array_append_new(b->entries, entry);
    return r;
}

static json_t *fhir_ref(const char *url)
{
    json_t *r = json_object();
    json_object_set_new(r, "reference", json_string(url));
    return r;
}

static json_t *fhir_text_concept(const char *text)
{
    json_t *c = json_object();
    json_object_set_new(c, "text", json_string(text));
    return c;
}

static json_t *fhir_coding(const char *system, const char *code, const char *display)
{
    json_t *c = json_object();
    json_object_set_new(c, "system", json_string(system));
    json_object_set_new(c, "code", json_string(code));
    if (display)
        json_object_set_new(c, "display", json_string(display));
    return c;
}

static json_t *fhir_concept(const char *system, const char *code, const char *display,
                            const char *text)
{
    json_t *c = json_object(), *codings = json_array();
    json_array_append_new(codings, fhir_coding(system, code, display));
    json_object_set_new(c, "coding", codings);
    if (text)
        json_object_set_new(c, "text", json_string(text));
    return c;
}

static json_t *fhir_list1(json_t *v)
{
    json_t *a = json_array();
    json_array_append_new(a, v);
    return a;
}

static bool patient_in_care(const struct cairn_patient *p)
{
    return p->status == CAIRN_PATIENT_REFERRED || p->status == CAIRN_PATIENT_ACTIVE ||
           p->status == CAIRN_PATIENT_ON_HOLD;
}

static void fhir_patient(struct bundle *b, const struct cairn_patient *p)
{
    json_t *r = fhir_add(b, "Patient", b->patient_url);
    json_t *id = json_object();
    json_object_set_new(id, "use", json_string("usual"));
    json_object_set_new(id, "system", json_string(FHIR_MRN_SYSTEM));
    json_object_set_new(id, "value", json_string(p->mrn));
    json_object_set_new(r, "identifier", fhir_list1(id));
    /* cairn keeps a name as one string, as the person gives it: it goes to
     * HumanName.text, never guessed apart into family and given. */
    json_t *names = json_array(), *n = json_object();
    json_object_set_new(n, "use", json_string("official"));
    json_object_set_new(n, "text", json_string(p->legal_name));
    json_array_append_new(names, n);
    if (p->preferred_name[0]) {
        n = json_object();
        json_object_set_new(n, "use", json_string("usual"));
        json_object_set_new(n, "text", json_string(p->preferred_name));
        json_array_append_new(names, n);
    }
    json_object_set_new(r, "name", names);
    if (p->phone[0]) {
        json_t *t = json_object();
        json_object_set_new(t, "system", json_string("phone"));
        json_object_set_new(t, "value", json_string(p->phone));
        json_object_set_new(r, "telecom", fhir_list1(t));
    }
    /* No gender: cairn does not store one (pronouns are not a gender). */
    if (p->dob[0])
        json_object_set_new(r, "birthDate", json_string(p->dob));
    if (p->emergency_contact[0]) {
        json_t *c = json_object(), *name = json_object();
        json_object_set_new(
            c, "relationship",
            fhir_list1(fhir_concept(FHIR_CONTACT_ROLE, "C", "Emergency Contact", NULL)));
        json_object_set_new(name, "text", json_string(p->emergency_contact));
        json_object_set_new(c, "name", name);
        json_object_set_new(r, "contact", fhir_list1(c));
    }
}

/* CarePlan.status from the patient's status and whether the plan is in
 * force (a relapse plan made active; a safety plan saved at least once):
 * in care, draft / active, on-hold while the patient is on hold; after
 * discharge, completed when it was in force and revoked when it never
 * was. */
static const char *careplan_status(const struct cairn_patient *p, bool in_force)
{
    if (!patient_in_care(p))
        return in_force ? "completed" : "revoked";
    if (!in_force)
        return "draft";
    return p->status == CAIRN_PATIENT_ON_HOLD ? "on-hold" : "active";
}

/* CarePlan.activity.detail.status that goes with a CarePlan.status. */
static const char *activity_status(const char *careplan)
{
    if (!strcmp(careplan, "active"))
        return "in-progress";
    if (!strcmp(careplan, "on-hold"))
        return "on-hold";
    if (!strcmp(careplan, "completed"))
        return "completed";
    if (!strcmp(careplan, "revoked"))
        return "cancelled";
    return "not-started";
}

static void social_goal_url(const struct record *rec, const char *key, char out[64])
{
    /* Goal keys (g1, g2…) never change across revisions: so neither does
     * the goal's UUID. */
    char name[64];
    snprintf(name, sizeof name, "social_goal:%lld:%s", (long long)rec->patient.id, key);
    fhir_url(name, 0, out);
}

static void fhir_careplan(struct bundle *b, const struct record *rec, const struct cairn_plan *pl)
{
    const struct cairn_patient *p = &rec->patient;
    bool relapse = pl->kind == CAIRN_PLAN_RELAPSE;
    bool in_force = relapse ? strcmp(pl->status, "active") == 0 : pl->revision > 0;
    const char *status = careplan_status(p, in_force);
    char url[64];
    fhir_url(relapse ? "careplan:plan" : "careplan:safety", p->id, url);
    json_t *r = fhir_add(b, "CarePlan", url);
    json_object_set_new(r, "status", json_string(status));
    json_object_set_new(r, "intent", json_string("plan"));
    json_object_set_new(
        r, "category",
        fhir_list1(fhir_text_concept(relapse ? "relapse-prevention plan" : "safety plan")));
    json_object_set_new(r, "title",
                        json_string(relapse ? "Relapse-prevention plan" : "Safety plan"));
    if (!relapse)
        json_object_set_new(r, "description",
                            json_string("Safety plan after the Stanley-Brown safety planning "
                                        "intervention (Stanley & Brown 2012), in cairn's wording"));
    json_object_set_new(r, "subject", fhir_ref(b->patient_url));
    if (p->admission_date[0]) {
        json_t *period = json_object();
        json_object_set_new(period, "start", json_string(p->admission_date));
        if (p->discharge_date[0])
            json_object_set_new(period, "end", json_string(p->discharge_date));
        json_object_set_new(r, "period", period);
    }
    json_t *goals = json_array(), *activities = json_array();
    for (size_t s = 0; s < pl->nparts; s++) {
        const struct cairn_plan_part *part = &pl->parts[s];
        const char *title = cairn_plan_part_title(pl->kind, part->section);
        bool social = relapse && part->section == CAIRN_SECTION_SOCIAL_GOALS;
        for (size_t i = 0; i < part->nitems; i++) {
            char line[CAIRN_PLAN_TEXT_BYTES + 4 * CAIRN_PLAN_SHORT_BYTES];
            cairn_plan_item_line(pl->kind, part->section, &part->items[i], line, sizeof line);
            json_t *a = json_object(), *d = json_object();
            json_object_set_new(d, "code", fhir_text_concept(title));
            json_object_set_new(d, "status", json_string(activity_status(status)));
            json_object_set_new(d, "description", json_string(line));
            if (social) {
                char gurl[64];
                social_goal_url(rec, part->items[i].key, gurl);
                json_object_set_new(d, "goal", fhir_list1(fhir_ref(gurl)));
                json_array_append_new(goals, fhir_ref(gurl));
            }
            json_object_set_new(a, "detail", d);
            json_array_append_new(activities, a);
        }
    }
    /* The exposure steps are part of the treatment plan too. */
    if (relapse)
        for (size_t l = 0; l < rec->nladders; l++)
            for (size_t k = 0; k < rec->ladders[l].nsteps; k++) {
                char gurl[64];
                fhir_url("ladder_step", rec->ladders[l].steps[k].id, gurl);
                json_array_append_new(goals, fhir_ref(gurl));
            }
    if (json_array_size(goals))
        json_object_set_new(r, "goal", goals);
    else
        json_decref(goals);
    if (json_array_size(activities))
        json_object_set_new(r, "activity", activities);
    else
        json_decref(activities);
}

static json_t *achievement(const char *code)
{
    return fhir_concept(FHIR_GOAL_ACHIEVEMENT, code, NULL, NULL);
}

static json_t *fhir_goal_base(struct bundle *b, const char *url, const char *lifecycle,
                              const char *achieved, const char *category, const char *text)
{
    json_t *r = fhir_add(b, "Goal", url);
    json_object_set_new(r, "lifecycleStatus", json_string(lifecycle));
    if (achieved)
        json_object_set_new(r, "achievementStatus", achievement(achieved));
    json_object_set_new(r, "category", fhir_list1(fhir_text_concept(category)));
    json_object_set_new(r, "description", fhir_text_concept(text));
    json_object_set_new(r, "subject", fhir_ref(b->patient_url));
    return r;
}

/* Social goals of the plan's head revision. Lifecycle: proposed while the
 * plan is a draft, on-hold while the patient is, completed after
 * discharge, active otherwise. Achievement from the latest week tallied:
 * target met → achieved; below it → in-progress (not-achieved after
 * discharge); nothing tallied → in-progress. */
static void fhir_social_goals(struct bundle *b, const struct record *rec)
{
    const struct cairn_plan *pl = rec->plan;
    const struct cairn_patient *p = &rec->patient;
    const struct cairn_plan_part *part = NULL;
    for (size_t s = 0; s < pl->nparts; s++)
        if (pl->parts[s].section == CAIRN_SECTION_SOCIAL_GOALS)
            part = &pl->parts[s];
    if (!part)
        return;
    bool in_care = patient_in_care(p);
    for (size_t i = 0; i < part->nitems; i++) {
        const struct cairn_plan_item *it = &part->items[i];
        const struct cairn_goal_tally *last = NULL;
        for (size_t t = 0; t < rec->ntallies; t++)
            if (!strcmp(rec->tallies[t].goal, it->key) &&
                (!last || strcmp(rec->tallies[t].week, last->week) > 0))
                last = &rec->tallies[t];
        const char *lifecycle = !in_care                             ? "completed"
                                : p->status == CAIRN_PATIENT_ON_HOLD ? "on-hold"
                                : strcmp(pl->status, "active") == 0  ? "active"
                                                                     : "proposed";
        const char *achieved = !last                             ? "in-progress"
                               : last->done >= it->weekly_target ? "achieved"
                               : in_care                         ? "in-progress"
                                                                 : "not-achieved";
        char url[64];
        social_goal_url(rec, it->key, url);
        json_t *r = fhir_goal_base(b, url, lifecycle, achieved, "social reintegration", it->text);
        if (it->weekly_target > 0) {
            json_t *target = json_object(), *q = json_object();
            json_object_set_new(target, "measure", fhir_text_concept("times met in a week"));
            json_object_set_new(q, "value", json_integer(it->weekly_target));
            json_object_set_new(q, "unit", json_string("per week"));
            json_object_set_new(target, "detailQuantity", q);
            json_object_set_new(r, "target", fhir_list1(target));
        }
        if (last) {
            char note[160];
            snprintf(note, sizeof note, "Met %d of %d times in %s (latest week recorded)",
                     last->done, it->weekly_target, last->week);
            json_object_set_new(r, "note", fhir_list1(fhir_text_concept(note)));
        }
    }
}

/* One Goal per ladder step. mastered → completed/achieved; in progress →
 * active/in-progress; not started → planned (no achievement yet);
 * skipped, retired or on a retired ladder → cancelled. On hold, steps
 * being worked on are on-hold; after discharge, steps begun but not
 * mastered are completed/not-achieved and unstarted ones cancelled. */
static void fhir_ladder_goals(struct bundle *b, const struct record *rec)
{
    const struct cairn_patient *p = &rec->patient;
    bool in_care = patient_in_care(p);
    for (size_t l = 0; l < rec->nladders; l++) {
        const struct cairn_ladder *ld = &rec->ladders[l];
        for (size_t k = 0; k < ld->nsteps; k++) {
            const struct cairn_ladder_step *st = &ld->steps[k];
            const char *lifecycle = "planned", *achieved = NULL;
            if (st->status == CAIRN_STEP_MASTERED) {
                lifecycle = "completed";
                achieved = "achieved";
            } else if (st->status == CAIRN_STEP_SKIPPED || st->retired || ld->retired) {
                lifecycle = "cancelled";
            } else if (!in_care) {
                lifecycle = st->status == CAIRN_STEP_IN_PROGRESS ? "completed" : "cancelled";
                achieved = st->status == CAIRN_STEP_IN_PROGRESS ? "not-achieved" : NULL;
            } else if (st->status == CAIRN_STEP_IN_PROGRESS) {
                lifecycle = p->status == CAIRN_PATIENT_ON_HOLD ? "on-hold" : "active";
                achieved = "in-progress";
            }
            char url[64];
            fhir_url("ladder_step", st->id, url);
            json_t *r = fhir_goal_base(b, url, lifecycle, achieved, "exposure hierarchy", st->text);
            if (st->last_date[0])
                json_object_set_new(r, "statusDate", json_string(st->last_date));
            char note[CAIRN_TEMPLATE_TEXT_BYTES + CAIRN_LADDER_REASON_MAX + 96];
            snprintf(note, sizeof note,
                     "Ladder \"%s\", step %d, anticipated SUDS %d of %d; %d attempt%s. %s",
                     ld->name, st->position, st->suds, ld->scale, st->attempts,
                     st->attempts == 1 ? "" : "s", st->mastery.reason);
            json_object_set_new(r, "note", fhir_list1(fhir_text_concept(note)));
        }
    }
}

/* PHQ-9 and GAD-7 totals carry their LOINC codes (44261-6, 70274-6). The
 * item answers are components coded by text: cairn does not claim item
 * LOINC codes it has not verified. */
static void fhir_measure(struct bundle *b, const struct cairn_measure_entry *e)
{
    const struct cairn_measure *m = &e->m;
    const struct cairn_instrument_def *def = cairn_instrument_get(m->instrument);
    const char *loinc = m->instrument == CAIRN_INSTRUMENT_PHQ9   ? "44261-6"
                        : m->instrument == CAIRN_INSTRUMENT_GAD7 ? "70274-6"
                                                                 : NULL;
    if (!loinc || !def)
        return; /* other instruments are in the JSON form only */
    char qr_url[64], obs_url[64], text[CAIRN_TEMPLATE_TEXT_BYTES + 64];
    fhir_url("questionnaire_response", m->id, qr_url);
    fhir_url("observation", m->id, obs_url);

    json_t *qr = fhir_add(b, "QuestionnaireResponse", qr_url);
    json_object_set_new(qr, "status", json_string("completed"));
    json_object_set_new(qr, "subject", fhir_ref(b->patient_url));
    json_object_set_new(qr, "authored", json_string(m->date));
    json_t *items = json_array();
    for (size_t i = 0; i < m->nanswers && i < def->nitems; i++) {
        json_t *it = json_object(), *ans = json_object();
        char link[8];
        snprintf(link, sizeof link, "%zu", i + 1);
        json_object_set_new(it, "linkId", json_string(link));
        json_object_set_new(it, "text", json_string(def->items[i]));
        if (m->answers[i] != CAIRN_ANSWER_SKIPPED) {
            json_object_set_new(ans, "valueInteger", json_integer(m->answers[i]));
            json_object_set_new(it, "answer", fhir_list1(ans));
        } else {
            json_decref(ans);
        }
        json_array_append_new(items, it);
    }
    json_object_set_new(qr, "item", items);

    json_t *o = fhir_add(b, "Observation", obs_url);
    /* A corrected measure (version > 1) is amended. */
    json_object_set_new(o, "status", json_string(m->version > 1 ? "amended" : "final"));
    json_object_set_new(o, "category",
                        fhir_list1(fhir_concept(FHIR_OBS_CATEGORY, "survey", "Survey", NULL)));
    snprintf(text, sizeof text, "%s total score", def->title);
    json_object_set_new(o, "code", fhir_concept(FHIR_LOINC, loinc, NULL, text));
    json_object_set_new(o, "subject", fhir_ref(b->patient_url));
    json_object_set_new(o, "effectiveDateTime", json_string(m->date));
    if (m->created_at[0])
        json_object_set_new(o, "issued", json_string(m->created_at));
    json_object_set_new(o, "valueInteger", json_integer(m->score.total));
    if (m->score.band && m->score.band[0]) {
        snprintf(text, sizeof text, "%s (rule %s: %s)", m->score.band, m->score.band_rule,
                 m->score.band_why);
        json_object_set_new(o, "interpretation", fhir_list1(fhir_text_concept(text)));
    }
    json_t *notes = json_array();
    for (int f = 0; f < CAIRN_MEASURE_FLAG__COUNT; f++)
        if (m->score.flags & (1u << f))
            json_array_append_new(notes, fhir_text_concept(m->score.flag_text[f]));
    for (size_t k = 0; k < e->change.nlabels; k++)
        json_array_append_new(notes, fhir_text_concept(e->change.labels[k].text));
    if (json_array_size(notes))
        json_object_set_new(o, "note", notes);
    else
        json_decref(notes);
    json_object_set_new(o, "derivedFrom", fhir_list1(fhir_ref(qr_url)));
    json_t *comps = json_array();
    for (size_t i = 0; i < m->nanswers && i < def->nitems; i++) {
        if (m->answers[i] == CAIRN_ANSWER_SKIPPED)
            continue;
        json_t *c = json_object();
        snprintf(text, sizeof text, "%s item %zu: %s", def->title, i + 1, def->items[i]);
        json_object_set_new(c, "code", fhir_text_concept(text));
        json_object_set_new(c, "valueInteger", json_integer(m->answers[i]));
        json_array_append_new(comps, c);
    }
    json_object_set_new(o, "component", comps);
}

/* A local date and minute of the day (may run past midnight) as a FHIR
 * dateTime with the local UTC offset (FHIR requires a zone with a time);
 * false when the C library cannot place it. */
static bool local_datetime(int32_t day, long minute, char out[40])
{
    int y, mo, d;
    cairn_date_to_ymd(day, &y, &mo, &d);
    struct tm tm = {0}, lt;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_min = (int)minute;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 || !localtime_r(&t, &lt))
        return false;
    long off = lt.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", lt.tm_year + 1900,
             lt.tm_mon + 1, lt.tm_mday, lt.tm_hour, lt.tm_min, lt.tm_sec, sign, off / 3600,
             off % 3600 / 60);
    return true;
}

/* One Encounter per attendance line: attended or late → finished (with
 * the minutes attended as length); absent or excused → cancelled (R4 has
 * no status for a missed visit). Class VR (virtual) for telehealth, AMB
 * (ambulatory) in person. */
static void fhir_encounter(struct bundle *b, const struct cairn_attendance_row *row)
{
    const struct cairn_session *s = &row->session;
    bool came = row->status == CAIRN_ATTENDED || row->status == CAIRN_LATE;
    char url[64], text[sizeof s->title + 64];
    fhir_url("attendance", row->attendance_id, url);
    json_t *r = fhir_add(b, "Encounter", url);
    json_object_set_new(r, "status", json_string(came ? "finished" : "cancelled"));
    json_object_set_new(r, "class",
                        s->telehealth ? fhir_coding(FHIR_ACT_CODE, "VR", "virtual")
                                      : fhir_coding(FHIR_ACT_CODE, "AMB", "ambulatory"));
    snprintf(text, sizeof text, "%s session%s%s", cairn_session_type_str(s->type),
             s->title[0] ? ": " : "", s->title);
    json_object_set_new(r, "type", fhir_list1(fhir_text_concept(text)));
    json_object_set_new(r, "subject", fhir_ref(b->patient_url));
    json_t *period = json_object();
    int32_t day;
    int start = cairn_session_start_minute(s->start);
    char from[40], to[40];
    if (cairn_date_parse(s->date, &day, NULL) == CAIRN_OK && start >= 0 &&
        local_datetime(day, start, from) && local_datetime(day, start + s->minutes, to)) {
        json_object_set_new(period, "start", json_string(from));
        json_object_set_new(period, "end", json_string(to));
    } else {
        json_object_set_new(period, "start", json_string(s->date));
        json_object_set_new(period, "end", json_string(s->date));
    }
    json_object_set_new(r, "period", period);
    if (came) {
        json_t *len = json_object();
        json_object_set_new(len, "value", json_integer(row->minutes_attended));
        json_object_set_new(len, "unit", json_string("min"));
        json_object_set_new(len, "system", json_string("http://unitsofmeasure.org"));
        json_object_set_new(len, "code", json_string("min"));
        json_object_set_new(r, "length", len);
    }
}

static json_t *fhir_bundle(const struct record *rec)
{
    struct bundle b = {.entries = json_array()};
    char url[64];
    fhir_url("patient", rec->patient.id, b.patient_url);
    fhir_url("bundle", rec->patient.id, url);
    fhir_patient(&b, &rec->patient);
    if (rec->plan)
        fhir_careplan(&b, rec, rec->plan);
    fhir_careplan(&b, rec, rec->safety);
    if (rec->plan)
        fhir_social_goals(&b, rec);
    fhir_ladder_goals(&b, rec);
    for (size_t i = 0; i < rec->nmeasures; i++)
        fhir_measure(&b, &rec->measures[i]);
    for (size_t i = 0; i < rec->nsessions; i++)
        fhir_encounter(&b, &rec->sessions[i]);
    json_t *doc = json_object();
    json_object_set_new(doc, "resourceType", json_string("Bundle"));
    json_object_set_new(doc, "id", json_string(url + strlen("urn:uuid:")));
    json_object_set_new(doc, "type", json_string("collection"));
    json_object_set_new(doc, "entry", b.entries);
    return doc;
}

/* --- the entry point ------------------------------------------------------ */

enum cairn_status cairn_export_patient(struct cairn_store *store, const char *mrn,
                                       enum cairn_export_format format, char **doc,
                                       int64_t *patient_id, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    struct record rec = {.format = format};
    json_t *extra = NULL, *out = NULL;
    bool open = false;
    *doc = NULL;
    if (format != CAIRN_EXPORT_JSON && format != CAIRN_EXPORT_FHIR)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "format", "must be json or fhir");
    if (format == CAIRN_EXPORT_JSON && !(extra = json_object())) {
        rc = nomem(err);
        goto out;
    }
    /* One transaction: the document is one moment of the record, and its
     * audit rows land together. */
    if ((rc = cairn_store_begin(store, err)) != CAIRN_OK)
        goto out;
    open = true;
    if ((rc = gather(store, mrn, &rec, extra, err)) != CAIRN_OK)
        goto out;
    rc = cairn_store_commit(store, err);
    open = false;
    if (rc != CAIRN_OK)
        goto out;
    out = format == CAIRN_EXPORT_JSON ? record_json(&rec, extra) : fhir_bundle(&rec);
    char *text = out ? json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    size_t len = text ? strlen(text) : 0;
    char *full = text ? realloc(text, len + 2) : NULL;
    if (!full) {
        free(text);
        rc = nomem(err);
        goto out;
    }
    full[len] = '\n';
    full[len + 1] = '\0';
    *doc = full;
    if (patient_id)
        *patient_id = rec.patient.id;
out:
    if (open)
        cairn_store_rollback(store);
    json_decref(out);
    json_decref(extra);
    record_free(&rec);
    return rc;
}
