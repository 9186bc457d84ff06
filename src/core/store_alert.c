/* Alerts in the database: the facts the rules of alert.c read, a patient's
 * alerts with their acknowledgements, the caseload's alert list, and
 * acknowledging an alert (audited). Reads are not audited: alerts are a
 * list, like the caseload.
 *
 * Every fact is one indexed read per patient (tests/unit/test_alert.c
 * checks that none of these statements scans a table). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/alert.h"
#include "cairn/measure.h"
#include "cairn/review.h"
#include "cairn/text.h"
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
    uint64_t order;       /* the name key's first 8 bytes, big-endian: most comparisons end here */
    const char *name_key; /* set once the arenas stop moving, for sorting */
    size_t patient;       /* arena: "name_key\0MRN\0name\0", shared by the patient's alerts */
    size_t text;          /* arena: "reason\0key\0", then "by\0at\0note\0" when acknowledged */
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

/* A patient handed to the worker: what gather_patient() reads, copied. */
struct handoff {
    struct cairn_alert_facts facts;
    char name[CAIRN_NAME_MAX + 1];
    char name_key[2 * CAIRN_NAME_MAX + 2];
};

enum { HANDOFF_BATCH = 128 };

/* The scan reads each patient's facts on the caller's thread; a second
 * thread (the worker) applies the rules to batches of them and keeps the
 * alerts, so reading and evaluating overlap. The worker never touches the
 * store: a patient with acknowledgements on record, whose alerts need a
 * lookup, is evaluated on the caller's thread. A caseload of one batch or
 * less starts no thread. The two share only the batch handed over under
 * the lock. */
struct collect {
    struct cairn_store *s;
    const struct cairn_alert_filter *filter;
    struct gather mine, theirs; /* the caller's thread's, the worker's */
    enum cairn_status rc;
    struct cairn_error *err;
    struct handoff *buf[2];
    struct handoff *filling; /* one of buf, filled here */
    size_t nfilling;
    bool started, no_thread;
    pthread_t worker;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct handoff *handed; /* under lock: the worker's batch; NULL when it is idle */
    size_t nhanded;
    bool quit; /* under lock */
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
                             .patient = patient,
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

static void gather_batch(struct gather *g, const struct cairn_alert_filter *f,
                         const struct handoff *v, size_t n)
{
    for (size_t i = 0; i < n && !g->nomem; i++)
        gather_patient(g, f, &v[i].facts, v[i].name, v[i].name_key, NULL, NULL);
}

static void *gather_worker(void *vc)
{
    struct collect *c = vc;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->handed && !c->quit)
            pthread_cond_wait(&c->cond, &c->lock);
        if (!c->handed)
            break;
        const struct handoff *v = c->handed;
        size_t n = c->nhanded;
        pthread_mutex_unlock(&c->lock);
        gather_batch(&c->theirs, c->filter, v, n);
        pthread_mutex_lock(&c->lock);
        c->handed = NULL;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* Waits until the worker is idle; returns whether it has kept everything
 * so far (false: it ran out of memory). */
static bool worker_wait(struct collect *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->handed)
        pthread_cond_wait(&c->cond, &c->lock);
    bool ok = !c->theirs.nomem;
    pthread_mutex_unlock(&c->lock);
    return ok;
}

/* Hands the batch being filled to the worker (started on the first) and
 * fills the other buffer next, which the worker is done with once idle.
 * Without a thread the batch is evaluated here. False on out-of-memory. */
static bool hand_over(struct collect *c)
{
    if (!c->started && !c->no_thread) {
        c->started = pthread_create(&c->worker, NULL, gather_worker, c) == 0;
        c->no_thread = !c->started;
    }
    if (c->no_thread) {
        gather_batch(&c->mine, c->filter, c->filling, c->nfilling);
        c->nfilling = 0;
        return !c->mine.nomem;
    }
    if (!worker_wait(c))
        return false;
    pthread_mutex_lock(&c->lock);
    c->handed = c->filling;
    c->nhanded = c->nfilling;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    c->filling = c->filling == c->buf[0] ? c->buf[1] : c->buf[0];
    c->nfilling = 0;
    return true;
}

/* Evaluates what is left (when ok) and stops the worker; false on
 * out-of-memory. */
