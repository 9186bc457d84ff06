/* Measures in the database: add (scored, audited) and a patient's history
 * with change from baseline and from the previous score (an audited read).
 * The rules themselves are the pure functions of measure.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/measure.h"
#include "store_internal.h"

/* Appends byte c to out (size bytes, o used) while there is room for it
 * and the terminator, as snprintf would truncate. */
static void put_char(char *out, size_t size, size_t *o, char c)
{
    if (*o + 1 < size) {
        out[(*o)++] = c;
        out[*o] = '\0';
    } else {
        *o = size; /* truncated: stop */
    }
}

/* The same text as "%s%d"/"%s-" by snprintf, put together by hand (a
 * demo writes a few million answer lists). */
void store_measure_answers_text(const int *answers, size_t n, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < size; i++) {
        if (i)
            put_char(out, size, &o, ',');
        if (answers[i] == CAIRN_ANSWER_SKIPPED) {
            put_char(out, size, &o, '-');
            continue;
        }
        char digits[12];
        size_t d = 0;
        long long v = answers[i];
        unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
        do
            digits[d++] = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        if (v < 0)
            put_char(out, size, &o, '-');
        while (d)
            put_char(out, size, &o, digits[--d]);
    }
}

/* Reads answers stored by answers_text(); returns how many. */
static size_t answers_parse(const char *text, int *answers)
{
    size_t n = 0;
    const char *c = text;
    while (*c && n < CAIRN_MEASURE_ANSWERS_MAX) {
        answers[n++] = *c == '-' ? CAIRN_ANSWER_SKIPPED : atoi(c);
        const char *comma = strchr(c, ',');
        if (!comma)
            break;
        c = comma + 1;
    }
    return n;
}

void store_measure_flags_text(unsigned flags, char *out, size_t size)
{
    out[0] = '\0';
    for (int f = 0; f < CAIRN_MEASURE_FLAG__COUNT; f++) {
        if (!(flags & (1u << f)))
            continue;
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s", n ? "," : "", cairn_measure_flag_str(f));
    }
}

/* Scores m->answers by `def` and checks m->date (a real date, not after
 * the store's today); pads a C-SSRS screen's follow-up slot. */
static enum cairn_status score(struct cairn_store *s, const struct cairn_instrument_def *def,
                               struct cairn_measure *m, struct cairn_error *err)
{
    enum cairn_status rc;
    int32_t day;
    if (!def)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "instrument", "unknown instrument");
    if ((rc = cairn_measure_score(def, m->answers, m->nanswers, &m->score, err)) != CAIRN_OK)
        return rc;
    if ((rc = cairn_date_parse(m->date, &day, err)) != CAIRN_OK) {
        if (err)
            snprintf(err->pointer, sizeof err->pointer, "date");
        return rc;
    }
    if (day > cairn_store_today(s)) {
        char today[CAIRN_DATE_LEN + 1];
        cairn_date_format(cairn_store_today(s), today);
        return cairn_error_field(err, CAIRN_ERR_INVALID, "date",
                                 "%s is in the future (today is %s); a measure is entered on or "
                                 "after the day it was taken",
                                 m->date, today);
    }
    /* The C-SSRS screen always stores its follow-up slot. */
    while (m->nanswers < def->nanswers && def->yes_no)
        m->answers[m->nanswers++] = CAIRN_ANSWER_SKIPPED;
    return CAIRN_OK;
}

enum cairn_status cairn_measure_add(struct cairn_store *s, struct cairn_measure *m,
                                    struct cairn_error *err)
{
    static const char sql[] =
        "INSERT INTO measure (patient_id, instrument, date, answers, total, band, flags, "
        "entered_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
    const struct cairn_instrument_def *def = cairn_instrument_get(m->instrument);
    enum cairn_status rc = score(s, def, m, err);
    if (rc != CAIRN_OK)
        return rc;

    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    char answers[64], flags[64];
    char now[CAIRN_TIMESTAMP_LEN + 1];
    store_measure_answers_text(m->answers, m->nanswers, answers, sizeof answers);
    store_measure_flags_text(m->score.flags, flags, sizeof flags);
    cairn_timestamp_now(now);
    sqlite3_bind_int64(st, 1, m->patient_id);
    sqlite3_bind_text(st, 2, def->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, answers, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, m->score.total);
    sqlite3_bind_text(st, 6, m->score.band, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, flags, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, s->login, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    if (src == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rc = cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "no patient with that id");
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = store_fail(s, src, "saving the measure", err);
        goto out;
    }
    m->id = sqlite3_last_insert_rowid(s->db);
    if ((rc = store_audit(s, "create", "measure", m->id, m->patient_id,
                          "instrument,date,answers,total,band,flags", "ok", err)) != CAIRN_OK)
        goto out;
    snprintf(m->entered_by, sizeof m->entered_by, "%s", s->login);
    snprintf(m->created_at, sizeof m->created_at, "%s", now);
    m->version = 1;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

/* The patient's reliable-change thresholds: their program's, else the
 * instrument defaults. CAIRN_ERR_NOT_FOUND for an unknown patient. */
static enum cairn_status thresholds(struct cairn_store *s, int64_t patient_id,
                                    int threshold[CAIRN_INSTRUMENT__COUNT], struct cairn_error *err)
{
    static const char sql[] = "SELECT pr.alert_phq9_rise, pr.alert_gad7_rise FROM patient p "
                              "LEFT JOIN program pr ON pr.id = p.program_id WHERE p.id = ?1";
    for (int i = 0; i < CAIRN_INSTRUMENT__COUNT; i++)
        threshold[i] = cairn_instrument_get(i)->reliable_change;
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, patient_id);
    int src = sqlite3_step(st);
    enum cairn_status rc = CAIRN_OK;
    if (src == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            threshold[CAIRN_INSTRUMENT_PHQ9] = sqlite3_column_int(st, 0);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            threshold[CAIRN_INSTRUMENT_GAD7] = sqlite3_column_int(st, 1);
    } else if (src == SQLITE_DONE) {
        rc = cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "no patient with that id");
    } else {
        rc = store_fail(s, src, "reading the patient's program", err);
    }
    sqlite3_reset(st);
    return rc;
}

