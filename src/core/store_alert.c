/* Alerts in the database: the facts the rules of alert.c read, a patient's
 * alerts with their acknowledgements, the caseload's alert list, and
 * acknowledging an alert (audited). Reads are not audited: alerts are a
 * list, like the caseload.
 *
 * Every fact is one indexed read per patient (tests/unit/test_alert.c
 * checks that none of these statements scans a table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/alert.h"
#include "cairn/measure.h"
#include "cairn/review.h"
#include "cairn/text.h"
#include "pair.h"
#include "store_internal.h"

/* ---- acknowledgements --------------------------------------------------- */

/* Marks *a acknowledged when an acknowledgement holds for its key: the
 * latest one for the patient, rule and key. */
enum cairn_status store_alert_attach_ack(struct cairn_store *s, struct cairn_alert *a,
                                         struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT acked_by, acked_at, note FROM alert_ack WHERE patient_id = ?1 "
                      "AND code = ?2 AND data_key = ?3 ORDER BY id DESC LIMIT 1");
    sqlite3_bind_int64(st, 1, a->patient_id);
    sqlite3_bind_text(st, 2, cairn_alert_code(a->rule), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->key, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        a->acknowledged = true;
        store_col_text(st, 0, a->acked_by, sizeof a->acked_by);
        store_col_text(st, 1, a->acked_at, sizeof a->acked_at);
        store_col_text(st, 2, a->ack_note, sizeof a->ack_note);
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE
               ? CAIRN_OK
               : store_fail(s, src, "reading alert acknowledgements", err);
}

enum cairn_status cairn_alerts_for_patient(struct cairn_store *s, const struct cairn_patient *p,
                                           struct cairn_alert out[CAIRN_ALERT__COUNT], size_t *n,
                                           struct cairn_error *err)
{
    struct cairn_alert_facts facts;
    bool began;
    *n = 0;
    enum cairn_status rc = store_read_begin(s, &began, err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = cairn_alert_facts_load(s, p, &facts, err)) != CAIRN_OK)
        goto out;
    size_t count = cairn_alerts_evaluate(&facts, out);
    const char *name = p->preferred_name[0] ? p->preferred_name : p->legal_name;
    for (size_t i = 0; i < count; i++) {
        snprintf(out[i].name, sizeof out[i].name, "%s", name);
        if ((rc = store_alert_attach_ack(s, &out[i], err)) != CAIRN_OK)
            goto out;
    }
    *n = count;
out:
    store_read_end(s, began);
    return rc;
}

/* ---- the caseload's list ------------------------------------------------ */

/* An alert kept for output once every patient is read: its strings live in
 * the arena of the gather that kept it, so one costs its reason and key and
 * a few words. */
struct pending {
    uint64_t order; /* the name key's first 8 bytes, big-endian: most comparisons end here */
    /* "name_key\0MRN\0name\0", shared by the patient's alerts: its offset
     * in the arena until the arenas stop moving, then its address. */
    union {
        size_t at;
        const char *name_key;
    } patient;
    size_t text; /* arena: "reason\0key\0", then "by\0at\0note\0" when acknowledged */
    int64_t patient_id;
    unsigned char rule;
    unsigned char side; /* whose arena: 0 the caller's thread, 1 the worker's */
    bool acknowledged;
};

struct pending_list {
    struct pending *v;
    size_t n, cap;
};

#define NSEVERITIES (CAIRN_SEVERITY_INFO + 1)

/* What one thread keeps: the alerts that pass the filter, by severity, and
 * their strings. */
struct gather {
    char *arena;
    size_t len, cap;
    struct pending_list by_severity[NSEVERITIES];
    struct cairn_alert alerts[CAIRN_ALERT__COUNT];
    unsigned char side;
    bool nomem;
};

/* The list being read, by two threads, each keeping its alerts in its own
 * gather: `mine` on the caller's thread, `theirs` on the second. A whole
 * caseload on a file is split by patient id between two readers
 * (list_on_readers()). Otherwise the scan of s reads the facts and applies
 * the rules on the second thread (store_facts_scan_split()); patients with
 * acknowledgements on record, whose alerts need the store, and those whose
 * summary could not answer come back to the caller's thread. */
