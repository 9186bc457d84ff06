/* Calendar arithmetic on day numbers (days since 1970-01-01).
 *
 * The conversions use the era-based civil-calendar method: shift the year to
 * start in March so the leap day is last, then split into 400-year eras of
 * 146097 days. No tables, no locale, valid for every date cairn accepts. */
#include "cairn/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

bool cairn_date_valid(int year, int month, int day)
{
    return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
           day <= days_in_month(year, month);
}

int32_t cairn_date_from_ymd(int year, int month, int day)
{
    int y = month <= 2 ? year - 1 : year;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;                                                 /* 0..399 */
    int doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* 0..365 */
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                         /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void cairn_date_to_ymd(int32_t days, int *year, int *month, int *day)
{
    int32_t z = days + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400) + (m <= 2);
    *month = m;
    *day = d;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

enum cairn_status cairn_date_parse(const char *text, int32_t *days, struct cairn_error *err)
{
    if (!text || strlen(text) != CAIRN_DATE_LEN || !digits(text, 4) || text[4] != '-' ||
        !digits(text + 5, 2) || text[7] != '-' || !digits(text + 8, 2))
        return cairn_error_set(err, CAIRN_ERR_INVALID, "not a date; expected YYYY-MM-DD");
    int y = number(text, 4), m = number(text + 5, 2), d = number(text + 8, 2);
    if (!cairn_date_valid(y, m, d))
        return cairn_error_set(err, CAIRN_ERR_INVALID, "no such calendar day");
    int32_t v = cairn_date_from_ymd(y, m, d);
    if (v < CAIRN_DATE_MIN || v > CAIRN_DATE_MAX)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "date outside 1900-01-01..2199-12-31");
    *days = v;
    return CAIRN_OK;
}

/* Writes n decimal digits of v (zero-padded) at out. */
static void put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
}

void cairn_date_format(int32_t days, char out[CAIRN_DATE_LEN + 1])
{
    int y, m, d;
    cairn_date_to_ymd(days, &y, &m, &d);
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = '\0';
}

int cairn_date_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int w = (int)((days % 7 + 7 + 3) % 7); /* 0 = Monday */
    return w + 1;
}

int32_t cairn_isoweek_monday(int iso_year, int week)
{
    int32_t jan4 = cairn_date_from_ymd(iso_year, 1, 4);
    int32_t week1_monday = jan4 - (cairn_date_weekday(jan4) - 1);
    return week1_monday + (int32_t)(week - 1) * 7;
}

void cairn_date_isoweek(int32_t days, int *iso_year, int *week)
{
    /* The week belongs to the year of its Thursday. */
    int32_t thursday = days - (cairn_date_weekday(days) - 1) + 3;
    int ty, tm, td;
    cairn_date_to_ymd(thursday, &ty, &tm, &td);
    *iso_year = ty;
    *week = (int)((thursday - cairn_date_from_ymd(ty, 1, 1)) / 7) + 1;
}

int cairn_isoweek_count(int iso_year)
{
    int y, w;
    cairn_date_isoweek(cairn_date_from_ymd(iso_year, 12, 28), &y, &w);
    return w;
}

enum cairn_status cairn_isoweek_parse(const char *text, int *iso_year, int *week,
                                      struct cairn_error *err)
{
    if (!text || strlen(text) != CAIRN_WEEK_LEN || !digits(text, 4) || text[4] != '-' ||
        text[5] != 'W' || !digits(text + 6, 2))
        return cairn_error_set(err, CAIRN_ERR_INVALID, "not an ISO week; expected YYYY-Www");
    int y = number(text, 4), w = number(text + 6, 2);
    if (y < 1900 || y > 2199)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "week outside 1900..2199");
    if (w < 1 || w > cairn_isoweek_count(y))
        return cairn_error_set(err, CAIRN_ERR_INVALID, "%04d has weeks 01 to %02d", y,
                               cairn_isoweek_count(y));
    *iso_year = y;
    *week = w;
    return CAIRN_OK;
}

void cairn_isoweek_format(int iso_year, int week, char out[CAIRN_WEEK_LEN + 1])
{
    put_digits(out, iso_year, 4);
    out[4] = '-';
    out[5] = 'W';
    put_digits(out + 6, week, 2);
    out[8] = '\0';
}

int32_t cairn_date_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return cairn_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void cairn_timestamp_now(char out[CAIRN_TIMESTAMP_LEN + 1])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, CAIRN_TIMESTAMP_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
