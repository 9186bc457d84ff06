/* Status names and the error record. */
#include "cairn/status.h"

#include <stdio.h>
#include <string.h>

static const char *const status_text[] = {
#define CAIRN_X_TEXT(code, text) [code] = text,
    CAIRN_STATUS_LIST(CAIRN_X_TEXT)
#undef CAIRN_X_TEXT
};

static const char *const status_name[] = {
#define CAIRN_X_NAME(code, text) [code] = #code,
    CAIRN_STATUS_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

const char *cairn_status_str(enum cairn_status status)
{
    if ((unsigned)status >= CAIRN_STATUS__COUNT)
        return "unknown status";
    return status_text[status];
}

const char *cairn_status_name(enum cairn_status status)
{
    if ((unsigned)status >= CAIRN_STATUS__COUNT)
        return "CAIRN_STATUS_UNKNOWN";
    return status_name[status];
}

void cairn_error_clear(struct cairn_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

enum cairn_status cairn_error_setv(struct cairn_error *err, enum cairn_status status,
                                   const char *fmt, va_list ap)
{
    if (!err)
        return status;
    cairn_error_clear(err);
    err->status = status;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return status;
}

enum cairn_status cairn_error_set(struct cairn_error *err, enum cairn_status status,
                                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cairn_error_setv(err, status, fmt, ap);
    va_end(ap);
    return status;
}

enum cairn_status cairn_error_field(struct cairn_error *err, enum cairn_status status,
                                    const char *pointer, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cairn_error_setv(err, status, fmt, ap);
    va_end(ap);
    if (err)
        snprintf(err->pointer, sizeof err->pointer, "%s", pointer);
    return status;
}

enum cairn_status cairn_error_at(struct cairn_error *err, enum cairn_status status,
                                 const char *file, int line, int col, const char *pointer,
                                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cairn_error_setv(err, status, fmt, ap);
    va_end(ap);
    if (err) {
        snprintf(err->file, sizeof err->file, "%s", file ? file : "");
        err->line = line;
        err->col = col;
        snprintf(err->pointer, sizeof err->pointer, "%s", pointer ? pointer : "");
    }
    return status;
}