struct collect {
    struct cairn_store *s;
    const struct cairn_alert_filter *filter;
    struct gather mine, theirs;
    enum cairn_status rc;
    struct cairn_error *err;
};

/* The first 8 bytes of a name key as one big-endian number (zero-padded
 * past its end): comparing two is comparing the keys' prefixes the way
 * strcmp() would, bytes unsigned. */
static uint64_t name_order(const char *key)
{
    uint64_t v = 0;
    bool ended = false;
    for (int i = 0; i < 8; i++) {
        ended = ended || !key[i];
        v = v << 8 | (ended ? 0u : (unsigned char)key[i]);
    }
    return v;
}

/* Appends the strings (NULL-terminated list) to g's arena; returns the
 * offset of the first, or (size_t)-1 when memory ran out. */
static size_t arena_put(struct gather *g, const char *const *strings)
{
    size_t need = 0, at = g->len;
    size_t len[8];
    int k = 0;
    for (const char *const *p = strings; *p; p++, k++)
        need += (len[k] = strlen(*p) + 1);
    if (g->len + need > g->cap) {
        size_t cap = g->cap ? g->cap : 16384;
        while (cap < g->len + need)
            cap *= 2;
        char *grown = realloc(g->arena, cap);
        if (!grown)
            return (size_t)-1;
        g->arena = grown;
        g->cap = cap;
    }
    k = 0;
    for (const char *const *p = strings; *p; p++, k++) {
        memcpy(g->arena + g->len, *p, len[k]);
        g->len += len[k];
    }
    return at;
}

static bool pending_push(struct pending_list *l, const struct pending *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        struct pending *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return false;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *p;
    return true;
}

static bool passes(const struct cairn_alert_filter *f, const struct cairn_alert *a)
{
    if (a->acknowledged && !f->all)
        return false;
    return a->severity == CAIRN_SEVERITY_URGENT || a->severity <= f->severity;
}

/* Applies the rules to one patient's facts and keeps in g the alerts that
 * pass filter f. Acknowledgements are looked up in store s when the facts
 * count some (the worker passes no store and is given no such patient).
 * Returns CAIRN_OK, the lookup's failure, or CAIRN_ERR_NOMEM (g->nomem set,
 * err untouched). */
static enum cairn_status gather_patient(struct gather *g, const struct cairn_alert_filter *f,
                                        const struct cairn_alert_facts *facts, const char *name,
                                        const char *name_key, struct cairn_store *s,
                                        struct cairn_error *err)
{
    size_t n = cairn_alerts_evaluate(facts, g->alerts);
    size_t patient = (size_t)-1;
    uint64_t order = 0;
    for (size_t i = 0; i < n; i++) {
        struct cairn_alert *a = &g->alerts[i];
        enum cairn_status rc;
        if (facts->acks > 0 && s && (rc = store_alert_attach_ack(s, a, err)) != CAIRN_OK)
            return rc;
        if (!passes(f, a))
            continue;
        if (patient == (size_t)-1) {
            const char *strings[] = {name_key, a->mrn, name, NULL};
            if ((patient = arena_put(g, strings)) == (size_t)-1)
                goto nomem;
            order = name_order(name_key);
        }
        const char *plain[] = {a->reason, a->key, NULL};
        const char *acked[] = {a->reason, a->key, a->acked_by, a->acked_at, a->ack_note, NULL};
        struct pending pd = {.order = order,
                             .patient.at = patient,
                             .text = arena_put(g, a->acknowledged ? acked : plain),
                             .patient_id = a->patient_id,
                             .rule = (unsigned char)a->rule,
                             .side = g->side,
                             .acknowledged = a->acknowledged};
        if (pd.text == (size_t)-1 || !pending_push(&g->by_severity[a->severity], &pd))
            goto nomem;
    }
    return CAIRN_OK;
nomem:
    g->nomem = true;
    return CAIRN_ERR_NOMEM;
}

static void gather_free(struct gather *g)
{
    for (int sev = 0; sev < (int)NSEVERITIES; sev++)
        free(g->by_severity[sev].v);
    free(g->arena);
}

/* store_facts_scan_split()'s pure callback: evaluates on the second
 * thread, leaving to the caller's thread a patient with acknowledgements. */
