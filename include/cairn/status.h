/* cairn — status codes and the error record every fallible call can fill.
 *
 * libcairn never prints or exits: a function returns an enum cairn_status and,
 * when the caller passes a struct cairn_error, explains what went wrong there.
 * Messages never carry patient names; they name fields, ids and positions.
 */
#ifndef CAIRN_STATUS_H
#define CAIRN_STATUS_H

#include <stdarg.h>

/* The one list of outcomes: X(code, short description). */
#define CAIRN_STATUS_LIST(X)                                                                       \
    X(CAIRN_OK, "ok")                                                                              \
    X(CAIRN_ERR_INVALID, "invalid input")                                                          \
    X(CAIRN_ERR_NOT_FOUND, "not found")                                                            \
    X(CAIRN_ERR_EXISTS, "already exists")                                                          \
    X(CAIRN_ERR_CONFLICT, "changed by someone else")                                               \
    X(CAIRN_ERR_TRANSITION, "illegal status change")                                               \
    X(CAIRN_ERR_BUSY, "database busy")                                                             \
    X(CAIRN_ERR_NO_DATABASE, "no database")                                                        \
    X(CAIRN_ERR_NEWER, "database is newer than this program")                                      \
    X(CAIRN_ERR_NOT_CAIRN, "not a cairn database")                                                 \
    X(CAIRN_ERR_PERMISSION, "permission denied")                                                   \
    X(CAIRN_ERR_DENIED, "not allowed for this role")                                               \
    X(CAIRN_ERR_FULL, "disk full")                                                                 \
    X(CAIRN_ERR_IO, "input/output error")                                                          \
    X(CAIRN_ERR_DB, "database error")                                                              \
    X(CAIRN_ERR_NOMEM, "out of memory")

enum cairn_status {
#define CAIRN_X_ENUM(code, text) code,
    CAIRN_STATUS_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_STATUS__COUNT
};

#define CAIRN_ERROR_MESSAGE_MAX 512
#define CAIRN_ERROR_FILE_MAX    512
#define CAIRN_ERROR_POINTER_MAX 256

/* Where and why a call failed. `file`, `line`, `col` and `pointer` are set
 * only when the problem is located in user input (a template, a CSV row, a
 * form field); `line`/`col` are 1-based, 0 when unknown. `pointer` is a JSON
 * pointer ("/ladders/0/steps/2/suds") or a field name ("dob"). */
struct cairn_error {
    enum cairn_status status;
    char message[CAIRN_ERROR_MESSAGE_MAX];
    char file[CAIRN_ERROR_FILE_MAX];
    int line;
    int col;
    char pointer[CAIRN_ERROR_POINTER_MAX];
};

/* Returns a short, static, human description of `status` ("not found"). Never NULL. */
const char *cairn_status_str(enum cairn_status status);

/* Returns the symbolic name of `status` ("CAIRN_ERR_NOT_FOUND"). Never NULL. */
const char *cairn_status_name(enum cairn_status status);

/* Resets `err` (may be NULL) to CAIRN_OK with empty text. */
void cairn_error_clear(struct cairn_error *err);

/* Fills `err` (may be NULL) with `status` and a printf-style message and
 * returns `status`, so callers write `return cairn_error_set(err, ...)`.
 * Location fields are cleared. */
enum cairn_status cairn_error_set(struct cairn_error *err, enum cairn_status status,
                                  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Like cairn_error_set() for a problem in one named field of user input:
 * `pointer` is the field name or JSON pointer. */
enum cairn_status cairn_error_field(struct cairn_error *err, enum cairn_status status,
                                    const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Like cairn_error_field() for a problem at a place in an input file:
 * `file` (may be NULL), 1-based `line` and `col` (0: unknown). */
enum cairn_status cairn_error_at(struct cairn_error *err, enum cairn_status status,
                                 const char *file, int line, int col, const char *pointer,
                                 const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* va_list form of cairn_error_set(). */
enum cairn_status cairn_error_setv(struct cairn_error *err, enum cairn_status status,
                                   const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
