/* Growable strings and a YAML emitter (internal to src/core: plans and
 * reviews render the YAML their editors open with these). Pure: no I/O. */
#ifndef CAIRN_YEMIT_H
#define CAIRN_YEMIT_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "cairn/status.h"

/* A growable NUL-terminated string; nomem is set (and sticks) when memory
 * ran out, so callers check once at the end. Start it zeroed. */
struct ybuf {
    char *s;
    size_t len, cap;
    bool nomem;
};

/* Appends n bytes of data. */
void ybuf_add(struct ybuf *b, const char *data, size_t n);

/* Appends printf-style text. */
void ybuf_printf(struct ybuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hands the string to *out (the caller frees it; "" when nothing was
 * added), or frees it and returns CAIRN_ERR_NOMEM when memory ran out. */
enum cairn_status ybuf_take(struct ybuf *b, char **out, struct cairn_error *err);

/* Appends text as comment lines ("# ..."), one per line of text. */
void ycomment_lines(struct ybuf *b, const char *text);

/* A libyaml emitter writing into a ybuf; failed sticks like ybuf.nomem. */
struct yemitter {
    yaml_emitter_t e;
    bool failed;
};

/* Starts a stream and a document written to b (UTF-8, indent 2, no line
 * wrapping). False when libyaml could not start (nothing to close). */
bool yemit_open(struct yemitter *em, struct ybuf *b);

/* Ends the document and stream and frees the emitter; false when any
 * event failed. */
bool yemit_close(struct yemitter *em);

/* Emits one event initialized by a yaml_*_event_initialize() that returned ok. */
void yemit(struct yemitter *em, yaml_event_t *ev, int ok);

/* A scalar in the given style. */
void yemit_scalar(struct yemitter *em, const char *v, yaml_scalar_style_t style);

/* A plain key and a double-quoted text value, so "true", "12" or "no" stay text. */
void yemit_pair(struct yemitter *em, const char *key, const char *text);

/* Starts a mapping (map) or a sequence, in flow style when flow. */
void yemit_start(struct yemitter *em, bool map, bool flow);

/* Ends the mapping (map) or sequence. */
void yemit_end(struct yemitter *em, bool map);

#endif
