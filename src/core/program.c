/* Program rules: validation of the columns every caseload view relies on. Pure. */
#include "cairn/program.h"

#include <ctype.h>
#include <string.h>

#include "cairn/text.h"

enum cairn_status cairn_program_validate(const struct cairn_program *p, struct cairn_error *err)
{
    size_t n = strlen(p->code);
    if (n == 0)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "code", "is required");
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)p->code[i]) || isdigit((unsigned char)p->code[i]) ||
              p->code[i] == '-'))
            return cairn_error_field(err, CAIRN_ERR_INVALID, "code",
                                     "may hold only lower-case letters, digits and '-'");
    if (p->version < 1)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "version", "must be 1 or more");
    if (!*p->name || !cairn_utf8_valid(p->name, strlen(p->name)) || cairn_text_has_control(p->name))
        return cairn_error_field(err, CAIRN_ERR_INVALID, "name",
                                 "is required, as UTF-8 text without control characters");
    if (strcmp(p->population, "adult") != 0 && strcmp(p->population, "adolescent") != 0)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "population",
                                 "must be adult or adolescent");
    if (!(p->min_hours_per_week > 0) || p->min_hours_per_week > p->max_hours_per_week ||
        p->max_hours_per_week > 40)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "min_hours_per_week",
                                 "hours per week must satisfy 0 < minimum <= maximum <= 40");
    if (p->sessions_per_week < 1 || p->sessions_per_week > 14)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "sessions_per_week", "must be 1-14");
    if (p->min_days_per_week < 1 || p->min_days_per_week > 7)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "min_days_per_week", "must be 1-7");
    if (p->length_weeks < 1 || p->length_weeks > 52)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "length_weeks", "must be 1-52");
    return CAIRN_OK;
}
