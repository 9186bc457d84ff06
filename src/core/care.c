/* Care rules: pure functions over a patient's care (plan, ladders, reviews). */
#include "cairn/care.h"

#include <string.h>

size_t cairn_care_mastered(const struct cairn_care_ladder *ladder)
{
    size_t n = 0;
    for (size_t i = 0; i < ladder->nsteps; i++)
        n += strcmp(ladder->steps[i].status, "mastered") == 0;
    return n;
}
