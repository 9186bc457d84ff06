/* cairn — calendar dates, ISO weeks and timestamps.
 *
 * A date is an int32_t count of days since 1970-01-01 in the proleptic
 * Gregorian calendar; it is stored and shown as "YYYY-MM-DD". Weeks are ISO
 * 8601 weeks ("2026-W47", Monday first; week 1 holds the year's first
 * Thursday). Timestamps are UTC, "YYYY-MM-DDTHH:MM:SSZ". Pure functions only,
 * except cairn_date_today() and cairn_timestamp_now(), which read the clock.
 */
#ifndef CAIRN_DATE_H
#define CAIRN_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/status.h"

#define CAIRN_DATE_LEN      10 /* "YYYY-MM-DD" */
#define CAIRN_WEEK_LEN      8  /* "YYYY-Www" */
#define CAIRN_TIMESTAMP_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" */

/* Earliest and latest dates cairn accepts anywhere (1900-01-01, 2199-12-31). */
#define CAIRN_DATE_MIN (-25567)
#define CAIRN_DATE_MAX 84005

/* Returns the day number of year/month/day; the triple must be a real date
 * (see cairn_date_valid()). */
int32_t cairn_date_from_ymd(int year, int month, int day);

/* Splits a day number into year, month (1-12) and day (1-31). */
void cairn_date_to_ymd(int32_t days, int *year, int *month, int *day);

/* True when year/month/day names a real calendar day (leap years included). */
bool cairn_date_valid(int year, int month, int day);

/* Parses exactly "YYYY-MM-DD" (no spaces, no other forms) within
 * CAIRN_DATE_MIN..CAIRN_DATE_MAX into *days. Returns CAIRN_ERR_INVALID with a
 * message saying what is wrong otherwise; *days is untouched on error. */
enum cairn_status cairn_date_parse(const char *text, int32_t *days, struct cairn_error *err);

/* Writes "YYYY-MM-DD" and a NUL into out (CAIRN_DATE_LEN + 1 bytes). */
void cairn_date_format(int32_t days, char out[CAIRN_DATE_LEN + 1]);

/* ISO weekday of a date: 1 = Monday … 7 = Sunday. */
int cairn_date_weekday(int32_t days);

/* The ISO week-numbering year and week (1-53) that contain `days`. */
void cairn_date_isoweek(int32_t days, int *iso_year, int *week);

/* The Monday that starts ISO week `week` of `iso_year`. The week must exist
 * (cairn_isoweek_parse() checks that). */
int32_t cairn_isoweek_monday(int iso_year, int week);

/* Number of ISO weeks (52 or 53) in `iso_year`. */
int cairn_isoweek_count(int iso_year);

/* Parses exactly "YYYY-Www" into *iso_year and *week; refuses week 53 in a
 * 52-week year. CAIRN_ERR_INVALID with a message otherwise. */
enum cairn_status cairn_isoweek_parse(const char *text, int *iso_year, int *week,
                                      struct cairn_error *err);

/* Writes "YYYY-Www" and a NUL into out (CAIRN_WEEK_LEN + 1 bytes). */
void cairn_isoweek_format(int iso_year, int week, char out[CAIRN_WEEK_LEN + 1]);

/* Today's local calendar date from the system clock. Front ends may instead
 * pass a fixed date (CAIRN_TODAY) to the store for reproducible output. */
int32_t cairn_date_today(void);

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (CAIRN_TIMESTAMP_LEN + 1 bytes). */
void cairn_timestamp_now(char out[CAIRN_TIMESTAMP_LEN + 1]);

#endif