static int collect_pure(const struct cairn_patient *p, const struct cairn_alert_facts *facts,
                        const struct store_summary_more *more, void *vc)
{
    (void)more;
    struct collect *c = vc;
    if (facts->acks > 0)
        return STORE_FACTS_LATER;
    const char *name = p->preferred_name[0] ? p->preferred_name : p->legal_name;
    return gather_patient(&c->theirs, c->filter, facts, name, p->name_key, NULL, NULL) != CAIRN_OK;
}

/* And its later callback, on the caller's thread, with the store. */
static int collect_later(const struct cairn_patient *p, const struct cairn_alert_facts *facts,
                         const struct store_summary_more *more, void *vc)
{
    (void)more;
    struct collect *c = vc;
    const char *name = p->preferred_name[0] ? p->preferred_name : p->legal_name;
    c->rc = gather_patient(&c->mine, c->filter, facts, name, p->name_key, c->s, c->err);
    return c->rc != CAIRN_OK;
}

/* ---- a whole caseload on two connections -------------------------------- */

/* Half of a caseload, by patient id, read on a connection of its own and
 * kept in a gather of its own. */
struct part {
    struct cairn_store *s; /* a reader (store_readers_open()) */
    const struct cairn_alert_filter *filter;
    struct gather *g;
    int64_t from, to;
    enum cairn_status rc;
    struct cairn_error err;
};

static int collect_part(const struct cairn_patient *p, const struct cairn_alert_facts *facts,
                        const struct store_summary_more *more, void *vpart)
{
    (void)more;
    struct part *pt = vpart;
    const char *name = p->preferred_name[0] ? p->preferred_name : p->legal_name;
    pt->rc = gather_patient(pt->g, pt->filter, facts, name, p->name_key, pt->s, &pt->err);
    return pt->rc != CAIRN_OK;
}

static void gather_sort(struct gather *g);

static void *part_main(void *vpart)
{
    struct part *pt = vpart;
    struct store_facts_filter scan = {
        .status_mask = 1u << CAIRN_PATIENT_ACTIVE | 1u << CAIRN_PATIENT_ON_HOLD,
        .id_from = pt->from,
        .id_to = pt->to,
        .facts_only = true,
    };
    enum cairn_status rc = store_facts_scan(pt->s, &scan, collect_part, pt, &pt->err);
    if (pt->rc == CAIRN_OK)
        pt->rc = rc;
    /* Each thread sorts its own half; the caller merges them. */
    if (pt->rc == CAIRN_OK)
        gather_sort(pt->g);
    return NULL;
}

/* Reads the whole caseload's alerts into c->mine and c->theirs: the
 * patients split by id between this thread and a second one, each on its
 * own reader. */
static enum cairn_status list_on_readers(struct collect *c, struct cairn_store *readers[2],
                                         struct cairn_error *err)
{
    int64_t from[2], to[2];
    enum cairn_status rc = store_patient_halves(readers[0], from, to, err);
    if (rc != CAIRN_OK)
        return rc;
    struct part parts[2] = {
        {.s = readers[0], .filter = c->filter, .g = &c->mine, .from = from[0], .to = to[0]},
        {.s = readers[1], .filter = c->filter, .g = &c->theirs, .from = from[1], .to = to[1]},
    };
    /* Fewer than two patients: one half holds them all. */
    pair_run(part_main, &parts[0], from[1] <= to[1] ? &parts[1] : NULL);
    for (int i = 0; i < 2; i++) {
        if (parts[i].rc == CAIRN_ERR_NOMEM)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
        if (parts[i].rc != CAIRN_OK) {
            if (err)
                *err = parts[i].err;
            return parts[i].rc;
        }
    }
    return CAIRN_OK;
}

