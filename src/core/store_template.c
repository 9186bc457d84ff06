/* Program templates in the database: import, read back, and the care a
 * patient is given on admission (plan sections, ladders, review schedule). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/care.h"
#include "cairn/date.h"
#include "cairn/template.h"
#include "store_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* "group,individual" from the session-type bits. */
static void session_types_text(unsigned bits, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < CAIRN_SESSION_TYPE__COUNT && used < size; i++)
        if (bits & (1u << i))
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "",
                                     cairn_session_type_str((enum cairn_session_type)i));
}

static unsigned session_types_bits(const char *text)
{
    unsigned bits = 0;
    for (int i = 0; i < CAIRN_SESSION_TYPE__COUNT; i++) {
        const char *name = cairn_session_type_str((enum cairn_session_type)i);
        size_t n = strlen(name);
        for (const char *p = text; (p = strstr(p, name)) != NULL; p += n)
            if ((p == text || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
                bits |= 1u << i;
    }
    return bits;
}

enum cairn_status store_program_insert(struct cairn_store *s, struct cairn_template *t,
                                       const char *text, size_t len, struct cairn_error *err)
{
    STORE_PREPARE(st,
                  "INSERT INTO program (code, template_version, name, level_of_care, population, "
                  "min_hours_per_week, max_hours_per_week, sessions_per_week, min_days_per_week, "
                  "length_weeks, template_text, hours_per_session, session_types, "
                  "mastery_peak_suds, mastery_consecutive, mastery_drop_percent, alert_phq9_rise, "
                  "alert_gad7_rise, alert_absences_per_week, alert_ladder_stall_days, "
                  "alert_discharge_planning_days, crisis_line, lapse_log, created_at, updated_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                  "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?24)");
    const struct cairn_program *p = &t->program;
    char types[128], now[CAIRN_TIMESTAMP_LEN + 1];
    session_types_text(t->session_types, types, sizeof types);
    cairn_timestamp_now(now);
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, p->version);
    sqlite3_bind_text(st, 3, p->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, p->level_of_care, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, p->population, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 6, p->min_hours_per_week);
    sqlite3_bind_double(st, 7, p->max_hours_per_week);
    sqlite3_bind_int(st, 8, p->sessions_per_week);
    sqlite3_bind_int(st, 9, p->min_days_per_week);
    sqlite3_bind_int(st, 10, p->length_weeks);
    if (text)
        sqlite3_bind_text(st, 11, text, (int)len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 11);
    sqlite3_bind_double(st, 12, t->hours_per_session);
    sqlite3_bind_text(st, 13, types, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 14, t->mastery.peak_suds_at_most);
    sqlite3_bind_int(st, 15, t->mastery.consecutive);
    sqlite3_bind_int(st, 16, t->mastery.or_drop_percent);
    sqlite3_bind_int(st, 17, t->alerts.phq9_rise);
    sqlite3_bind_int(st, 18, t->alerts.gad7_rise);
    sqlite3_bind_int(st, 19, t->alerts.absences_per_week);
    sqlite3_bind_int(st, 20, t->alerts.ladder_stall_days);
    sqlite3_bind_int(st, 21, t->alerts.discharge_planning_days);
    sqlite3_bind_text(st, 22, t->crisis_line, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 23, t->lapse_log);
    sqlite3_bind_text(st, 24, now, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    if (src == SQLITE_CONSTRAINT_UNIQUE)
        return cairn_error_field(err, CAIRN_ERR_EXISTS, "version",
                                 "this program version is already stored");
    if (src != SQLITE_DONE)
        return store_fail(s, src, "storing a program", err);
    t->program.id = sqlite3_last_insert_rowid(store_db(s));
    return CAIRN_OK;
}

static enum cairn_status insert_children(struct cairn_store *s, const struct cairn_template *t,
                                         struct cairn_error *err)
{
    int64_t id = t->program.id;
    enum cairn_status rc = CAIRN_OK;
    {
        STORE_PREPARE(st, "INSERT INTO program_measure (program_id, position, instrument, every) "
                          "VALUES (?1, ?2, ?3, ?4)");
        for (size_t i = 0; i < t->nmeasures && rc == CAIRN_OK; i++) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int(st, 2, (int)i);
            sqlite3_bind_text(st, 3, cairn_instrument_str(t->measures[i].instrument), -1,
                              SQLITE_STATIC);
            sqlite3_bind_text(st, 4, cairn_cadence_str(t->measures[i].every), -1, SQLITE_STATIC);
            rc = store_step_done(s, st, "storing a program measure", err);
        }
    }
    if (rc == CAIRN_OK) {
        STORE_PREPARE(st, "INSERT INTO program_plan_section (program_id, position, section) "
                          "VALUES (?1, ?2, ?3)");
        for (size_t i = 0; i < t->nsections && rc == CAIRN_OK; i++) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int(st, 2, (int)i);
            sqlite3_bind_text(st, 3, cairn_plan_section_str(t->sections[i]), -1, SQLITE_STATIC);
            rc = store_step_done(s, st, "storing a plan section", err);
        }
    }
    if (rc == CAIRN_OK) {
        STORE_PREPARE(st, "INSERT INTO program_checklist_item (program_id, position, text) "
                          "VALUES (?1, ?2, ?3)");
        for (size_t i = 0; i < t->nchecklist && rc == CAIRN_OK; i++) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int(st, 2, (int)i);
            sqlite3_bind_text(st, 3, t->checklist[i], -1, SQLITE_STATIC);
            rc = store_step_done(s, st, "storing a review checklist item", err);
        }
    }
    for (size_t i = 0; i < t->nladders && rc == CAIRN_OK; i++) {
        const struct cairn_template_ladder *l = &t->ladders[i];
        STORE_PREPARE(ins, "INSERT INTO program_ladder (program_id, position, name, target, scale) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)");
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_int(ins, 2, (int)i);
        sqlite3_bind_text(ins, 3, l->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, l->target, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 5, l->scale);
        if ((rc = store_step_done(s, ins, "storing a program ladder", err)) != CAIRN_OK)
            break;
        int64_t ladder = sqlite3_last_insert_rowid(store_db(s));
        STORE_PREPARE(step, "INSERT INTO program_ladder_step (ladder_id, position, text, suds) "
                            "VALUES (?1, ?2, ?3, ?4)");
        for (size_t j = 0; j < l->nsteps && rc == CAIRN_OK; j++) {
            sqlite3_bind_int64(step, 1, ladder);
            sqlite3_bind_int(step, 2, (int)j);
            sqlite3_bind_text(step, 3, l->steps[j].text, -1, SQLITE_STATIC);
            sqlite3_bind_int(step, 4, l->steps[j].suds);
            rc = store_step_done(s, step, "storing a ladder step", err);
        }
    }
    return rc;
}

