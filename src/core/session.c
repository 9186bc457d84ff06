/* Sessions and attendance: names, checks and the weekly totals. Pure; the
 * store side is store_session.c. */
#include "cairn/session.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cairn/text.h"

static const char *const attendance_names[] = {
#define CAIRN_X_NAME(code, name) name,
    CAIRN_ATTENDANCE_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

const char *cairn_attendance_str(enum cairn_attendance_status status)
{
    return (unsigned)status < CAIRN_ATTENDANCE__COUNT ? attendance_names[status] : "?";
}

enum cairn_status cairn_attendance_parse(const char *text, enum cairn_attendance_status *out,
                                         struct cairn_error *err)
{
    for (int i = 0; i < CAIRN_ATTENDANCE__COUNT; i++)
        if (strcmp(text, attendance_names[i]) == 0) {
            *out = (enum cairn_attendance_status)i;
            return CAIRN_OK;
        }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "status",
                             "not an attendance status: attended, absent, excused or late");
}

enum cairn_status cairn_session_type_parse(const char *text, enum cairn_session_type *out,
                                           struct cairn_error *err)
{
    for (int i = 0; i < CAIRN_SESSION_TYPE__COUNT; i++)
        if (strcmp(text, cairn_session_type_str((enum cairn_session_type)i)) == 0) {
            *out = (enum cairn_session_type)i;
            return CAIRN_OK;
        }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "type",
                             "not a session type: group, individual, family, skills, psychiatry "
                             "or peer");
}

int cairn_session_start_minute(const char *t)
{
    if (strlen(t) != 5 || t[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (t[i] < '0' || t[i] > '9'))
            return -1;
    int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

enum cairn_status cairn_session_validate(const struct cairn_session *s, int32_t today,
                                         struct cairn_error *err)
{
    int32_t day;
    enum cairn_status rc;
    if (cairn_date_parse(s->date, &day, NULL) != CAIRN_OK)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "date", "not a date (YYYY-MM-DD)");
    if (day > today)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "date",
                                 "%s is in the future; log attendance once the session has "
                                 "happened",
                                 s->date);
    if (*s->start && cairn_session_start_minute(s->start) < 0)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "start",
                                 "not a time of day (HH:MM, 24-hour)");
    if ((unsigned)s->type >= CAIRN_SESSION_TYPE__COUNT)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "type", "unknown session type");
    if (s->minutes < 1 || s->minutes > CAIRN_SESSION_MINUTES_MAX)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "minutes",
                                 "%d is not a session length (1–%d minutes)", s->minutes,
                                 CAIRN_SESSION_MINUTES_MAX);
    if ((rc = cairn_text_check(s->title, "title", false, CAIRN_SESSION_TITLE_MAX, err)) != CAIRN_OK)
        return rc;
    return CAIRN_OK;
}

/* Adds `minutes` attended on `day` to the week's totals when the day is in it. */
static void count_day(struct cairn_attendance_week *w, int32_t monday, int32_t day, int minutes,
                      bool *days)
{
    if (minutes <= 0 || day < monday || day > monday + 6)
        return;
    w->minutes_attended += minutes;
    if (!days[day - monday]) {
        days[day - monday] = true;
        w->days_attended++;
    }
}

void cairn_attendance_week_total(const struct cairn_attendance_line *lines, size_t n, int iso_year,
                                 int week, double min_hours, int min_days, int32_t today,
                                 struct cairn_attendance_week *out)
{
    memset(out, 0, sizeof *out);
    out->iso_year = iso_year;
    out->week = week;
    int32_t monday = cairn_isoweek_monday(iso_year, week);
    bool days[7] = {false};
    for (size_t i = 0; i < n; i++) {
        const struct cairn_attendance_line *l = &lines[i];
        if (l->day >= monday && l->day <= monday + 6) {
            out->sessions++;
            switch (l->status) {
            case CAIRN_ATTENDED:
                out->attended++;
                break;
            case CAIRN_LATE:
                out->late++;
                break;
            case CAIRN_ABSENT:
                out->absent++;
                break;
            default:
                out->excused++;
                break;
            }
        }
        int got = l->minutes_attended;
        if (got <= 0 || (l->status != CAIRN_ATTENDED && l->status != CAIRN_LATE))
            continue;
        if (l->start_minute < 0) {
            count_day(out, monday, l->day, got, days);
            continue;
        }
        /* The minutes attended are the session's last ones: from
         * start + minutes - got to start + minutes, split at midnights. */
        int from = l->start_minute + l->minutes - got, to = l->start_minute + l->minutes;
        for (int d = 0; from < to; d++) {
            int day_end = (d + 1) * 24 * 60;
            if (from < day_end) {
                int until = to < day_end ? to : day_end;
                count_day(out, monday, l->day + d, until - from, days);
                from = until;
            }
        }
    }
    cairn_attendance_week_judge(out, min_hours, min_days, today);
}

void cairn_attendance_week_judge(struct cairn_attendance_week *w, double min_hours, int min_days,
                                 int32_t today)
{
    w->min_minutes = min_hours > 0 ? (int)lround(min_hours * 60) : 0;
    w->min_days = min_days;
    w->meets_hours = w->minutes_attended >= w->min_minutes;
    w->complete = today > cairn_isoweek_monday(w->iso_year, w->week) + 6;
    w->meets_days = w->days_attended >= w->min_days;
}
