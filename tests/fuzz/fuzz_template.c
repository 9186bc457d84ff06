/* libFuzzer harness for the program-template loader and validator.
 *
 * Any bytes must give CAIRN_OK or CAIRN_ERR_INVALID (never a crash, a leak
 * or a sanitizer report), and a valid result must hold together: counts
 * within their arrays, every diagnostic located. Built with clang and
 * -fsanitize=fuzzer when CAIRN_FUZZ=ON; the same file, linked with
 * replay.c, replays tests/fuzz/corpus/template in every normal build. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cairn_template t;
    static struct cairn_template_diags d;
    struct cairn_error err;
    enum cairn_status rc = cairn_template_parse((const char *)data, size, &t, &d, &err);
    if (rc != CAIRN_OK && rc != CAIRN_ERR_INVALID)
        abort();
    if (rc == CAIRN_OK) {
        if (d.count != 0 || t.nmeasures == 0 || t.nmeasures > CAIRN_TEMPLATE_MEASURES_MAX ||
            t.nsections == 0 || t.nsections > CAIRN_TEMPLATE_SECTIONS_MAX ||
            t.nladders > CAIRN_TEMPLATE_LADDERS_MAX || t.nchecklist == 0 ||
            t.program.min_hours_per_week > t.program.max_hours_per_week || !*t.program.code)
            abort();
        for (size_t i = 0; i < t.nladders; i++)
            for (size_t j = 0; j < t.ladders[i].nsteps; j++)
                if (t.ladders[i].steps[j].suds > t.ladders[i].scale ||
                    (j > 0 && t.ladders[i].steps[j].suds < t.ladders[i].steps[j - 1].suds))
                    abort();
    } else {
        if (d.count == 0 || d.count > CAIRN_TEMPLATE_DIAGS_MAX || err.line < 1 || err.col < 1)
            abort();
        for (size_t i = 0; i < d.count; i++)
            if (d.items[i].line < 1 || d.items[i].col < 1 || !d.items[i].message[0] ||
                (i > 0 && d.items[i].line < d.items[i - 1].line))
                abort();
    }
    return 0;
}