/* The newest version of `code` and whether its text equals `text`. */
static enum cairn_status newest_version(struct cairn_store *s, const char *code, const char *text,
                                        size_t len, int64_t *id, int *version, bool *same,
                                        struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT id, template_version, template_text FROM program WHERE code = ?1 "
                      "ORDER BY template_version DESC LIMIT 1");
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *id = 0;
    *version = 0;
    *same = false;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *version = sqlite3_column_int(st, 1);
        const void *stored = sqlite3_column_blob(st, 2);
        size_t n = (size_t)sqlite3_column_bytes(st, 2);
        *same = stored && n == len && memcmp(stored, text, len) == 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CAIRN_OK
                                                 : store_fail(s, rc, "reading a program", err);
}

enum cairn_status cairn_template_import(struct cairn_store *s, struct cairn_template *t,
                                        const char *text, size_t len, bool *unchanged,
                                        struct cairn_error *err)
{
    enum cairn_status rc = cairn_program_validate(&t->program, err);
    *unchanged = false;
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    int64_t id;
    int version;
    bool same;
    if ((rc = newest_version(s, t->program.code, text, len, &id, &version, &same, err)) != CAIRN_OK)
        goto out;
    if (same) {
        t->program.id = id;
        t->program.version = version;
        *unchanged = true;
    } else {
        t->program.version = version + 1;
        if ((rc = store_program_insert(s, t, text, len, err)) != CAIRN_OK ||
            (rc = insert_children(s, t, err)) != CAIRN_OK ||
            (rc = store_audit(s, "import", "program", t->program.id, 0, "", "ok", err)) != CAIRN_OK)
            goto out;
    }
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

enum cairn_status cairn_template_text(struct cairn_store *s, int64_t program_id, char **text,
                                      struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT template_text FROM program WHERE id = ?1");
    sqlite3_bind_int64(st, 1, program_id);
    int rc = sqlite3_step(st);
    enum cairn_status ret = CAIRN_OK;
    *text = NULL;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        const void *src = sqlite3_column_blob(st, 0);
        if ((*text = malloc(n + 1)) == NULL) {
            ret = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a template");
        } else {
            if (n)
                memcpy(*text, src, n);
            (*text)[n] = '\0';
        }
    } else if (rc == SQLITE_DONE) {
        ret = cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "no program with id %lld",
                              (long long)program_id);
    } else if (rc != SQLITE_ROW) {
        ret = store_fail(s, rc, "reading a program", err);
    }
    sqlite3_reset(st);
    return ret;
}

