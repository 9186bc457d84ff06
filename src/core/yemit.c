/* Growable strings and a YAML emitter over libyaml (internal to src/core:
 * plans and reviews render their editable YAML with them). */
#include "yemit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ybuf_add(struct ybuf *b, const char *data, size_t n)
{
    if (b->nomem)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->nomem = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ybuf_printf(struct ybuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        ybuf_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ybuf_add(b, big, (size_t)n);
    free(big);
}

enum cairn_status ybuf_take(struct ybuf *b, char **out, struct cairn_error *err)
{
    if (!b->nomem && !b->s)
        ybuf_add(b, "", 0);
    if (b->nomem) {
        free(b->s);
        *out = NULL;
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    }
    *out = b->s;
    return CAIRN_OK;
}

/* --- YAML ------------------------------------------------------------------ */

static int yemit_handler(void *data, unsigned char *bytes, size_t size)
{
    ybuf_add(data, (const char *)bytes, size);
    return 1;
}

void yemit(struct yemitter *em, yaml_event_t *ev, int ok)
{
    if (!ok || em->failed || !yaml_emitter_emit(&em->e, ev))
        em->failed = true;
}

void yemit_scalar(struct yemitter *em, const char *v, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    yemit(em, &ev,
          yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)v, (int)strlen(v), 1, 1,
                                       style));
}

/* Text is always double-quoted, so "true", "12" or "no" stay text. */
void yemit_pair(struct yemitter *em, const char *key, const char *text)
{
    yemit_scalar(em, key, YAML_PLAIN_SCALAR_STYLE);
    yemit_scalar(em, text, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

void yemit_start(struct yemitter *em, bool map, bool flow)
{
    yaml_event_t ev;
    if (map)
        yemit(em, &ev,
              yaml_mapping_start_event_initialize(
                  &ev, NULL, NULL, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
    else
        yemit(em, &ev,
              yaml_sequence_start_event_initialize(
                  &ev, NULL, NULL, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

void yemit_end(struct yemitter *em, bool map)
{
    yaml_event_t ev;
    if (map)
        yemit(em, &ev, yaml_mapping_end_event_initialize(&ev));
    else
        yemit(em, &ev, yaml_sequence_end_event_initialize(&ev));
}

void ycomment_lines(struct ybuf *b, const char *text)
{
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        ybuf_add(b, n ? "# " : "#", n ? 2 : 1);
        ybuf_add(b, line, n);
        ybuf_add(b, "\n", 1);
        line = nl ? nl + 1 : NULL;
    }
}

bool yemit_open(struct yemitter *em, struct ybuf *b)
{
    em->failed = false;
    if (!yaml_emitter_initialize(&em->e))
        return false;
    yaml_emitter_set_output(&em->e, yemit_handler, b);
    yaml_emitter_set_unicode(&em->e, 1);
    yaml_emitter_set_width(&em->e, -1);
    yaml_emitter_set_indent(&em->e, 2);
    yaml_event_t ev;
    yemit(em, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    yemit(em, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    return true;
}

bool yemit_close(struct yemitter *em)
{
    yaml_event_t ev;
    yemit(em, &ev, yaml_document_end_event_initialize(&ev, 1));
    yemit(em, &ev, yaml_stream_end_event_initialize(&ev));
    yaml_emitter_delete(&em->e);
    return !em->failed;
}