/* Copies the arena string at *at into out and moves *at past it. */
static void take(const char *arena, size_t *at, char *out, size_t size)
{
    const char *s = arena + *at;
    size_t n = strlen(s);
    *at += n + 1;
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Within a severity: by patient name, then patient, then rule. */
static int compare_pending(const void *va, const void *vb)
{
    const struct pending *a = va, *b = vb;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    int by_name = strcmp(a->patient.name_key, b->patient.name_key);
    if (by_name)
        return by_name;
    if (a->patient_id != b->patient_id)
        return a->patient_id < b->patient_id ? -1 : 1;
    return (int)a->rule - (int)b->rule;
}

static const char *arena_of(const struct collect *c, const struct pending *pd)
{
    return pd->side ? c->theirs.arena : c->mine.arena;
}

static void unpack(const struct collect *c, const struct pending *pd, struct cairn_alert *a)
{
    const char *arena = arena_of(c, pd);
    const char *names = pd->patient.name_key;
    size_t at = strlen(names) + 1; /* past the name key */
    /* Not memset: every text is set below (2.8 KB per alert, mostly the
     * room for a note). */
    a->rule = (enum cairn_alert_rule)pd->rule;
    a->severity = cairn_alert_rule_severity(a->rule);
    a->patient_id = pd->patient_id;
    take(names, &at, a->mrn, sizeof a->mrn);
    take(names, &at, a->name, sizeof a->name);
    at = pd->text;
    take(arena, &at, a->reason, sizeof a->reason);
    take(arena, &at, a->key, sizeof a->key);
    a->acknowledged = pd->acknowledged;
    a->acked_by[0] = a->acked_at[0] = a->ack_note[0] = '\0';
    if (pd->acknowledged) {
        take(arena, &at, a->acked_by, sizeof a->acked_by);
        take(arena, &at, a->acked_at, sizeof a->acked_at);
        take(arena, &at, a->ack_note, sizeof a->ack_note);
    }
}

/* Sorts each severity's list of g, whose arena no longer moves. */
static void gather_sort(struct gather *g)
{
    for (int sev = 0; sev < (int)NSEVERITIES; sev++) {
        struct pending_list *l = &g->by_severity[sev];
        for (size_t i = 0; i < l->n; i++)
            l->v[i].patient.name_key = g->arena + l->v[i].patient.at;
        if (l->n > 1)
            qsort(l->v, l->n, sizeof *l->v, compare_pending);
    }
}

/* Merges each severity's two sorted lists (gather_sort()) into mine's;
 * false on out-of-memory. */
static bool merge_sorted(struct collect *c)
{
    for (int sev = 0; sev < (int)NSEVERITIES; sev++) {
        struct pending_list *l = &c->mine.by_severity[sev], *more = &c->theirs.by_severity[sev];
        if (!more->n)
            continue;
        if (!l->n) {
            struct pending_list swap = *l;
            *l = *more;
            *more = swap;
            continue;
        }
        struct pending *v = malloc((l->n + more->n) * sizeof *v);
        if (!v)
            return false;
        size_t i = 0, j = 0, k = 0;
        while (i < l->n && j < more->n)
            v[k++] = compare_pending(&more->v[j], &l->v[i]) < 0 ? more->v[j++] : l->v[i++];
        memcpy(v + k, l->v + i, (l->n - i) * sizeof *v);
        k += l->n - i;
        memcpy(v + k, more->v + j, (more->n - j) * sizeof *v);
        k += more->n - j;
        free(l->v);
        l->v = v;
        l->n = l->cap = k;
        more->n = 0;
    }
    return true;
}

/* Puts each severity's alerts of both threads in one list, sorted; false
 * on out-of-memory. The shorter list is appended to the longer one (grown
 * in place where it can be, so the peak stays one list). */
static bool merge_and_sort(struct collect *c)
{
    for (int sev = 0; sev < (int)NSEVERITIES; sev++) {
        struct pending_list *l = &c->mine.by_severity[sev], *more = &c->theirs.by_severity[sev];
        if (more->n > l->n) {
            struct pending_list swap = *l;
            *l = *more;
            *more = swap;
        }
        if (more->n) {
            if (l->cap - l->n < more->n) {
                struct pending *v = realloc(l->v, (l->n + more->n) * sizeof *v);
                if (!v)
                    return false;
                l->v = v;
                l->cap = l->n + more->n;
            }
            memcpy(l->v + l->n, more->v, more->n * sizeof *more->v);
            l->n += more->n;
            more->n = 0;
        }
        for (size_t i = 0; i < l->n; i++)
            l->v[i].patient.name_key = arena_of(c, &l->v[i]) + l->v[i].patient.at;
        if (l->n > 1)
            qsort(l->v, l->n, sizeof *l->v, compare_pending);
    }
    return true;
}

enum cairn_status cairn_alerts_list(struct cairn_store *s, const struct cairn_alert_filter *filter,
                                    int (*fn)(const struct cairn_alert *alert, void *ctx),
                                    void *ctx, struct cairn_error *err)
{
    static const struct cairn_alert_filter everything = {.severity = CAIRN_SEVERITY_INFO};
    const struct cairn_alert_filter *f = filter ? filter : &everything;
    struct cairn_alert *a = NULL;
    bool began = false;
    enum cairn_status rc;

    if ((unsigned)f->severity >= NSEVERITIES)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "severity", "unknown severity");
    struct collect *c = calloc(1, sizeof *c);
    if (!c)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
    c->s = s;
    c->filter = f;
    c->err = err;
    c->theirs.side = 1;
    if (!(a = malloc(sizeof *a))) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
        goto out;
    }
    /* Read everything from one snapshot, then hand the alerts out in
     * order with no transaction open. A whole caseload is read by two
     * threads on two readers (one snapshot), or failing that by
     * store_facts_scan_split(), which also uses two threads. */
    struct cairn_store *readers[2];
    if (!f->clinician && f->severity != CAIRN_SEVERITY_URGENT &&
        store_readers_open(s, readers, 2)) {
        rc = list_on_readers(c, readers, err);
        cairn_store_close(&readers[0]);
        cairn_store_close(&readers[1]);
        if (rc != CAIRN_OK)
            goto out;
        if (!merge_sorted(c)) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
            goto out;
        }
        goto hand_out;
    }
    if ((rc = store_read_begin(s, &began, err)) != CAIRN_OK)
        goto out;
    struct store_facts_filter scan = {
        .status_mask = 1u << CAIRN_PATIENT_ACTIVE | 1u << CAIRN_PATIENT_ON_HOLD,
        /* Only a flagged measure can make an urgent alert: look at the
         * patients who have one (the partial index measure_flagged), not
         * at the whole caseload. */
        .flagged = f->severity == CAIRN_SEVERITY_URGENT,
    };
    if (f->clinician) {
        struct cairn_staff who;
        if ((rc = cairn_staff_find(s, f->clinician, &who, err)) != CAIRN_OK)
            goto out;
        scan.clinician = who.id;
    }
    rc = store_facts_scan_split(s, &scan, collect_pure, collect_later, c, err);
    if (rc == CAIRN_OK)
        rc = c->rc;
    if (rc == CAIRN_OK && (c->mine.nomem || c->theirs.nomem))
        rc = CAIRN_ERR_NOMEM;
    if (rc == CAIRN_ERR_NOMEM)
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
    store_read_end(s, began);
    began = false;
    if (rc != CAIRN_OK)
        goto out;

    /* The patients were read in storage order (one pass over the table
     * and its summaries, the cheapest for a whole caseload): sort. */
    if (!merge_and_sort(c)) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
        goto out;
    }
