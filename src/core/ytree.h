/* A strict YAML loader and the helpers validators build on (internal to
 * src/core: the template and plan parsers share it).
 *
 * ytree_load() drives libyaml's event API and builds a small tree of nodes
 * (scalars keep their text, position and whether they were plain), refusing
 * what cairn's YAML files must not use: anchors, aliases, tags, directives,
 * a second document, duplicate keys, YAML 1.1 booleans, and anything over
 * the caps. The ytree_* getters then check one node each against what a
 * validator expects, and report every problem as a diagnostic with its
 * position and JSON pointer (the walk's path). Pure: no I/O, no globals.
 */
#ifndef CAIRN_YTREE_H
#define CAIRN_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/template.h"

enum ytree_kind { YT_SCALAR, YT_MAP, YT_SEQ };

struct ytree_node {
    enum ytree_kind kind;
    int line, col; /* 1-based, in characters */
    bool plain;    /* an unquoted scalar */
    bool invalid;  /* already reported by the loader: the validator skips it */
    char *text;    /* scalars: NUL-terminated value */
    size_t len;    /* scalars: bytes; collections: entries (pairs for maps) */
    struct ytree_node *child, *last, *next;
};

struct ytree_block;

/* One load: set diags, what ("template", "plan": used in messages), empty
 * (the message for an empty file) and max_scalar (bytes in one value);
 * nodes and scalar text come from the arena, freed at once by ytree_free(). */
struct ytree_loader {
    struct cairn_template_diags *diags;
    const char *what;
    const char *empty;
    size_t max_scalar;
    struct ytree_block *arena;
    bool nomem;
};

/* Parses `len` bytes of text (caps: CAIRN_TEMPLATE_MAX_BYTES, _DEPTH,
 * _ITEMS). Returns the root node, or NULL when nothing sensible can be
 * checked (the reason is in ld->diags, or ld->nomem is set). */
struct ytree_node *ytree_load(struct ytree_loader *ld, const char *text, size_t len);

/* Frees every node of the load. */
void ytree_free(struct ytree_loader *ld);

/* A JSON pointer under construction: components are pushed and popped. */
struct ytree_path {
    char buf[CAIRN_ERROR_POINTER_MAX];
    size_t len;
};

/* Pushes a component (escaped per RFC 6901) and returns the mark to pop to. */
size_t ytree_path_push(struct ytree_path *p, const char *component);
size_t ytree_path_push_index(struct ytree_path *p, size_t i);
void ytree_path_pop(struct ytree_path *p, size_t mark);

/* Appends one diagnostic (sets d->truncated when full). */
void ytree_add_diag(struct cairn_template_diags *d, int line, int col, const char *pointer,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Sorts the diagnostics by position, keeping equal positions in order. */
void ytree_sort_diags(struct cairn_template_diags *d);

/* A validator's walk over the tree: where it is, and where problems go. */
struct ytree_walk {
    struct cairn_template_diags *diags;
    struct ytree_path path;
};

/* Reports a problem at node n, under the walk's current path. */
void ytree_fail(struct ytree_walk *w, const struct ytree_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What a plain scalar means under the YAML 1.2 core schema. */
enum ytree_type { YT_NULL, YT_BOOL, YT_INT, YT_FLOAT, YT_STRING };
enum ytree_type ytree_scalar_type(const struct ytree_node *n);

/* "a mapping", "a list", "a number", "text", … for messages. */
const char *ytree_node_word(const struct ytree_node *n);

/* The value as text for messages: shortened and stripped of controls. */
const char *ytree_shown(const struct ytree_node *n, char *buf, size_t size);

/* The getters: each checks one node, reports what is wrong (returning
 * false) or stores the value. */
bool ytree_want_kind(struct ytree_walk *w, const struct ytree_node *n, enum ytree_kind kind,
                     const char *what);
/* One line of text, 1..max characters, into out (size bytes). */
bool ytree_text(struct ytree_walk *w, const struct ytree_node *n, size_t max, char *out,
                size_t size);
bool ytree_number(struct ytree_walk *w, const struct ytree_node *n, double *out);
bool ytree_int(struct ytree_walk *w, const struct ytree_node *n, int min, int max, int *out);
bool ytree_positive(struct ytree_walk *w, const struct ytree_node *n, double max, double *out);
bool ytree_bool(struct ytree_walk *w, const struct ytree_node *n, bool *out);
bool ytree_enum(struct ytree_walk *w, const struct ytree_node *n, const char *const *names,
                size_t count, const char *what, int *out);

/* Writes "a, b or c" into buf. */
const char *ytree_one_of(const char *const *names, size_t n, char *buf, size_t size);

/* Checks a mapping's keys against `keys`: unknown keys (with a "did you
 * mean" for a likely misspelling) and missing required ones (bit i of
 * `required` for keys[i]) are reported; found[i] is the value of keys[i] or
 * NULL. `reserved` (may be NULL) is a key the caller reports itself. False
 * when map is not a mapping. */
bool ytree_fields_but(struct ytree_walk *w, const struct ytree_node *map, const char *const *keys,
                      size_t nkeys, unsigned required, const struct ytree_node **found,
                      const char *reserved);
bool ytree_fields(struct ytree_walk *w, const struct ytree_node *map, const char *const *keys,
                  size_t nkeys, unsigned required, const struct ytree_node **found);

/* A list of min..max items (`what` names one, for messages). */
bool ytree_list(struct ytree_walk *w, const struct ytree_node *n, size_t min, size_t max,
                const char *what);

/* Calls fn(w, item, i, ctx) for each list item with the path pointing at it. */
void ytree_each(struct ytree_walk *w, const struct ytree_node *list,
                void (*fn)(struct ytree_walk *, const struct ytree_node *, size_t, void *),
                void *ctx);

/* Runs `body` with the path extended by `key`. */
#define YTREE_WITH_KEY(w, key, body)                                                               \
    do {                                                                                           \
        size_t with_key_mark_ = ytree_path_push(&(w)->path, key);                                  \
        body;                                                                                      \
        ytree_path_pop(&(w)->path, with_key_mark_);                                                \
    } while (0)

/* An enum list whose values must be unique: ytree_enum_set() fills out, n
 * and bits. */
struct ytree_enum_list {
    const char *const *names;
    size_t count;
    const char *what;
    int *out;
    size_t n;
    unsigned bits;
};
void ytree_enum_set(struct ytree_walk *w, const struct ytree_node *list, size_t max,
                    const char *singular, struct ytree_enum_list *e);

#endif
