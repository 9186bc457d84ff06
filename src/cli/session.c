/* cairn session log|list|weeks|import */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Appends each MRN of a comma-separated option to the roster with `status`
 * ("MRN:MINUTES" for late). Returns 0 or an exit code. */
static int add_roster(struct cli_ctx *ctx, const char *opt, enum cairn_attendance_status status,
                      struct cairn_roster_entry *roster, size_t *n)
{
    const char *list = cli_opt(ctx, opt);
    if (!list)
        return 0;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if (len) {
            if (*n == CAIRN_ROSTER_MAX)
                return cli_usage_error(ctx, "more than %d patients on one session",
                                       CAIRN_ROSTER_MAX);
            struct cairn_roster_entry *e = &roster[(*n)++];
            memset(e, 0, sizeof *e);
            e->status = status;
            e->minutes_attended = -1;
            const char *colon = memchr(p, ':', len);
            size_t mrn_len = colon ? (size_t)(colon - p) : len;
            if (status == CAIRN_LATE) {
                char num[16] = "";
                size_t nlen = colon ? len - mrn_len - 1 : 0;
                char *end = NULL;
                if (nlen)
                    memcpy(num, colon + 1, nlen < sizeof num ? nlen : sizeof num - 1);
                long v = strtol(num, &end, 10);
                if (!colon || !nlen || *end || v < 1 || v > CAIRN_SESSION_MINUTES_MAX)
                    return cli_usage_error(ctx, "--late takes MRN:MINUTES, the minutes the patient "
                                                "attended (e.g. --late MRN-7:150)");
                e->minutes_attended = (int)v;
            } else if (colon) {
                return cli_usage_error(ctx, "--%s takes MRNs separated by commas", opt);
            }
            if (mrn_len == 0 || mrn_len > CAIRN_MRN_MAX)
                return cli_usage_error(ctx, "--%s: an MRN is 1 to %d characters", opt,
                                       CAIRN_MRN_MAX);
            memcpy(e->mrn, p, mrn_len);
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

int cli_session_log(struct cli_ctx *ctx)
{
    struct cairn_session ses;
    struct cairn_roster_entry *roster = calloc(CAIRN_ROSTER_MAX, sizeof *roster);
    size_t n = 0;
    int rc = 0;
    unsigned long long minutes = 0, attended = 0;
    if (!roster)
        return CLI_EXIT_FAILED;
    memset(&ses, 0, sizeof ses);
    cairn_date_format(ctx->today, ses.date);
    ses.telehealth = cli_opt(ctx, "in-person") == NULL;
    const char *group = cli_opt(ctx, "group"), *type = cli_opt(ctx, "type");
    ses.type = group ? CAIRN_SESSION_GROUP : CAIRN_SESSION_INDIVIDUAL;
    if ((rc = cli_date(ctx, "date", ses.date)) ||
        (rc = cli_copy(ctx, "group", ses.title, sizeof ses.title)) ||
        (rc = cli_copy(ctx, "start", ses.start, sizeof ses.start)) ||
        (rc = cli_copy(ctx, "facilitator", ses.facilitator, sizeof ses.facilitator)) ||
        (rc = cli_uint(ctx, "minutes", 1, CAIRN_SESSION_MINUTES_MAX, &minutes)) ||
        (rc = cli_uint(ctx, "minutes-attended", 1, CAIRN_SESSION_MINUTES_MAX, &attended)))
        goto out;
    if (!minutes) {
        rc = cli_usage_error(ctx, "--minutes (how long the session ran) is required");
        goto out;
    }
    ses.minutes = (int)minutes;
    if (type && cairn_session_type_parse(type, &ses.type, &ctx->err) != CAIRN_OK) {
        rc = cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
        goto out;
    }
    if (ctx->nargs == 1) {
        /* One patient: --status (default attended). */
        enum cairn_attendance_status status = CAIRN_ATTENDED;
        const char *st = cli_opt(ctx, "status");
        if (cli_opt(ctx, "present") || cli_opt(ctx, "absent") || cli_opt(ctx, "excused") ||
            cli_opt(ctx, "late")) {
            rc = cli_usage_error(ctx, "give either one MRN with --status, or a roster "
                                      "(--present, --absent, --excused, --late), not both");
            goto out;
        }
        if (st && cairn_attendance_parse(st, &status, &ctx->err) != CAIRN_OK) {
            rc = cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
            goto out;
        }
        if (strlen(ctx->args[0]) > CAIRN_MRN_MAX) {
            rc = cli_usage_error(ctx, "an MRN is at most %d characters", CAIRN_MRN_MAX);
            goto out;
        }
        snprintf(roster[0].mrn, sizeof roster[0].mrn, "%s", ctx->args[0]);
        roster[0].status = status;
        roster[0].minutes_attended = attended ? (int)attended : -1;
        if (attended && status != CAIRN_LATE) {
            rc = cli_usage_error(ctx, "--minutes-attended goes with --status late");
            goto out;
        }
        n = 1;
    } else {
        if (cli_opt(ctx, "status") || cli_opt(ctx, "minutes-attended")) {
            rc = cli_usage_error(ctx, "--status and --minutes-attended are for one patient "
                                      "(cairn session log MRN ...); a roster uses --present, "
                                      "--absent, --excused and --late MRN:MINUTES");
            goto out;
        }
        if ((rc = add_roster(ctx, "present", CAIRN_ATTENDED, roster, &n)) ||
            (rc = add_roster(ctx, "late", CAIRN_LATE, roster, &n)) ||
            (rc = add_roster(ctx, "absent", CAIRN_ABSENT, roster, &n)) ||
            (rc = add_roster(ctx, "excused", CAIRN_EXCUSED, roster, &n)))
            goto out;
        if (n == 0) {
            rc = cli_usage_error(ctx, "name the patients: one MRN, or a roster with --present, "
                                      "--absent, --excused, --late");
            goto out;
        }
    }
    enum cairn_status st = cairn_session_log(ctx->store, &ses, roster, n, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    int counts[CAIRN_ATTENDANCE__COUNT] = {0};
    for (size_t i = 0; i < n; i++)
        counts[roster[i].status]++;
    char title[512];
    cairn_text_fit(ses.title, 40, title, sizeof title);
    printf("logged session %lld (%s%s%s, %s, %d min): %d attended, %d late, %d absent, "
           "%d excused\n",
           (long long)ses.id, cairn_session_type_str(ses.type), *title ? " " : "", title, ses.date,
           ses.minutes, counts[CAIRN_ATTENDED], counts[CAIRN_LATE], counts[CAIRN_ABSENT],
           counts[CAIRN_EXCUSED]);
out:
    free(roster);
    return rc;
}

int cli_session_mark(struct cli_ctx *ctx)
{
    struct cairn_roster_entry e;
    unsigned long long attended = 0, version = 0;
    enum cairn_mark_result result;
    char *end = NULL;
    long long id = strtoll(ctx->args[0], &end, 10);
    int rc;
    if (!*ctx->args[0] || *end || id < 1)
        return cli_usage_error(ctx,
                               "SESSION is a session number (as session list shows), not "
                               "'%.20s'",
                               ctx->args[0]);
    memset(&e, 0, sizeof e);
    if (strlen(ctx->args[1]) > CAIRN_MRN_MAX)
        return cli_usage_error(ctx, "an MRN is at most %d characters", CAIRN_MRN_MAX);
    memcpy(e.mrn, ctx->args[1], strlen(ctx->args[1]) + 1);
    const char *st = cli_opt(ctx, "status");
    if (!st)
        return cli_usage_error(ctx, "--status is required: attended, late, absent or excused");
    if (cairn_attendance_parse(st, &e.status, &ctx->err) != CAIRN_OK)
        return cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
    if ((rc = cli_uint(ctx, "minutes-attended", 1, CAIRN_SESSION_MINUTES_MAX, &attended)) ||
        (rc = cli_uint(ctx, "if-version", 1, LLONG_MAX, &version)))
        return rc;
    if (attended && e.status != CAIRN_LATE)
        return cli_usage_error(ctx, "--minutes-attended goes with --status late");
    e.minutes_attended = attended ? (int)attended : -1;
    enum cairn_status s =
        cairn_attendance_mark(ctx->store, (int64_t)id, &e, (int64_t)version, &result, &ctx->err);
    if (s != CAIRN_OK)
        return cli_fail(ctx, s, NULL);
    printf("session %lld, patient %s: %s\n", id, e.mrn,
           result == CAIRN_MARK_ADDED     ? "added to the roster"
           : result == CAIRN_MARK_CHANGED ? "corrected"
                                          : "already so; nothing changed");
    return 0;
}

/* The days a listing covers: --week W, or admission (else the first
 * representable day) through today. */
static int list_range(struct cli_ctx *ctx, const struct cairn_patient *p, int32_t *from,
                      int32_t *to)
{
    const char *w = cli_opt(ctx, "week");
    if (w) {
        int year, week;
        if (cairn_isoweek_parse(w, &year, &week, &ctx->err) != CAIRN_OK) {
            snprintf(ctx->err.pointer, sizeof ctx->err.pointer, "week");
            return cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
        }
        *from = cairn_isoweek_monday(year, week);
        *to = *from + 6;
        return 0;
    }
    *from = 0;
    if (*p->admission_date)
        cairn_date_parse(p->admission_date, from, NULL);
    *to = ctx->today;
    return 0;
}

static json_t *row_json(const struct cairn_attendance_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "session", json_integer(r->session.id));
    json_object_set_new(o, "date", json_string(r->session.date));
    cli_json_set_text(o, "start", r->session.start);
    json_object_set_new(o, "type", json_string(cairn_session_type_str(r->session.type)));
    cli_json_set_text(o, "title", r->session.title);
    json_object_set_new(o, "minutes", json_integer(r->session.minutes));
    json_object_set_new(o, "status", json_string(cairn_attendance_str(r->status)));
    json_object_set_new(o, "minutes_attended", json_integer(r->minutes_attended));
    json_object_set_new(o, "telehealth", json_boolean(r->session.telehealth));
    cli_json_set_text(o, "facilitator", r->session.facilitator);
    json_object_set_new(o, "version", json_integer(r->version));
    return o;
}

static int list_row(const struct cairn_attendance_row *r, void *arg)
{
    char id[24], minutes[16], attended[16];
    snprintf(id, sizeof id, "%lld", (long long)r->session.id);
    snprintf(minutes, sizeof minutes, "%d", r->session.minutes);
    snprintf(attended, sizeof attended, "%d", r->minutes_attended);
    const char *cells[] = {id,
                           r->session.date,
                           r->session.start,
                           cairn_session_type_str(r->session.type),
                           r->session.title,
                           minutes,
                           cairn_attendance_str(r->status),
                           attended,
                           r->session.telehealth ? "yes" : "no",
                           r->session.facilitator};
    cli_list_row(arg, cells, row_json(r));
    return 0;
}

int cli_session_list(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"SESSION", CLI_COL_NUMBER, 0},  {"DATE", CLI_COL_TEXT, 0},
        {"START", CLI_COL_TEXT, 0},      {"TYPE", CLI_COL_TEXT, 0},
        {"TITLE", CLI_COL_TEXT, 30},     {"MINUTES", CLI_COL_NUMBER, 0},
        {"STATUS", CLI_COL_TEXT, 0},     {"ATTENDED", CLI_COL_NUMBER, 0},
        {"TELEHEALTH", CLI_COL_TEXT, 0}, {"FACILITATOR", CLI_COL_TEXT, 0},
    };
    struct cairn_patient p;
    int32_t from, to;
    int rc = cli_patient(ctx, true, &p);
    if (rc || (rc = list_range(ctx, &p, &from, &to)))
        return rc;
    struct cli_list *list = cli_list_begin(ctx->format, cols, sizeof cols / sizeof cols[0]);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st =
        cairn_attendance_list(ctx->store, p.id, from, to, list_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, ctx->args[0]);
    return out ? CLI_EXIT_FAILED : 0;
}