/* Finds `name` in names[0..n) (the enums' string forms); -1 when absent. */
static int index_of(const char *name, const char *(*str)(int), int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(str(i), name))
            return i;
    return -1;
}

static const char *instrument_at(int i)
{
    return cairn_instrument_str((enum cairn_instrument)i);
}
static const char *cadence_at(int i)
{
    return cairn_cadence_str((enum cairn_cadence)i);
}
static const char *section_at(int i)
{
    return cairn_plan_section_str((enum cairn_plan_section)i);
}

enum cairn_status cairn_template_load(struct cairn_store *s, int64_t program_id,
                                      struct cairn_template *t, struct cairn_error *err)
{
    memset(t, 0, sizeof *t);
    enum cairn_status rc = cairn_program_get(s, program_id, &t->program, err);
    if (rc != CAIRN_OK)
        return rc;
    {
        STORE_PREPARE(
            st, "SELECT hours_per_session, session_types, mastery_peak_suds, "
                "mastery_consecutive, mastery_drop_percent, alert_phq9_rise, alert_gad7_rise, "
                "alert_absences_per_week, alert_ladder_stall_days, "
                "alert_discharge_planning_days, crisis_line, lapse_log FROM program "
                "WHERE id = ?1");
        sqlite3_bind_int64(st, 1, program_id);
        int src = sqlite3_step(st);
        if (src == SQLITE_ROW) {
            char types[128];
            t->hours_per_session = sqlite3_column_double(st, 0);
            store_col_text(st, 1, types, sizeof types);
            t->session_types = session_types_bits(types);
            t->mastery = (struct cairn_mastery_rule){
                sqlite3_column_int(st, 2), sqlite3_column_int(st, 3), sqlite3_column_int(st, 4)};
            t->alerts = (struct cairn_alert_thresholds){
                sqlite3_column_int(st, 5), sqlite3_column_int(st, 6), sqlite3_column_int(st, 7),
                sqlite3_column_int(st, 8), sqlite3_column_int(st, 9)};
            store_col_text(st, 10, t->crisis_line, sizeof t->crisis_line);
            t->lapse_log = sqlite3_column_int(st, 11) != 0;
        }
        sqlite3_reset(st);
        if (src != SQLITE_ROW)
            return store_fail(s, src, "reading a program", err);
    }
    {
        STORE_PREPARE(st, "SELECT instrument, every FROM program_measure WHERE program_id = ?1 "
                          "ORDER BY position");
        sqlite3_bind_int64(st, 1, program_id);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW && t->nmeasures < COUNT(t->measures)) {
            int i = index_of((const char *)sqlite3_column_text(st, 0), instrument_at,
                             CAIRN_INSTRUMENT__COUNT);
            int e = index_of((const char *)sqlite3_column_text(st, 1), cadence_at,
                             CAIRN_CADENCE__COUNT);
            if (i >= 0 && e >= 0)
                t->measures[t->nmeasures++] = (struct cairn_template_measure){
                    (enum cairn_instrument)i, (enum cairn_cadence)e};
        }
        sqlite3_reset(st);
    }
    {
        STORE_PREPARE(st, "SELECT section FROM program_plan_section WHERE program_id = ?1 "
                          "ORDER BY position");
        sqlite3_bind_int64(st, 1, program_id);
        while (sqlite3_step(st) == SQLITE_ROW && t->nsections < COUNT(t->sections)) {
            int i = index_of((const char *)sqlite3_column_text(st, 0), section_at,
                             CAIRN_SECTION__COUNT);
            if (i >= 0)
                t->sections[t->nsections++] = (enum cairn_plan_section)i;
        }
        sqlite3_reset(st);
    }
    {
        STORE_PREPARE(st, "SELECT text FROM program_checklist_item WHERE program_id = ?1 "
                          "ORDER BY position");
        sqlite3_bind_int64(st, 1, program_id);
        while (sqlite3_step(st) == SQLITE_ROW && t->nchecklist < COUNT(t->checklist))
            store_col_text(st, 0, t->checklist[t->nchecklist++], sizeof t->checklist[0]);
        sqlite3_reset(st);
    }
    {
        STORE_PREPARE(st,
                      "SELECT l.id, l.name, l.target, l.scale, s.text, s.suds "
                      "FROM program_ladder l LEFT JOIN program_ladder_step s ON s.ladder_id = l.id "
                      "WHERE l.program_id = ?1 ORDER BY l.position, s.position");
        sqlite3_bind_int64(st, 1, program_id);
        int64_t current = 0;
        struct cairn_template_ladder *l = NULL;
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t ladder = sqlite3_column_int64(st, 0);
            if (ladder != current) {
                if (t->nladders == COUNT(t->ladders))
                    break;
                current = ladder;
                l = &t->ladders[t->nladders++];
                store_col_text(st, 1, l->name, sizeof l->name);
                store_col_text(st, 2, l->target, sizeof l->target);
                l->scale = sqlite3_column_int(st, 3);
            }
            if (sqlite3_column_type(st, 4) != SQLITE_NULL && l->nsteps < COUNT(l->steps)) {
                store_col_text(st, 4, l->steps[l->nsteps].text, sizeof l->steps[0].text);
                l->steps[l->nsteps++].suds = sqlite3_column_int(st, 5);
            }
        }
        sqlite3_reset(st);
    }
    return CAIRN_OK;
}