static bool gather_finish(struct collect *c, bool ok)
{
    if (ok && c->nfilling) {
        if (c->started) {
            ok = hand_over(c);
        } else {
            gather_batch(&c->mine, c->filter, c->filling, c->nfilling);
            ok = !c->mine.nomem;
        }
    }
    c->nfilling = 0;
    if (c->started) {
        ok = worker_wait(c) && ok;
        pthread_mutex_lock(&c->lock);
        c->quit = true;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->lock);
        pthread_join(c->worker, NULL);
        c->started = false;
    }
    return ok && !c->mine.nomem;
}

/* Copies the NUL-terminated s into out, as long as out (the same size as
 * the field s comes from). */
static void copy_field(char *out, const char *s, size_t size)
{
    size_t n = strnlen(s, size - 1);
    memcpy(out, s, n);
    out[n] = '\0';
}

static int collect_patient(const struct cairn_patient *p, const struct cairn_alert_facts *facts,
                           const struct store_summary_more *more, void *vc)
{
    (void)more;
    struct collect *c = vc;
    const char *name = p->preferred_name[0] ? p->preferred_name : p->legal_name;
    if (facts->acks > 0) {
        c->rc = gather_patient(&c->mine, c->filter, facts, name, p->name_key, c->s, c->err);
        goto out;
    }
    struct handoff *h = &c->filling[c->nfilling++];
    h->facts = *facts;
    copy_field(h->name, name, sizeof h->name);
    copy_field(h->name_key, p->name_key, sizeof h->name_key);
    if (c->nfilling == HANDOFF_BATCH && !hand_over(c))
        c->rc = CAIRN_ERR_NOMEM;
out:
    if (c->rc == CAIRN_ERR_NOMEM)
        c->rc = cairn_error_set(c->err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
    return c->rc != CAIRN_OK;
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
    int by_name = strcmp(a->name_key, b->name_key);
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
    size_t at = pd->patient + strlen(arena + pd->patient) + 1; /* past the name key */
    memset(a, 0, sizeof *a);
    a->rule = (enum cairn_alert_rule)pd->rule;
    a->severity = cairn_alert_rule_severity(a->rule);
    a->patient_id = pd->patient_id;
    take(arena, &at, a->mrn, sizeof a->mrn);
    take(arena, &at, a->name, sizeof a->name);
    at = pd->text;
    take(arena, &at, a->reason, sizeof a->reason);
    take(arena, &at, a->key, sizeof a->key);
    a->acknowledged = pd->acknowledged;
    if (pd->acknowledged) {
        take(arena, &at, a->acked_by, sizeof a->acked_by);
        take(arena, &at, a->acked_at, sizeof a->acked_at);
        take(arena, &at, a->ack_note, sizeof a->ack_note);
    }
}

/* Moves the worker's alerts of each severity after the caller's thread's
 * and sorts each list; false on out-of-memory. */
static bool merge_and_sort(struct collect *c)
{
    for (int sev = 0; sev < (int)NSEVERITIES; sev++) {
        struct pending_list *l = &c->mine.by_severity[sev], *more = &c->theirs.by_severity[sev];
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
            l->v[i].name_key = arena_of(c, &l->v[i]) + l->v[i].patient;
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
    bool began = false, locks = false;
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
    c->buf[0] = malloc(HANDOFF_BATCH * sizeof *c->buf[0]);
    c->buf[1] = malloc(HANDOFF_BATCH * sizeof *c->buf[1]);
    c->filling = c->buf[0];
    if (!c->buf[0] || !c->buf[1] || !(a = malloc(sizeof *a))) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
        goto out;
    }
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        c->no_thread = true;
    } else if (pthread_cond_init(&c->cond, NULL) != 0) {
        pthread_mutex_destroy(&c->lock);
        c->no_thread = true;
    } else {
        locks = true;
    }
    /* Read everything from one snapshot, then hand the alerts out in
     * order with no transaction open. */
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
    rc = store_facts_scan(s, &scan, collect_patient, c, err);
    if (rc == CAIRN_OK)
        rc = c->rc;
    if (!gather_finish(c, rc == CAIRN_OK) && rc == CAIRN_OK)
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
    for (int sev = 0; sev < (int)NSEVERITIES; sev++) {
        const struct pending_list *l = &c->mine.by_severity[sev];
        for (size_t i = 0; i < l->n; i++) {
            unpack(c, &l->v[i], a);
            if (fn(a, ctx))
                goto out;
        }
    }
out:
    gather_finish(c, false);
    store_read_end(s, began);
    if (locks) {
        pthread_cond_destroy(&c->cond);
        pthread_mutex_destroy(&c->lock);
    }
    gather_free(&c->mine);
    gather_free(&c->theirs);
    free(c->buf[0]);
    free(c->buf[1]);
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