static void hours_text(int minutes, char *out, size_t size)
{
    snprintf(out, size, "%d.%02d", minutes / 60, (minutes % 60) * 100 / 60);
}

int cli_session_weeks(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"WEEK", CLI_COL_TEXT, 0},        {"HOURS", CLI_COL_NUMBER, 0},
        {"MIN HOURS", CLI_COL_NUMBER, 0}, {"DAYS", CLI_COL_NUMBER, 0},
        {"MIN DAYS", CLI_COL_NUMBER, 0},  {"SESSIONS", CLI_COL_NUMBER, 0},
        {"ABSENT", CLI_COL_NUMBER, 0},    {"EXCUSED", CLI_COL_NUMBER, 0},
        {"LATE", CLI_COL_NUMBER, 0},      {"MINIMUM", CLI_COL_TEXT, 0},
    };
    struct cairn_patient p;
    int32_t from, to;
    int rc = cli_patient(ctx, true, &p);
    if (rc || (rc = list_range(ctx, &p, &from, &to)))
        return rc;
    if (!cli_opt(ctx, "week") && *p.discharge_date) {
        int32_t left;
        if (cairn_date_parse(p.discharge_date, &left, NULL) == CAIRN_OK && left < to)
            to = left;
    }
    if (!*p.admission_date && !cli_opt(ctx, "week"))
        return cli_fail(ctx,
                        cairn_error_set(&ctx->err, CAIRN_ERR_INVALID,
                                        "patient has not been admitted; there are no weeks yet"),
                        ctx->args[0]);
    struct cli_list *list = cli_list_begin(ctx->format, cols, sizeof cols / sizeof cols[0]);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st = CAIRN_OK;
    /* Week by week, from the week of `from` to the week of `to`. */
    for (int32_t monday = from - (cairn_date_weekday(from) - 1); monday <= to && st == CAIRN_OK;
         monday += 7) {
        int year, week;
        struct cairn_attendance_week w;
        cairn_date_isoweek(monday, &year, &week);
        if ((st = cairn_attendance_week_load(ctx->store, p.id, year, week, &w, &ctx->err)) !=
            CAIRN_OK)
            break;
        char label[CAIRN_WEEK_LEN + 1], hours[16], min_hours[16], days[8], min_days[8], sessions[8],
            absent[8], excused[8], late[8], meets[48];
        cairn_isoweek_format(year, week, label);
        hours_text(w.minutes_attended, hours, sizeof hours);
        hours_text(w.min_minutes, min_hours, sizeof min_hours);
        snprintf(days, sizeof days, "%d", w.days_attended);
        snprintf(min_days, sizeof min_days, "%d", w.min_days);
        snprintf(sessions, sizeof sessions, "%d", w.sessions);
        snprintf(absent, sizeof absent, "%d", w.absent);
        snprintf(excused, sizeof excused, "%d", w.excused);
        snprintf(late, sizeof late, "%d", w.late);
        snprintf(meets, sizeof meets, "%s",
                 w.meets_hours && w.meets_days     ? "met"
                 : !w.complete                     ? "so far"
                 : !w.meets_hours && !w.meets_days ? "below: hours and days"
                 : !w.meets_hours                  ? "below: hours"
                                                   : "below: days");
        json_t *o = json_object();
        json_object_set_new(o, "week", json_string(label));
        json_object_set_new(o, "minutes_attended", json_integer(w.minutes_attended));
        json_object_set_new(o, "hours_attended", json_real(w.minutes_attended / 60.0));
        json_object_set_new(o, "min_hours", json_real(w.min_minutes / 60.0));
        json_object_set_new(o, "days_attended", json_integer(w.days_attended));
        json_object_set_new(o, "min_days", json_integer(w.min_days));
        json_object_set_new(o, "sessions", json_integer(w.sessions));
        json_object_set_new(o, "attended", json_integer(w.attended));
        json_object_set_new(o, "late", json_integer(w.late));
        json_object_set_new(o, "absent", json_integer(w.absent));
        json_object_set_new(o, "excused", json_integer(w.excused));
        json_object_set_new(o, "meets_hours", json_boolean(w.meets_hours));
        json_object_set_new(o, "meets_days", json_boolean(w.meets_days));
        json_object_set_new(o, "complete", json_boolean(w.complete));
        const char *cells[] = {label,    hours,  min_hours, days, min_days,
                               sessions, absent, excused,   late, meets};
        cli_list_row(list, cells, o);
    }
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, ctx->args[0]);
    return out ? CLI_EXIT_FAILED : 0;
}

