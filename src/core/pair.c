#include "pair.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

void pair_run(void *(*fn)(void *), void *first, void *second)
{
    pthread_t thread;
    bool threaded = second && pthread_create(&thread, NULL, fn, second) == 0;
    fn(first);
    if (threaded)
        pthread_join(thread, NULL);
    else if (second)
        fn(second);
}
