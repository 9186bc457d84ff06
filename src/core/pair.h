/* Private to libcairn: the one way its reads split work between two
 * threads (a whole caseload's report rows, their page count, its alerts).
 */
#ifndef CAIRN_PAIR_H
#define CAIRN_PAIR_H

/* Calls fn(second) on a new thread and fn(first) on this one, and returns
 * when both are done. With second NULL, or when no thread can be started,
 * calls them here one after the other (fn(second) only when not NULL), so
 * the outcome never depends on threads. fn's return value is ignored:
 * each call reports through its own argument. */
void pair_run(void *(*fn)(void *), void *first, void *second);

#endif
