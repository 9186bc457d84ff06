/* libFuzzer harness for the plan editor's input: the YAML a clinician
 * saves from `plan edit` / `safety edit`.
 *
 * The first byte picks the kind (even: relapse-prevention plan with every
 * section, odd: safety plan); the rest is the file. Any bytes must give
 * CAIRN_OK or a located CAIRN_ERR_INVALID, never a crash, a leak or a
 * sanitizer report. A file that parses must round-trip: rendering it and
 * parsing the rendering gives the same canonical content (what decides
 * whether a save makes a new revision). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A plan of `kind` with every section it can have, empty. */
static struct cairn_plan *blank(enum cairn_plan_kind kind)
{
    struct cairn_plan *p = cairn_plan_new(kind);
    if (!p)
        abort();
    if (kind == CAIRN_PLAN_RELAPSE) {
        p->nparts = CAIRN_SECTION__COUNT;
        for (int i = 0; i < CAIRN_SECTION__COUNT; i++)
            p->parts[i].section = i;
    }
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cairn_template_diags diags;
    struct cairn_error err;
    if (size == 0)
        return 0;
    enum cairn_plan_kind kind = data[0] % 2 ? CAIRN_PLAN_SAFETY : CAIRN_PLAN_RELAPSE;
    struct cairn_plan *p = blank(kind), *again = blank(kind);
    char *yaml = NULL, *first = NULL, *second = NULL;
    enum cairn_status rc = cairn_plan_parse_yaml(p, (const char *)data + 1, size - 1, &diags, &err);
    if (rc == CAIRN_OK) {
        if (cairn_plan_render_yaml(p, "fuzz", &yaml, &err) != CAIRN_OK ||
            cairn_plan_parse_yaml(again, yaml, strlen(yaml), &diags, &err) != CAIRN_OK ||
            cairn_plan_canonical(p, &first, &err) != CAIRN_OK ||
            cairn_plan_canonical(again, &second, &err) != CAIRN_OK || strcmp(first, second) != 0)
            abort();
    } else if (rc == CAIRN_ERR_INVALID) {
        if (diags.count == 0 || err.line < 0 || err.col < 0 || !err.message[0])
            abort();
    } else if (rc != CAIRN_ERR_NOMEM) {
        abort();
    }
    free(yaml);
    free(first);
    free(second);
    cairn_plan_free(&p);
    cairn_plan_free(&again);
    return 0;
}