int cli_session_import(struct cli_ctx *ctx)
{
    const char *path = ctx->args[0];
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cairn: session import: %s: %s\n", path, strerror(errno));
        return CLI_EXIT_FAILED;
    }
    /* Read at most one byte more than the limit, so too big is detected. */
    size_t cap = 65536, len = 0;
    char *text = malloc(cap);
    int rc = 0;
    while (text) {
        if (len == cap) {
            if (cap > CAIRN_CSV_MAX_BYTES)
                break;
            char *t = realloc(text, cap * 2);
            if (!t) {
                free(text);
                text = NULL;
                break;
            }
            text = t;
            cap *= 2;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool read_error = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!text || read_error) {
        fprintf(stderr, "cairn: session import: %s: %s\n", path,
                text ? "read error" : "out of memory");
        free(text);
        return CLI_EXIT_FAILED;
    }
    struct cairn_import_result res;
    enum cairn_status st = cairn_session_import(ctx->store, text, len, path, &res, &ctx->err);
    free(text);
    if (st != CAIRN_OK) {
        const struct cairn_error *e = &ctx->err;
        if (*e->file && e->line) {
            /* FILE:LINE:COL: column: message, like template errors. */
            fprintf(stderr, "%s:%d:%d: %s%s%s\n", e->file, e->line, e->col, e->pointer,
                    *e->pointer ? ": " : "", e->message);
            fprintf(stderr, "cairn: session import: nothing was imported\n");
            rc = cli_exit_code(
                st == CAIRN_ERR_NOT_FOUND || st == CAIRN_ERR_EXISTS ? CAIRN_ERR_INVALID : st);
        } else {
            ctx->err.pointer[0] = '\0';
            rc = cli_fail(ctx, st, path);
        }
        return rc;
    }
    printf("imported %zu attendance line%s (%zu new session%s)\n", res.rows,
           res.rows == 1 ? "" : "s", res.sessions, res.sessions == 1 ? "" : "s");
    return 0;
}