/* --- admission ------------------------------------------------------------ */

enum cairn_status store_seed_care(struct cairn_store *s, int64_t patient_id, int64_t program_id,
                                  const char *admitted, const char *expected_discharge,
                                  struct cairn_error *err)
{
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    enum cairn_status rc;
    int64_t plan;
    {
        STORE_PREPARE(st, "INSERT INTO plan (patient_id, program_id, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?3)");
        sqlite3_bind_int64(st, 1, patient_id);
        sqlite3_bind_int64(st, 2, program_id);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
        if ((rc = store_step_done(s, st, "creating the plan", err)) != CAIRN_OK)
            return rc;
        plan = sqlite3_last_insert_rowid(store_db(s));
    }
    {
        STORE_PREPARE(st, "INSERT INTO plan_section (plan_id, position, section) "
                          "SELECT ?1, position, section FROM program_plan_section "
                          "WHERE program_id = ?2 ORDER BY position");
        sqlite3_bind_int64(st, 1, plan);
        sqlite3_bind_int64(st, 2, program_id);
        if ((rc = store_step_done(s, st, "creating the plan sections", err)) != CAIRN_OK ||
            (rc = store_audit(s, "create", "plan", plan, patient_id, "status,sections", "ok",
                              err)) != CAIRN_OK)
            return rc;
    }
    {
        STORE_PREPARE(ladders, "SELECT id, position FROM program_ladder WHERE program_id = ?1 "
                               "ORDER BY position");
        STORE_PREPARE(copy,
                      "INSERT INTO ladder (patient_id, position, name, target, scale, "
                      "created_at, updated_at) SELECT ?1, position, name, target, scale, ?3, ?3 "
                      "FROM program_ladder WHERE id = ?2");
        STORE_PREPARE(steps,
                      "INSERT INTO ladder_step (ladder_id, position, text, suds, created_at, "
                      "updated_at) SELECT ?1, position, text, suds, ?3, ?3 "
                      "FROM program_ladder_step WHERE ladder_id = ?2 ORDER BY position");
        sqlite3_bind_int64(ladders, 1, program_id);
        int src = SQLITE_DONE;
        while (rc == CAIRN_OK && (src = sqlite3_step(ladders)) == SQLITE_ROW) {
            int64_t from = sqlite3_column_int64(ladders, 0);
            sqlite3_bind_int64(copy, 1, patient_id);
            sqlite3_bind_int64(copy, 2, from);
            sqlite3_bind_text(copy, 3, now, -1, SQLITE_TRANSIENT);
            if ((rc = store_step_done(s, copy, "creating a ladder", err)) != CAIRN_OK)
                break;
            int64_t ladder = sqlite3_last_insert_rowid(store_db(s));
            sqlite3_bind_int64(steps, 1, ladder);
            sqlite3_bind_int64(steps, 2, from);
            sqlite3_bind_text(steps, 3, now, -1, SQLITE_TRANSIENT);
            if ((rc = store_step_done(s, steps, "creating ladder steps", err)) == CAIRN_OK)
                rc =
                    store_audit(s, "create", "ladder", ladder, patient_id, "name,steps", "ok", err);
        }
        if (rc == CAIRN_OK && src != SQLITE_DONE)
            rc = store_fail(s, src, "reading program ladders", err);
        sqlite3_reset(ladders);
        if (rc != CAIRN_OK)
            return rc;
    }
    /* One review per ISO week with a day in care: from the admission week
     * through the week of the day before the expected discharge. */
    int32_t first, end;
    if ((rc = cairn_date_parse(admitted, &first, err)) != CAIRN_OK ||
        (rc = cairn_date_parse(expected_discharge, &end, err)) != CAIRN_OK)
        return rc;
    STORE_PREPARE(st, "INSERT INTO review (patient_id, week, created_at, updated_at) "
                      "VALUES (?1, ?2, ?3, ?3)");
    int32_t monday = first - (cairn_date_weekday(first) - 1);
    for (int32_t day = monday; day < end && rc == CAIRN_OK; day += 7) {
        int year, week;
        char text[CAIRN_WEEK_LEN + 1];
        cairn_date_isoweek(day, &year, &week);
        cairn_isoweek_format(year, week, text);
        sqlite3_bind_int64(st, 1, patient_id);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
        if ((rc = store_step_done(s, st, "scheduling a review", err)) == CAIRN_OK)
            rc = store_audit(s, "create", "review", sqlite3_last_insert_rowid(store_db(s)),
                             patient_id, "week,status", "ok", err);
    }
    return rc;
}

