/* cairn — programs: the treatment programs patients are admitted to.
 *
 * A program row is one version of a program template (code + version). The
 * YAML template loader fills it; the columns here are the ones the caseload
 * needs everywhere (name, schedule minimums, length of stay).
 */
#ifndef CAIRN_PROGRAM_H
#define CAIRN_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/status.h"

struct cairn_store;

#define CAIRN_PROGRAM_CODE_MAX 64
#define CAIRN_PROGRAM_NAME_MAX 200 /* characters; the buffer holds them as UTF-8 */

struct cairn_program {
    int64_t id;
    char code[CAIRN_PROGRAM_CODE_MAX + 1]; /* template id, e.g. "virtual-mh-iop" */
    int version;                           /* template version, 1.. */
    char name[4 * CAIRN_PROGRAM_NAME_MAX + 1];
    char level_of_care[33]; /* e.g. "asam-2.1" */
    char population[17];    /* adult | adolescent */
    double min_hours_per_week;
    double max_hours_per_week;
    int sessions_per_week;
    int min_days_per_week;
    int length_weeks;
};

/* Checks code ([a-z0-9-], 1-64), version >= 1, name, population
 * (adult|adolescent), 0 < min hours <= max hours <= 40, sessions 1-14 a
 * week (groups can meet twice a day), days 1-7, length 1-52 weeks. Reports the first problem with
 * its field. */
enum cairn_status cairn_program_validate(const struct cairn_program *program,
                                         struct cairn_error *err);

/* Validates and stores one program version, audited as import. Sets
 * program->id. The same code and version twice is CAIRN_ERR_EXISTS. */
enum cairn_status cairn_program_add(struct cairn_store *store, struct cairn_program *program,
                                    struct cairn_error *err);

/* Fills *out with the newest version of the program `code`;
 * CAIRN_ERR_NOT_FOUND when there is none. */
enum cairn_status cairn_program_find(struct cairn_store *store, const char *code,
                                     struct cairn_program *out, struct cairn_error *err);

/* Fills *out with version `version` of program `code`; CAIRN_ERR_NOT_FOUND
 * when there is none. */
enum cairn_status cairn_program_find_version(struct cairn_store *store, const char *code,
                                             int version, struct cairn_program *out,
                                             struct cairn_error *err);

/* Called once per program by cairn_program_list() with the number of
 * patients admitted under that version; return non-zero to stop. */
typedef int (*cairn_program_fn)(const struct cairn_program *program, int64_t patients, void *ctx);

/* Lists programs by code: the newest version of each, or with `all` every
 * version (newest first within a code). */
enum cairn_status cairn_program_list(struct cairn_store *store, bool all, cairn_program_fn fn,
                                     void *ctx, struct cairn_error *err);

/* Fills *out with the program row `id`; CAIRN_ERR_NOT_FOUND when absent. */
enum cairn_status cairn_program_get(struct cairn_store *store, int64_t id,
                                    struct cairn_program *out, struct cairn_error *err);

#endif
