/* Staff rules: role names and validation. Pure. */
#include "cairn/staff.h"

#include <ctype.h>
#include <string.h>

#include "cairn/text.h"

static const char *const role_names[] = {
#define CAIRN_X_NAME(code, text) [code] = text,
    CAIRN_ROLE_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

const char *cairn_role_str(enum cairn_role role)
{
    return (unsigned)role < CAIRN_ROLE__COUNT ? role_names[role] : "?";
}

enum cairn_status cairn_role_parse(const char *text, enum cairn_role *role, struct cairn_error *err)
{
    for (int i = 0; i < CAIRN_ROLE__COUNT; i++) {
        if (text && strcmp(text, role_names[i]) == 0) {
            *role = (enum cairn_role)i;
            return CAIRN_OK;
        }
    }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "role",
                             "unknown role; expected therapist, case_manager, supervisor, "
                             "prescriber or peer_mentor");
}

enum cairn_status cairn_staff_validate(const struct cairn_staff *staff, struct cairn_error *err)
{
    size_t n = strlen(staff->login);
    if (n == 0)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "login", "is required");
    if (!isalnum((unsigned char)staff->login[0]))
        return cairn_error_field(err, CAIRN_ERR_INVALID, "login",
                                 "must start with a letter or digit");
    for (size_t i = 0; i < n; i++) {
        char c = staff->login[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '.' || c == '_' ||
              c == '-'))
            return cairn_error_field(err, CAIRN_ERR_INVALID, "login",
                                     "may hold only lower-case letters, digits, '.', '_' and '-'");
    }
    size_t m = strlen(staff->name);
    if (m == 0 || staff->name[0] == ' ' || staff->name[m - 1] == ' ')
        return cairn_error_field(err, CAIRN_ERR_INVALID, "name",
                                 "is required, without leading or trailing spaces");
    if (!cairn_utf8_valid(staff->name, m) || cairn_text_has_control(staff->name))
        return cairn_error_field(err, CAIRN_ERR_INVALID, "name",
                                 "must be UTF-8 text without control characters");
    if ((unsigned)staff->role >= CAIRN_ROLE__COUNT)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "role", "unknown role");
    return CAIRN_OK;
}