hand_out:
    for (int sev = 0; sev < (int)NSEVERITIES; sev++) {
        const struct pending_list *l = &c->mine.by_severity[sev];
        for (size_t i = 0; i < l->n; i++) {
            unpack(c, &l->v[i], a);
            if (fn(a, ctx))
                goto out;
        }
    }
out:
    store_read_end(s, began);
    gather_free(&c->mine);
    gather_free(&c->theirs);
    free(c);
    free(a);
    return rc;
}

/* ---- acknowledging ------------------------------------------------------ */

/* Splits "MRN:code" into mrn and rule. */
static enum cairn_status parse_id(const char *id, char mrn[CAIRN_MRN_MAX + 1],
                                  enum cairn_alert_rule *rule, struct cairn_error *err)
{
    const char *colon = id ? strchr(id, ':') : NULL;
    if (!colon || colon == id || !colon[1] || (size_t)(colon - id) > CAIRN_MRN_MAX)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "id",
                                 "'%.80s' is not an alert ID: write MRN:code, for example "
                                 "A1234567:phq9_worse (`cairn alerts` lists them)",
                                 id ? id : "");
    memcpy(mrn, id, (size_t)(colon - id));
    mrn[colon - id] = '\0';
    return cairn_alert_rule_parse(colon + 1, rule, err);
}