/* Fills e->m from a history row (id, instrument, date, answers, total,
 * band, flags, entered_by, created_at, version), rescoring the answers for
 * the band's and flags' explanations. */
static void read_row(sqlite3_stmt *st, int64_t patient_id, struct cairn_measure_entry *e)
{
    char text[128];
    struct cairn_measure *m = &e->m;
    memset(e, 0, sizeof *e);
    m->id = sqlite3_column_int64(st, 0);
    m->patient_id = patient_id;
    store_col_text(st, 1, text, sizeof text);
    if (cairn_instrument_parse(text, &m->instrument, NULL) != CAIRN_OK)
        m->instrument = CAIRN_INSTRUMENT_PHQ9; /* the CHECK constraint rules this out */
    store_col_text(st, 2, m->date, sizeof m->date);
    store_col_text(st, 3, text, sizeof text);
    m->nanswers = answers_parse(text, m->answers);
    const struct cairn_instrument_def *def = cairn_instrument_get(m->instrument);
    if (cairn_measure_score(def, m->answers, m->nanswers, &m->score, NULL) != CAIRN_OK) {
        /* Stored answers that today's rules refuse: show what was stored. */
        memset(&m->score, 0, sizeof m->score);
        m->score.total = sqlite3_column_int(st, 4);
        const struct cairn_measure_band *band = cairn_measure_band(def, m->score.total);
        m->score.band = band ? band->label : "";
        m->score.band_rule = "";
    }
    store_col_text(st, 7, m->entered_by, sizeof m->entered_by);
    store_col_text(st, 8, m->created_at, sizeof m->created_at);
    m->version = sqlite3_column_int64(st, 9);
}