enum cairn_status cairn_patient_care(struct cairn_store *s, int64_t patient_id,
                                     struct cairn_care *care, struct cairn_error *err)
{
    memset(care, 0, sizeof *care);
    {
        STORE_PREPARE(st, "SELECT p.id, p.status, p.revision, (SELECT group_concat(section, ',') "
                          "FROM (SELECT section FROM plan_section WHERE plan_id = p.id "
                          "ORDER BY position)) FROM plan p WHERE p.patient_id = ?1");
        sqlite3_bind_int64(st, 1, patient_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            care->plan_id = sqlite3_column_int64(st, 0);
            store_col_text(st, 1, care->plan_status, sizeof care->plan_status);
            care->plan_revision = sqlite3_column_int(st, 2);
            char list[512];
            store_col_text(st, 3, list, sizeof list);
            char *save = NULL;
            for (char *tok = strtok_r(list, ",", &save);
                 tok && care->nsections < COUNT(care->sections); tok = strtok_r(NULL, ",", &save)) {
                int i = index_of(tok, section_at, CAIRN_SECTION__COUNT);
                if (i >= 0)
                    care->sections[care->nsections++] = (enum cairn_plan_section)i;
            }
        }
        sqlite3_reset(st);
    }
    {
        STORE_PREPARE(
            st, "SELECT l.id, l.name, l.scale, l.status, s.id, s.text, s.suds, s.status "
                "FROM ladder l LEFT JOIN ladder_step s ON s.ladder_id = l.id AND s.retired = 0 "
                "WHERE l.patient_id = ?1 ORDER BY l.position, s.position");
        sqlite3_bind_int64(st, 1, patient_id);
        int64_t current = 0;
        struct cairn_care_ladder *l = NULL;
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            if (id != current) {
                if (care->nladders == COUNT(care->ladders))
                    break;
                current = id;
                l = &care->ladders[care->nladders++];
                l->id = id;
                store_col_text(st, 1, l->name, sizeof l->name);
                l->scale = sqlite3_column_int(st, 2);
                store_col_text(st, 3, l->status, sizeof l->status);
            }
            if (sqlite3_column_type(st, 4) != SQLITE_NULL && l->nsteps < COUNT(l->steps)) {
                struct cairn_care_step *step = &l->steps[l->nsteps++];
                step->id = sqlite3_column_int64(st, 4);
                store_col_text(st, 5, step->text, sizeof step->text);
                step->suds = sqlite3_column_int(st, 6);
                store_col_text(st, 7, step->status, sizeof step->status);
            }
        }
        sqlite3_reset(st);
    }
    {
        STORE_PREPARE(st, "SELECT week, status FROM review WHERE patient_id = ?1 ORDER BY week");
        sqlite3_bind_int64(st, 1, patient_id);
        while (sqlite3_step(st) == SQLITE_ROW && care->nreviews < COUNT(care->reviews)) {
            store_col_text(st, 0, care->reviews[care->nreviews].week, sizeof care->reviews[0].week);
            store_col_text(st, 1, care->reviews[care->nreviews].status,
                           sizeof care->reviews[0].status);
            care->nreviews++;
        }
        sqlite3_reset(st);
    }
    return CAIRN_OK;
}
