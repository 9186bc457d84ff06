/* libFuzzer harness for the review editor's input: the YAML a reviewer
 * saves from `review edit`.
 *
 * The first byte picks how many checklist items the review has (0-3); the
 * rest is the file. Any bytes must give CAIRN_OK or a located
 * CAIRN_ERR_INVALID that leaves the inputs untouched, never a crash, a
 * leak or a sanitizer report. Inputs that parse must be valid and must
 * round-trip: rendering them and parsing the rendering gives the same
 * canonical JSON (what the store compares to decide "no change"). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/review.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const items[] = {"Attendance discussed", "Safety plan still current",
                                    "Social goal agreed"};

static struct cairn_review *blank(size_t nchecks)
{
    struct cairn_review *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    memcpy(r->week, "2026-W47", sizeof r->week);
    r->inputs.nchecks = nchecks;
    for (size_t i = 0; i < nchecks; i++) {
        strcpy(r->inputs.checks[i].item, items[i]);
        r->inputs.checks[i].answer = -1;
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cairn_template_diags diags;
    struct cairn_error err;
    if (size == 0)
        return 0;
    size_t nchecks = data[0] % 4;
    struct cairn_review *r = blank(nchecks), *again = blank(nchecks), *before = blank(nchecks);
    char *yaml = NULL, *first = NULL, *second = NULL;
    enum cairn_status rc =
        cairn_review_parse_yaml(&r->inputs, (const char *)data + 1, size - 1, &diags, &err);
    if (rc == CAIRN_OK) {
        if (cairn_review_inputs_validate(&r->inputs, false, &err) != CAIRN_OK ||
            cairn_review_render_yaml(r, "fuzz", &yaml, &err) != CAIRN_OK ||
            cairn_review_parse_yaml(&again->inputs, yaml, strlen(yaml), &diags, &err) != CAIRN_OK ||
            cairn_review_inputs_json(&r->inputs, &first, &err) != CAIRN_OK ||
            cairn_review_inputs_json(&again->inputs, &second, &err) != CAIRN_OK ||
            strcmp(first, second) != 0)
            abort();
    } else if (rc == CAIRN_ERR_INVALID) {
        if (diags.count == 0 || err.line < 0 || err.col < 0 || !err.message[0] ||
            memcmp(&r->inputs, &before->inputs, sizeof r->inputs) != 0)
            abort();
    } else if (rc != CAIRN_ERR_NOMEM) {
        abort();
    }
    free(yaml);
    free(first);
    free(second);
    free(r);
    free(again);
    free(before);
    return 0;
}