enum cairn_status cairn_alert_ack(struct cairn_store *s, const char *id, const char *note,
                                  struct cairn_alert *alert, struct cairn_error *err)
{
    char mrn[CAIRN_MRN_MAX + 1];
    enum cairn_alert_rule rule;
    struct cairn_staff actor;
    struct cairn_patient *p = NULL;
    struct cairn_alert *alerts = NULL;
    size_t n = 0;
    enum cairn_status rc;

    if ((rc = parse_id(id, mrn, &rule, err)) != CAIRN_OK ||
        (rc = cairn_text_check(note, "note", true, CAIRN_ALERT_NOTE_MAX, err)) != CAIRN_OK)
        return rc;
    const char *login = cairn_store_actor_login(s);
    rc = cairn_staff_find(s, login, &actor, NULL);
    if (rc != CAIRN_OK && rc != CAIRN_ERR_NOT_FOUND)
        return cairn_error_set(err, rc, "reading the acting user's staff record");
    if (rc == CAIRN_ERR_NOT_FOUND || !actor.active) {
        store_audit_refusal(s, "create", "alert_ack", 0, 0, "denied");
        return cairn_error_set(err, CAIRN_ERR_DENIED,
                               rc == CAIRN_OK
                                   ? "acting user '%s' is no longer active staff; ask an "
                                     "administrator to reactivate them"
                                   : "acting user '%s' is not staff; ask an administrator to "
                                     "run cairn staff add",
                               login);
    }

    p = malloc(sizeof *p);
    alerts = malloc(CAIRN_ALERT__COUNT * sizeof *alerts);
    if (!p || !alerts) {
        free(p);
        free(alerts);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory acknowledging an alert");
    }
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        goto done;
    if ((rc = cairn_patient_find(s, mrn, p, NULL)) != CAIRN_OK) {
        rc = rc == CAIRN_ERR_NOT_FOUND
                 ? cairn_error_field(err, rc, "id", "no patient with MRN %s", mrn)
                 : cairn_error_set(err, rc, "reading the patient");
        goto out;
    }
    if ((rc = cairn_alerts_for_patient(s, p, alerts, &n, err)) != CAIRN_OK)
        goto out;
    struct cairn_alert *a = NULL;
    for (size_t i = 0; i < n && !a; i++)
        if (alerts[i].rule == rule)
            a = &alerts[i];
    if (!a) {
        rc = cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "alert %s:%s is not open", mrn,
                             cairn_alert_code(rule));
        goto out;
    }
    if (a->acknowledged) {
        rc = cairn_error_set(err, CAIRN_ERR_EXISTS,
                             "alert %s:%s is already acknowledged for the same data (by %s at "
                             "%s)",
                             mrn, cairn_alert_code(rule), a->acked_by, a->acked_at);
        goto out;
    }
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    {
        sqlite3_stmt *st = store_stmt(s,
                                      "INSERT INTO alert_ack (patient_id, code, data_key, note, "
                                      "acked_by, acked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                      err);
        if (!st) {
            rc = err ? err->status : CAIRN_ERR_DB;
            goto out;
        }
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_text(st, 2, cairn_alert_code(rule), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, a->key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, note, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, login, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
        if ((rc = store_step_done(s, st, "storing the acknowledgement", err)) != CAIRN_OK)
            goto out;
    }
    if ((rc = store_audit(s, "create", "alert_ack", sqlite3_last_insert_rowid(s->db), p->id, "note",
                          "ok", err)) != CAIRN_OK)
        goto out;
    a->acknowledged = true;
    snprintf(a->acked_by, sizeof a->acked_by, "%s", login);
    snprintf(a->acked_at, sizeof a->acked_at, "%s", now);
    snprintf(a->ack_note, sizeof a->ack_note, "%s", note);
    if (alert)
        *alert = *a;
out:
    rc = store_tx_end(s, rc, err);
done:
    free(p);
    free(alerts);
    return rc;
}