enum cairn_status cairn_measure_list(struct cairn_store *s, int64_t patient_id, bool only_one,
                                     enum cairn_instrument instrument,
                                     int (*fn)(const struct cairn_measure_entry *e, void *ctx),
                                     void *ctx, struct cairn_error *err)
{
    static const char sql[] =
        "SELECT id, instrument, date, answers, total, band, flags, entered_by, created_at, "
        "version FROM measure WHERE patient_id = ?1 AND (?2 IS NULL OR instrument = ?2) "
        "ORDER BY date, id";
    int threshold[CAIRN_INSTRUMENT__COUNT];
    bool seen[CAIRN_INSTRUMENT__COUNT] = {false};
    int baseline[CAIRN_INSTRUMENT__COUNT] = {0}, previous[CAIRN_INSTRUMENT__COUNT] = {0};
    struct cairn_measure_entry e;
    const struct cairn_instrument_def *only = only_one ? cairn_instrument_get(instrument) : NULL;
    enum cairn_status rc;

    if (only_one && !only)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "instrument", "unknown instrument");
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    if ((rc = thresholds(s, patient_id, threshold, err)) != CAIRN_OK)
        goto out;
    if ((rc = store_audit(s, "read", "measure", 0, patient_id, only ? "instrument" : "", "ok",
                          err)) != CAIRN_OK)
        goto out;
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    sqlite3_bind_int64(st, 1, patient_id);
    if (only)
        sqlite3_bind_text(st, 2, only->code, -1, SQLITE_STATIC);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, patient_id, &e);
        int i = (int)e.m.instrument;
        const struct cairn_instrument_def *def = cairn_instrument_get(e.m.instrument);
        e.reliable_change = def->reliable_change ? threshold[i] : 0;
        if (!seen[i]) {
            seen[i] = true;
            baseline[i] = e.m.score.total;
            e.baseline = true;
        } else {
            e.has_previous = true;
            e.previous_total = previous[i];
            cairn_measure_change(def, baseline[i], e.m.score.total, e.reliable_change, &e.change);
        }
        e.baseline_total = baseline[i];
        previous[i] = e.m.score.total;
        if (fn(&e, ctx))
            break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = store_fail(s, src, "listing measures", err);
    sqlite3_reset(st);
    if (rc != CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

enum cairn_status cairn_measure_recent(struct cairn_store *s, int64_t patient_id,
                                       enum cairn_instrument instrument, int *totals, size_t max,
                                       size_t *n, struct cairn_error *err)
{
    /* The newest `max` by the index (patient, instrument, date, id),
     * newest first; turned oldest first below. */
    STORE_PREPARE(st, "SELECT total FROM measure WHERE patient_id = ?1 AND instrument = ?2 "
                      "ORDER BY date DESC, id DESC LIMIT ?3");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, cairn_instrument_str(instrument), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    int src;
    *n = 0;
    while ((src = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        totals[(*n)++] = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (src != SQLITE_DONE && src != SQLITE_ROW)
        return store_fail(s, src, "reading recent measures", err);
    for (size_t i = 0, j = *n ? *n - 1 : 0; i < j; i++, j--) {
        int t = totals[i];
        totals[i] = totals[j];
        totals[j] = t;
    }
    return CAIRN_OK;
}

enum cairn_status cairn_measure_correct(struct cairn_store *s, struct cairn_measure *m,
                                        int64_t if_version, bool *unchanged,
                                        struct cairn_error *err)
{
    char answers[64], flags[64], old_answers[64] = "", old_date[CAIRN_DATE_LEN + 1] = "";
    int64_t version = 0;
    enum cairn_instrument stored = m->instrument;
    *unchanged = false;
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    {
        sqlite3_stmt *st = store_stmt(s,
                                      "SELECT patient_id, instrument, answers, date, version "
                                      "FROM measure WHERE id = ?1",
                                      err);
        if (!st) {
            rc = err ? err->status : CAIRN_ERR_DB;
            goto out;
        }
        sqlite3_bind_int64(st, 1, m->id);
        int src = sqlite3_step(st);
        if (src == SQLITE_ROW) {
            m->patient_id = sqlite3_column_int64(st, 0);
            cairn_instrument_parse((const char *)sqlite3_column_text(st, 1), &stored, NULL);
            store_col_text(st, 2, old_answers, sizeof old_answers);
            store_col_text(st, 3, old_date, sizeof old_date);
            version = sqlite3_column_int64(st, 4);
        }
        sqlite3_reset(st);
        if (src == SQLITE_DONE) {
            rc = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "measure", "no measure %lld",
                                   (long long)m->id);
            goto out;
        }
        if (src != SQLITE_ROW) {
            rc = store_fail(s, src, "reading the measure", err);
            goto out;
        }
    }
    if (stored != m->instrument) {
        /* A mistyped id is caught, not used to overwrite another score. */
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "measure", "measure %lld is a %s, not a %s",
                               (long long)m->id, cairn_instrument_str(stored),
                               cairn_instrument_str(m->instrument));
        goto out;
    }
    if (if_version > 0 && version != if_version) {
        rc = cairn_error_set(err, CAIRN_ERR_CONFLICT,
                             "measure %lld was changed by someone else since you read it "
                             "(version %lld, now %lld); nothing was saved",
                             (long long)m->id, (long long)if_version, (long long)version);
        goto out;
    }
    if (!m->date[0])
        memcpy(m->date, old_date, sizeof m->date);
    if ((rc = score(s, cairn_instrument_get(m->instrument), m, err)) != CAIRN_OK)
        goto out;
    store_measure_answers_text(m->answers, m->nanswers, answers, sizeof answers);
    store_measure_flags_text(m->score.flags, flags, sizeof flags);
    if (!strcmp(answers, old_answers) && !strcmp(m->date, old_date)) {
        *unchanged = true;
        m->version = version;
        goto out;
    }
    char now[CAIRN_TIMESTAMP_LEN + 1], fields[64];
    cairn_timestamp_now(now);
    snprintf(fields, sizeof fields, "%s%s%s",
             strcmp(answers, old_answers) ? "answers,total,band,flags" : "",
             strcmp(answers, old_answers) && strcmp(m->date, old_date) ? "," : "",
             strcmp(m->date, old_date) ? "date" : "");
    {
        sqlite3_stmt *st = store_stmt(s,
                                      "UPDATE measure SET answers = ?2, total = ?3, band = ?4, "
                                      "flags = ?5, date = ?6, updated_at = ?7, "
                                      "version = version + 1 WHERE id = ?1",
                                      err);
        if (!st) {
            rc = err ? err->status : CAIRN_ERR_DB;
            goto out;
        }
        sqlite3_bind_int64(st, 1, m->id);
        sqlite3_bind_text(st, 2, answers, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, m->score.total);
        sqlite3_bind_text(st, 4, m->score.band, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, flags, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, m->date, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
        if ((rc = store_step_done(s, st, "correcting the measure", err)) != CAIRN_OK)
            goto out;
    }
    m->version = version + 1;
    rc = store_audit(s, "update", "measure", m->id, m->patient_id, fields, "ok", err);
out:
    rc = store_tx_end(s, rc, err);
    if (rc == CAIRN_ERR_CONFLICT)
        store_audit_refusal(s, "update", "measure", m->id, m->patient_id, "conflict");
    return rc;
}
