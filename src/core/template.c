/* Program templates: a strict YAML loader and the validator of the contract.
 *
 * Two passes. The loader drives libyaml's event API and builds a small tree
 * of nodes (scalars keep their text, position and whether they were plain),
 * refusing what a template must not use: anchors, aliases, tags,
 * directives, a second document, duplicate keys, YAML 1.1 booleans, and
 * anything over the caps. The validator walks that tree against the
 * contract (man/cairn-template.5) and fills struct cairn_template. Both
 * passes collect every problem with its position and JSON pointer; only
 * problems that leave nothing sensible to check (a syntax error, a cap)
 * stop early. Pure: no I/O, no globals.
 */
#include "cairn/template.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "cairn/text.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- names ---------------------------------------------------------------- */

static const char *const instrument_names[] = {
#define CAIRN_X_NAME(code, name) name,
    CAIRN_INSTRUMENT_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const cadence_names[] = {"admission", "week", "two_weeks", "month", "discharge"};
static const char *const section_names[] = {
#define CAIRN_X_NAME(code, name, title) name,
    CAIRN_PLAN_SECTION_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const section_titles[] = {
#define CAIRN_X_NAME(code, name, title) title,
    CAIRN_PLAN_SECTION_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const session_type_names[] = {
#define CAIRN_X_NAME(code, name) name,
    CAIRN_SESSION_TYPE_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const level_names[] = {"asam-1.0", "asam-2.1", "asam-2.5"};
static const char *const population_names[] = {"adult", "adolescent"};

static const char *name_of(const char *const *names, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? names[i] : "";
}

const char *cairn_instrument_str(enum cairn_instrument v)
{
    return name_of(instrument_names, COUNT(instrument_names), (int)v);
}
const char *cairn_cadence_str(enum cairn_cadence v)
{
    return name_of(cadence_names, COUNT(cadence_names), (int)v);
}
const char *cairn_plan_section_str(enum cairn_plan_section v)
{
    return name_of(section_names, COUNT(section_names), (int)v);
}
const char *cairn_plan_section_title(enum cairn_plan_section v)
{
    return name_of(section_titles, COUNT(section_titles), (int)v);
}
const char *cairn_session_type_str(enum cairn_session_type v)
{
    return name_of(session_type_names, COUNT(session_type_names), (int)v);
}

/* --- the tree ------------------------------------------------------------- */

enum kind { K_SCALAR, K_MAP, K_SEQ };

struct node {
    enum kind kind;
    int line, col; /* 1-based, in characters */
    bool plain;    /* an unquoted scalar */
    bool invalid;  /* already reported by the loader: the validator skips it */
    char *text;    /* scalars: NUL-terminated value */
    size_t len;    /* scalars: bytes; collections: entries (pairs for maps) */
    struct node *child, *last, *next;
};

/* Nodes and scalar text come from one arena, freed at once. */
struct block {
    struct block *prev;
    size_t used, size;
    max_align_t data[];
};

struct loader {
    struct cairn_template_diags *diags;
    struct block *arena;
    bool nomem;
};

static void *arena_alloc(struct loader *ld, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct block *b = ld->arena;
    if (!b || b->size - b->used < n) {
        size_t size = n > 65536 ? n : 65536;
        b = malloc(sizeof *b + size);
        if (!b) {
            ld->nomem = true;
            return NULL;
        }
        b->prev = ld->arena;
        b->used = 0;
        b->size = size;
        ld->arena = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

static void arena_free(struct loader *ld)
{
    while (ld->arena) {
        struct block *prev = ld->arena->prev;
        free(ld->arena);
        ld->arena = prev;
    }
}

/* --- diagnostics ---------------------------------------------------------- */

/* A JSON pointer under construction: components are pushed and popped. */
struct path {
    char buf[CAIRN_ERROR_POINTER_MAX];
    size_t len;
};

static size_t path_push(struct path *p, const char *component)
{
    size_t mark = p->len;
    if (p->len + 1 < sizeof p->buf)
        p->buf[p->len++] = '/';
    for (const char *c = component; *c && p->len + 2 < sizeof p->buf; c++) {
        if (*c == '~' || *c == '/') { /* RFC 6901 escapes */
            p->buf[p->len++] = '~';
            p->buf[p->len++] = *c == '~' ? '0' : '1';
        } else {
            p->buf[p->len++] = *c;
        }
    }
    p->buf[p->len] = '\0';
    return mark;
}

static size_t path_push_index(struct path *p, size_t i)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", i);
    return path_push(p, num);
}

static void path_pop(struct path *p, size_t mark)
{
    p->len = mark;
    p->buf[mark] = '\0';
}

static void add_diag(struct cairn_template_diags *d, int line, int col, const char *pointer,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_diag(struct cairn_template_diags *d, int line, int col, const char *pointer,
                     const char *fmt, ...)
{
    if (d->count == CAIRN_TEMPLATE_DIAGS_MAX) {
        d->truncated = true;
        return;
    }
    struct cairn_template_diag *g = &d->items[d->count++];
    g->line = line;
    g->col = col;
    snprintf(g->pointer, sizeof g->pointer, "%s", pointer);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->message, sizeof g->message, fmt, ap);
    va_end(ap);
}

/* Line and column (1-based, in characters) of byte `offset` of `text`. */
static void position_of(const char *text, size_t offset, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset;) {
        unsigned cp;
        size_t n = cairn_utf8_decode(text + i, offset - i, &cp);
        if (text[i] == '\n')
            l++, c = 1;
        else
            c++;
        i += n ? n : 1;
    }
    *line = l;
    *col = c;
}

/* --- pass 1: the loader --------------------------------------------------- */

/* Plain scalars YAML 1.1 read as booleans, which 1.2 reads as text. */
static bool is_yaml11_bool(const char *s)
{
    static const char *const words[] = {"yes", "no", "on", "off", "y", "n"};
    for (size_t i = 0; i < COUNT(words); i++)
        if (strcasecmp(s, words[i]) == 0)
            return strlen(s) > 1; /* y/n are too common as text to refuse */
    return false;
}

struct open {
    struct node *node;
    struct node *pending_key; /* maps: a key waiting for its value */
    size_t mark;              /* path length before this collection's entry */
};

struct load_state {
    struct loader *ld;
    struct path path;
    struct open stack[CAIRN_TEMPLATE_MAX_DEPTH + 1];
    int depth;
    struct node *root;
    int documents;
    bool fatal;
};

static void load_error(struct load_state *s, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void load_error(struct load_state *s, const yaml_mark_t *m, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    add_diag(s->ld->diags, (int)m->line + 1, (int)m->column + 1, s->path.buf, "%s", msg);
}

/* Links `n` into the open collection, checking map keys, duplicates and the
 * entry cap. Sets the path for the entry so errors inside it point there. */
static void attach(struct load_state *s, struct node *n, const yaml_mark_t *m)
{
    if (s->depth == 0) {
        s->root = n;
        return;
    }
    struct open *o = &s->stack[s->depth - 1];
    struct node *parent = o->node;
    bool is_key = parent->kind == K_MAP && !o->pending_key;
    if (is_key || parent->kind == K_SEQ) {
        path_pop(&s->path, o->mark);
        if (parent->len >= CAIRN_TEMPLATE_MAX_ITEMS) {
            if (parent->kind == K_SEQ)
                path_push_index(&s->path, parent->len);
            else if (n->kind == K_SCALAR)
                path_push(&s->path, n->text);
            load_error(s, m, "more than %d entries; a template list or mapping holds at most %d",
                       CAIRN_TEMPLATE_MAX_ITEMS, CAIRN_TEMPLATE_MAX_ITEMS);
            s->fatal = true;
            return;
        }
    }
    if (is_key) {
        if (n->kind != K_SCALAR) {
            load_error(s, m, "a key must be plain text, not a %s",
                       n->kind == K_MAP ? "mapping" : "list");
            s->fatal = true;
            return;
        }
        path_push(&s->path, n->text);
        for (struct node *k = parent->child; k && !n->invalid; k = k->next->next)
            if (strcmp(k->text, n->text) == 0) {
                load_error(s, m, "duplicate key '%s' (first at line %d)", n->text, k->line);
                n->invalid = true;
            }
        o->pending_key = n;
        parent->len++;
    } else if (parent->kind == K_MAP) {
        o->pending_key = NULL;
    } else {
        path_push_index(&s->path, parent->len);
        parent->len++;
    }
    if (parent->last)
        parent->last->next = n;
    else
        parent->child = n;
    parent->last = n;
}

static struct node *new_node(struct load_state *s, enum kind kind, const yaml_mark_t *m)
{
    struct node *n = arena_alloc(s->ld, sizeof *n);
    if (n) {
        n->kind = kind;
        n->line = (int)m->line + 1;
        n->col = (int)m->column + 1;
    }
    return n;
}

/* Refuses anchors and tags on a scalar or collection. */
static void check_properties(struct load_state *s, struct node *n, const yaml_mark_t *m,
                             const yaml_char_t *anchor, const yaml_char_t *tag)
{
    if (anchor) {
        load_error(s, m, "anchors (&%.40s) are not allowed: write the value out", anchor);
        n->invalid = true;
    }
    if (tag) {
        static const char core[] = "tag:yaml.org,2002:";
        const char *shown_tag = (const char *)tag;
        bool is_core = strncmp(shown_tag, core, sizeof core - 1) == 0;
        load_error(s, m, "tags (%s%.40s) are not allowed", is_core ? "!!" : "",
                   is_core ? shown_tag + sizeof core - 1 : shown_tag);
        n->invalid = true;
    }
}

static void on_event(struct load_state *s, yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    struct node *n;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (s->documents++ > 0) {
            load_error(s, m, "a second document: a template file holds exactly one");
            s->fatal = true;
        } else if (ev->data.document_start.version_directive ||
                   ev->data.document_start.tag_directives.start !=
                       ev->data.document_start.tag_directives.end) {
            load_error(s, m, "directives (%%YAML, %%TAG) are not allowed");
        }
        break;
    case YAML_ALIAS_EVENT:
        if (!(n = new_node(s, K_SCALAR, m)))
            return;
        n->text = "";
        n->invalid = true;
        attach(s, n, m);
        load_error(s, m, "aliases (*%.40s) are not allowed: write the value out",
                   ev->data.alias.anchor);
        break;
    case YAML_SCALAR_EVENT: {
        if (!(n = new_node(s, K_SCALAR, m)))
            return;
        n->len = ev->data.scalar.length;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        bool too_long = n->len > CAIRN_TEMPLATE_MAX_SCALAR;
        if (too_long) {
            n->text = "";
            n->invalid = true;
        } else {
            if (!(n->text = arena_alloc(s->ld, n->len + 1)))
                return;
            memcpy(n->text, ev->data.scalar.value, n->len);
        }
        attach(s, n, m); /* first, so errors below point at this value */
        if (s->fatal)
            return;
        check_properties(s, n, m, ev->data.scalar.anchor, ev->data.scalar.tag);
        if (too_long) {
            load_error(s, m, "text of %zu bytes; a template value is at most %d", n->len,
                       CAIRN_TEMPLATE_MAX_SCALAR);
            n->len = 0;
        } else if (memchr(n->text, '\0', n->len)) {
            load_error(s, m, "text holds a NUL character");
            n->invalid = true;
        } else if (n->plain && is_yaml11_bool(n->text)) {
            load_error(s, m,
                       "'%s' is a YAML 1.1 boolean: write true or false, or quote it if you "
                       "mean text",
                       n->text);
            n->invalid = true;
        }
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool map = ev->type == YAML_MAPPING_START_EVENT;
        if (!(n = new_node(s, map ? K_MAP : K_SEQ, m)))
            return;
        attach(s, n, m);
        if (s->fatal)
            return;
        if (s->depth == CAIRN_TEMPLATE_MAX_DEPTH) {
            load_error(s, m, "nested more than %d levels deep", CAIRN_TEMPLATE_MAX_DEPTH);
            s->fatal = true;
            return;
        }
        if (map)
            check_properties(s, n, m, ev->data.mapping_start.anchor, ev->data.mapping_start.tag);
        else
            check_properties(s, n, m, ev->data.sequence_start.anchor, ev->data.sequence_start.tag);
        s->stack[s->depth++] = (struct open){.node = n, .mark = s->path.len};
        break;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (s->depth > 0) {
            struct open *o = &s->stack[--s->depth];
            path_pop(&s->path, o->mark);
        }
        break;
    default:
        break;
    }
}

/* Reports a libyaml error in words a program director can act on. */
static void syntax_error(struct load_state *s, const yaml_parser_t *p, const char *text, size_t len)
{
    yaml_mark_t m = p->problem_mark;
    const char *problem = p->problem ? p->problem : "cannot be read as YAML";
    size_t at = 0; /* libyaml counts the index in characters: find the byte */
    for (size_t chars = 0; at < len && chars < m.index; chars++) {
        unsigned cp;
        at += cairn_utf8_decode(text + at, len - at, &cp);
    }
    if (at < len && text[at] == '\t') {
        load_error(s, &m, "a tab character: YAML is indented with spaces only");
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        position_of(text, p->problem_offset < len ? p->problem_offset : len, &line, &col);
        add_diag(s->ld->diags, line, col, s->path.buf, "%s", problem);
        return;
    }
    if (p->context)
        load_error(s, &m, "%s %s (which started at line %zu, column %zu)", problem, p->context,
                   p->context_mark.line + 1, p->context_mark.column + 1);
    else
        load_error(s, &m, "%s", problem);
}

static struct node *load(struct loader *ld, const char *text, size_t len)
{
    struct load_state s = {.ld = ld};
    if (len > CAIRN_TEMPLATE_MAX_BYTES) {
        add_diag(ld->diags, 1, 1, "",
                 "the file is over %d bytes (%d KiB), the most a template may be",
                 CAIRN_TEMPLATE_MAX_BYTES, CAIRN_TEMPLATE_MAX_BYTES / 1024);
        return NULL;
    }
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = cairn_utf8_decode(text + i, len - i, &cp);
        if (cp == 0xFFFD && !(n == 3 && memcmp(text + i, "\xEF\xBF\xBD", 3) == 0)) {
            int line, col;
            position_of(text, i, &line, &col);
            add_diag(ld->diags, line, col, "",
                     "invalid UTF-8 (byte 0x%02X): a template must be UTF-8 text",
                     (unsigned char)text[i]);
            return NULL;
        }
        i += n;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        ld->nomem = true;
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    for (bool done = false; !done && !s.fatal && !ld->nomem;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_MEMORY_ERROR)
                ld->nomem = true;
            else
                syntax_error(&s, &parser, text, len);
            s.fatal = true;
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        on_event(&s, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (s.fatal || ld->nomem)
        return NULL;
    if (!s.root) {
        add_diag(ld->diags, 1, 1, "",
                 "the file is empty: a template is a mapping with keys such as template, "
                 "name and schedule");
        return NULL;
    }
    return s.root;
}

/* --- pass 2: the validator ------------------------------------------------ */

struct walk {
    struct cairn_template_diags *diags;
    struct path path;
};

static void fail(struct walk *w, const struct node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct walk *w, const struct node *n, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    add_diag(w->diags, n->line, n->col, w->path.buf, "%s", msg);
}

enum scalar_type { T_NULL, T_BOOL, T_INT, T_FLOAT, T_STRING };

static bool all_digits(const char *s, const char *digits)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr(digits, *s))
            return false;
    return true;
}

/* What a plain scalar means under the YAML 1.2 core schema. */
static enum scalar_type scalar_type(const struct node *n)
{
    const char *s = n->text;
    if (!n->plain)
        return T_STRING;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return T_NULL;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "false") ||
        !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return T_BOOL;
    const char *d = s + (*s == '-' || *s == '+');
    if (all_digits(d, "0123456789") || (!strncmp(s, "0o", 2) && all_digits(s + 2, "01234567")) ||
        (!strncmp(s, "0x", 2) && all_digits(s + 2, "0123456789abcdefABCDEF")))
        return T_INT;
    static const char *const special[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    for (size_t i = 0; i < COUNT(special); i++)
        if (!strcmp(d, special[i]) && (i < 3 || d == s))
            return T_FLOAT;
    /* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
    const char *p = d;
    size_t mant = 0;
    while (*p >= '0' && *p <= '9')
        p++, mant++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, mant++;
    }
    if (mant == 0)
        return T_STRING;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return T_STRING;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p ? T_STRING : T_FLOAT;
}

static const char *type_word(enum scalar_type t)
{
    static const char *const words[] = {"nothing (null)", "a boolean", "a number", "a number",
                                        "text"};
    return words[t];
}

static const char *node_word(const struct node *n)
{
    return n->kind == K_MAP ? "a mapping" : n->kind == K_SEQ ? "a list" : type_word(scalar_type(n));
}

/* The value as text, for messages: shortened and stripped of controls. */
static const char *shown(const struct node *n, char *buf, size_t size)
{
    cairn_text_fit(n->text, 40, buf, size);
    return buf;
}

static bool want_kind(struct walk *w, const struct node *n, enum kind kind, const char *what)
{
    if (n->invalid)
        return false;
    if (n->kind != kind) {
        fail(w, n, "expected %s, got %s", what, node_word(n));
        return false;
    }
    return true;
}

/* Unicode white space that is not a control character (what JSON Schema's
 * \S, an ECMAScript class, counts as space). */
static bool is_space(unsigned cp)
{
    return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
           cp == 0xFEFF;
}

/* One line of text, 1..max characters. */
static bool get_text(struct walk *w, const struct node *n, size_t max, char *out, size_t size)
{
    if (!want_kind(w, n, K_SCALAR, "text"))
        return false;
    enum scalar_type t = scalar_type(n);
    if (t != T_STRING) {
        if (t == T_NULL)
            fail(w, n, "expected text, got nothing");
        else
            fail(w, n, "expected text, got %s: put it in quotes if you mean text", type_word(t));
        return false;
    }
    size_t chars = 0;
    bool blank = true;
    for (size_t i = 0; i < n->len;) {
        unsigned cp;
        i += cairn_utf8_decode(n->text + i, n->len - i, &cp);
        if (cp < 0x20 || cp == 0x7F) {
            fail(w, n, "must be one line of text without control characters");
            return false;
        }
        if (!is_space(cp))
            blank = false;
        chars++;
    }
    if (blank) {
        fail(w, n, "must not be blank");
        return false;
    }
    if (chars > max) {
        fail(w, n, "is %zu characters long; at most %zu", chars, max);
        return false;
    }
    if (n->len >= size) { /* cannot happen: size covers max characters of UTF-8 */
        fail(w, n, "is too long");
        return false;
    }
    memcpy(out, n->text, n->len + 1);
    return true;
}

/* The value of a scalar scalar_type() calls T_INT or T_FLOAT (not .inf or
 * .nan), whatever the C locale's decimal point: strtod() would read "1.5"
 * as 1 under a locale that writes 1,5. */
static double parse_number(const char *s)
{
    double sign = *s == '-' ? -1 : 1;
    s += *s == '-' || *s == '+';
    if (s[0] == '0' && (s[1] == 'o' || s[1] == 'x'))
        return sign * (double)strtoll(s + 2, NULL, s[1] == 'o' ? 8 : 16);
    double v = 0, scale = 1;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            v += (*s - '0') * (scale /= 10);
    if (*s == 'e' || *s == 'E') {
        s++;
        int esign = *s == '-' ? -1 : 1;
        s += *s == '-' || *s == '+';
        long e = 0;
        for (; *s >= '0' && *s <= '9' && e < 100000; s++)
            e = e * 10 + (*s - '0');
        v *= pow(10, (double)(esign * e));
    }
    return sign * v;
}

static bool get_number(struct walk *w, const struct node *n, double *out)
{
    char buf[64];
    if (!want_kind(w, n, K_SCALAR, "a number"))
        return false;
    enum scalar_type t = scalar_type(n);
    if (t != T_INT && t != T_FLOAT) {
        if (t == T_STRING)
            fail(w, n, "expected a number, got text '%s'", shown(n, buf, sizeof buf));
        else
            fail(w, n, "expected a number, got %s", type_word(t));
        return false;
    }
    const char *digits = n->text + strspn(n->text, "+-");
    if (t == T_FLOAT && digits[0] == '.' && strchr("iInN", digits[1])) { /* .inf, .nan */
        fail(w, n, "expected a finite number, got %s", n->text);
        return false;
    }
    double v = parse_number(n->text);
    if (!isfinite(v)) {
        fail(w, n, "expected a finite number, got %s", n->text);
        return false;
    }
    *out = v;
    return true;
}

static bool get_int(struct walk *w, const struct node *n, int min, int max, int *out)
{
    double v;
    if (!get_number(w, n, &v))
        return false;
    if (v != floor(v)) {
        fail(w, n, "expected a whole number, got %s", n->text);
        return false;
    }
    if (v < min || v > max) {
        fail(w, n, "must be %d to %d, got %s", min, max, n->text);
        return false;
    }
    *out = (int)v;
    return true;
}

/* A number with 0 < value <= max. */
static bool get_positive(struct walk *w, const struct node *n, double max, double *out)
{
    double v;
    if (!get_number(w, n, &v))
        return false;
    if (!(v > 0) || v > max) {
        fail(w, n, "must be more than 0 and at most %g, got %s", max, n->text);
        return false;
    }
    *out = v;
    return true;
}

static bool get_bool(struct walk *w, const struct node *n, bool *out)
{
    if (!want_kind(w, n, K_SCALAR, "true or false"))
        return false;
    if (scalar_type(n) != T_BOOL) {
        fail(w, n, "expected true or false, got %s", node_word(n));
        return false;
    }
    *out = n->text[0] == 't' || n->text[0] == 'T';
    return true;
}

/* Writes "a, b or c" into buf. */
static const char *one_of(const char *const *names, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                 i == 0       ? ""
                                 : i + 1 == n ? " or "
                                              : ", ",
                                 names[i]);
    return buf;
}

static bool get_enum(struct walk *w, const struct node *n, const char *const *names, size_t count,
                     const char *what, int *out)
{
    char value[64], list[512];
    if (!want_kind(w, n, K_SCALAR, what))
        return false;
    if (scalar_type(n) == T_STRING || scalar_type(n) == T_INT || scalar_type(n) == T_FLOAT)
        for (size_t i = 0; i < count; i++)
            if (!strcmp(n->text, names[i])) {
                *out = (int)i;
                return true;
            }
    if (scalar_type(n) == T_NULL)
        fail(w, n, "expected %s (%s), got nothing", what, one_of(names, count, list, sizeof list));
    else
        fail(w, n, "unknown %s '%s' (expected %s)", what, shown(n, value, sizeof value),
             one_of(names, count, list, sizeof list));
    return false;
}

/* True when `a` is a likely misspelling of `b`: at most two single-character
 * edits (insert, delete, substitute or swap two neighbours) apart. */
static bool close_words(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40 || (la > lb ? la - lb : lb - la) > 2)
        return false;
    unsigned d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb] <= 2 && d[la][lb] < lb;
}

/* Checks a mapping's keys against `keys`: unknown keys and missing required
 * ones are reported; found[i] is the value of keys[i] or NULL. `reserved`
 * (may be NULL) is a key the caller reports itself. */
static bool get_fields_but(struct walk *w, const struct node *map, const char *const *keys,
                           size_t nkeys, unsigned required, const struct node **found,
                           const char *reserved)
{
    for (size_t i = 0; i < nkeys; i++)
        found[i] = NULL;
    if (!want_kind(w, map, K_MAP, "a mapping"))
        return false;
    unsigned suggested = 0; /* keys offered for a misspelling: not also reported missing */
    for (const struct node *k = map->child; k && k->next; k = k->next->next) {
        if (k->invalid || (reserved && !strcmp(k->text, reserved)))
            continue;
        size_t i = 0;
        while (i < nkeys && strcmp(keys[i], k->text) != 0)
            i++;
        if (i < nkeys) {
            found[i] = k->next;
            continue;
        }
        char list[512], value[64];
        size_t mark = path_push(&w->path, k->text), near = nkeys;
        for (size_t j = 0; j < nkeys && near == nkeys; j++)
            if (close_words(k->text, keys[j]))
                near = j;
        if (near < nkeys) {
            suggested |= 1u << near;
            fail(w, k, "unknown key '%s': did you mean '%s'?", shown(k, value, sizeof value),
                 keys[near]);
        } else {
            fail(w, k, "unknown key '%s' (expected %s)", shown(k, value, sizeof value),
                 one_of(keys, nkeys, list, sizeof list));
        }
        path_pop(&w->path, mark);
    }
    /* Every missing key in one message: they share the mapping's position. */
    char missing[512] = "";
    size_t nmissing = 0, used = 0;
    for (size_t i = 0; i < nkeys; i++)
        if ((required & (1u << i)) && !found[i] && !(suggested & (1u << i)) &&
            used < sizeof missing) {
            used += (size_t)snprintf(missing + used, sizeof missing - used, "%s'%s'",
                                     nmissing ? ", " : "", keys[i]);
            nmissing++;
        }
    if (nmissing)
        fail(w, map, "missing required key%s %s", nmissing > 1 ? "s" : "", missing);
    return true;
}

/* get_fields_but() with no reserved key. */
static bool get_fields(struct walk *w, const struct node *map, const char *const *keys,
                       size_t nkeys, unsigned required, const struct node **found)
{
    return get_fields_but(w, map, keys, nkeys, required, found, NULL);
}

static bool get_list(struct walk *w, const struct node *n, size_t min, size_t max, const char *what)
{
    if (!want_kind(w, n, K_SEQ, "a list"))
        return false;
    if (n->len < min) {
        fail(w, n, "must not be empty: list at least one %s", what);
        return false;
    }
    if (n->len > max) {
        fail(w, n, "lists %zu items; at most %zu %ss", n->len, max, what);
        return false;
    }
    return true;
}

/* Calls fn(w, item, i, ctx) for each list item with the path pointing at it. */
static void each_item(struct walk *w, const struct node *list,
                      void (*fn)(struct walk *, const struct node *, size_t, void *), void *ctx)
{
    size_t i = 0;
    for (const struct node *item = list->child; item; item = item->next, i++) {
        size_t mark = path_push_index(&w->path, i);
        fn(w, item, i, ctx);
        path_pop(&w->path, mark);
    }
}

/* Runs `body` with the path extended by `key`. */
#define WITH_KEY(w, key, body)                                                                     \
    do {                                                                                           \
        size_t with_key_mark_ = path_push(&(w)->path, key);                                        \
        body;                                                                                      \
        path_pop(&(w)->path, with_key_mark_);                                                      \
    } while (0)

struct enum_list {
    const char *const *names;
    size_t count;
    const char *what;
    int *out;
    size_t n;
    unsigned bits;
};

static void enum_item(struct walk *w, const struct node *item, size_t i, void *ctx)
{
    struct enum_list *e = ctx;
    int v;
    (void)i;
    if (!get_enum(w, item, e->names, e->count, e->what, &v))
        return;
    if (e->bits & (1u << v)) {
        fail(w, item, "'%s' is listed twice", e->names[v]);
        return;
    }
    e->bits |= 1u << v;
    e->out[e->n++] = v;
}

/* An enum list whose values must be unique: fills e->out, e->n, e->bits. */
static void get_enum_list(struct walk *w, const struct node *list, size_t max, const char *singular,
                          struct enum_list *e)
{
    if (get_list(w, list, 1, max, singular))
        each_item(w, list, enum_item, e);
}

static void walk_schedule(struct walk *w, const struct node *map, struct cairn_template *t,
                          bool *max_given, const struct node **at)
{
    static const char *const keys[] = {"sessions_per_week",  "hours_per_session",
                                       "min_hours_per_week", "max_hours_per_week",
                                       "min_days_per_week",  "length_weeks"};
    const struct node *f[COUNT(keys)];
    struct cairn_program *p = &t->program;
    if (!get_fields(w, map, keys, COUNT(keys), 1u << 0 | 1u << 1 | 1u << 2 | 1u << 5, f))
        return;
    for (size_t i = 0; i < COUNT(keys); i++)
        at[i] = f[i];
    if (f[0])
        WITH_KEY(w, keys[0], if (!get_int(w, f[0], 1, 14, &p->sessions_per_week)) at[0] = NULL);
    if (f[1])
        WITH_KEY(w, keys[1], if (!get_positive(w, f[1], 8, &t->hours_per_session)) at[1] = NULL);
    if (f[2])
        WITH_KEY(w, keys[2], if (!get_positive(w, f[2], 40, &p->min_hours_per_week)) at[2] = NULL);
    if (f[3])
        WITH_KEY(w, keys[3], if (!get_positive(w, f[3], 40, &p->max_hours_per_week)) at[3] = NULL);
    *max_given = f[3] != NULL;
    if (f[4])
        WITH_KEY(w, keys[4], if (!get_int(w, f[4], 1, 7, &p->min_days_per_week)) at[4] = NULL);
    if (f[5])
        WITH_KEY(w, keys[5], if (!get_int(w, f[5], 1, 52, &p->length_weeks)) at[5] = NULL);
    /* The default day minimum never asks for more days than there are sessions. */
    if (!f[4] && at[0] && p->sessions_per_week < p->min_days_per_week)
        p->min_days_per_week = p->sessions_per_week;
}

static void measure_item(struct walk *w, const struct node *item, size_t i, void *ctx)
{
    static const char *const keys[] = {"instrument", "every"};
    struct cairn_template *t = ctx;
    const struct node *f[2];
    int instrument = -1, every = -1;
    (void)i;
    if (!get_fields(w, item, keys, 2, 3u, f))
        return;
    if (f[0])
        WITH_KEY(w, "instrument",
                 get_enum(w, f[0], instrument_names, COUNT(instrument_names), "instrument",
                          &instrument));
    if (f[1])
        WITH_KEY(w, "every",
                 get_enum(w, f[1], cadence_names, COUNT(cadence_names), "cadence", &every));
    if (instrument < 0 || every < 0)
        return;
    for (size_t j = 0; j < t->nmeasures; j++)
        if (t->measures[j].instrument == (enum cairn_instrument)instrument &&
            t->measures[j].every == (enum cairn_cadence)every) {
            fail(w, item, "%s every %s is listed twice (/measures/%zu)",
                 instrument_names[instrument], cadence_names[every], j);
            return;
        }
    t->measures[t->nmeasures++] = (struct cairn_template_measure){(enum cairn_instrument)instrument,
                                                                  (enum cairn_cadence)every};
}

struct step_state {
    struct cairn_template_ladder *ladder;
    bool scaled; /* the ladder's scale is known */
    int prev;    /* SUDS of the last valid step, -1 before the first */
};

static void step_item(struct walk *w, const struct node *item, size_t i, void *ctx)
{
    static const char *const keys[] = {"text", "suds"};
    struct step_state *st = ctx;
    struct cairn_template_ladder *l = st->ladder;
    const struct node *f[2];
    struct cairn_template_step step = {.suds = -1};
    bool text_ok = false;
    (void)i;
    if (!get_fields(w, item, keys, 2, 3u, f))
        return;
    if (f[0])
        WITH_KEY(w, "text", text_ok = get_text(w, f[0], 200, step.text, sizeof step.text));
    if (f[1]) {
        size_t mark = path_push(&w->path, "suds");
        if (!get_int(w, f[1], 0, 100, &step.suds)) {
            step.suds = -1;
        } else if (st->scaled && step.suds > l->scale) {
            fail(w, f[1], "must be 0 to %d on this ladder's 0-%d scale, got %d", l->scale, l->scale,
                 step.suds);
            step.suds = -1;
        } else if (step.suds < st->prev) {
            fail(w, f[1], "is %d, below the step before (%d): steps go from least to most feared",
                 step.suds, st->prev);
        }
        path_pop(&w->path, mark);
    }
    if (step.suds >= 0)
        st->prev = step.suds;
    if (text_ok && step.suds >= 0)
        l->steps[l->nsteps++] = step;
}

/* Fills *l; returns the node of its valid name, or NULL. */
static const struct node *walk_ladder(struct walk *w, const struct node *map,
                                      struct cairn_template_ladder *l)
{
    static const char *const keys[] = {"name", "target", "scale", "steps"};
    const struct node *f[COUNT(keys)];
    struct step_state st = {.ladder = l, .scaled = true, .prev = -1};
    bool named = false;
    l->scale = 100;
    if (!get_fields(w, map, keys, COUNT(keys), 1u << 0 | 1u << 3, f))
        return NULL;
    if (f[0])
        WITH_KEY(w, "name", named = get_text(w, f[0], 100, l->name, sizeof l->name));
    if (f[1])
        WITH_KEY(w, "target", get_text(w, f[1], 200, l->target, sizeof l->target));
    if (f[2]) {
        size_t mark = path_push(&w->path, "scale");
        int v;
        st.scaled = get_int(w, f[2], 10, 100, &v);
        if (st.scaled && v != 10 && v != 100) {
            fail(w, f[2], "must be 10 (SUDS 0-10) or 100 (SUDS 0-100), got %d", v);
            st.scaled = false;
        }
        if (st.scaled)
            l->scale = v;
        path_pop(&w->path, mark);
    }
    if (f[3]) {
        size_t mark = path_push(&w->path, "steps");
        if (get_list(w, f[3], 1, CAIRN_TEMPLATE_STEPS_MAX, "step"))
            each_item(w, f[3], step_item, &st);
        path_pop(&w->path, mark);
    }
    return named ? f[0] : NULL;
}

static void ladder_item(struct walk *w, const struct node *item, size_t i, void *ctx)
{
    struct cairn_template *t = ctx;
    struct cairn_template_ladder *l = &t->ladders[t->nladders];
    (void)i;
    memset(l, 0, sizeof *l);
    const struct node *name = walk_ladder(w, item, l);
    if (!name)
        return;
    for (size_t j = 0; j < t->nladders; j++)
        if (!strcmp(t->ladders[j].name, l->name)) {
            WITH_KEY(w, "name",
                     fail(w, name, "another ladder is already named this (/ladders/%zu)", j));
            return;
        }
    t->nladders++;
}

static void walk_mastery(struct walk *w, const struct node *map, struct cairn_mastery_rule *m)
{
    static const char *const keys[] = {"peak_suds_at_most", "consecutive", "or_drop_percent"};
    const struct node *f[COUNT(keys)];
    if (!get_fields(w, map, keys, COUNT(keys), 0, f))
        return;
    if (f[0])
        WITH_KEY(w, keys[0], get_int(w, f[0], 0, 100, &m->peak_suds_at_most));
    if (f[1])
        WITH_KEY(w, keys[1], get_int(w, f[1], 1, 5, &m->consecutive));
    if (f[2])
        WITH_KEY(w, keys[2], get_int(w, f[2], 0, 100, &m->or_drop_percent));
}

static void walk_alerts(struct walk *w, const struct node *map, struct cairn_alert_thresholds *a)
{
    static const char *const keys[] = {"phq9_rise", "gad7_rise", "absences_per_week",
                                       "ladder_stall_days", "discharge_planning_days"};
    static const int max[] = {27, 21, 7, 90, 60};
    int *fields[] = {&a->phq9_rise, &a->gad7_rise, &a->absences_per_week, &a->ladder_stall_days,
                     &a->discharge_planning_days};
    const struct node *f[COUNT(keys)];
    if (!get_fields(w, map, keys, COUNT(keys), 0, f))
        return;
    for (size_t i = 0; i < COUNT(keys); i++)
        if (f[i])
            WITH_KEY(w, keys[i], get_int(w, f[i], 1, max[i], fields[i]));
}

static void checklist_item(struct walk *w, const struct node *item, size_t i, void *ctx)
{
    struct cairn_template *t = ctx;
    char *out = t->checklist[t->nchecklist];
    (void)i;
    if (!get_text(w, item, 200, out, sizeof t->checklist[0]))
        return;
    for (size_t j = 0; j < t->nchecklist; j++)
        if (!strcmp(t->checklist[j], out)) {
            fail(w, item, "this item is listed twice (/review_checklist/%zu)", j);
            return;
        }
    t->nchecklist++;
}

/* Cross-field rules, checked once every field they need is valid. */
static void check_schedule(struct walk *w, struct cairn_template *t, bool max_given,
                           const struct node **at, bool level_ok, bool population_ok)
{
    struct cairn_program *p = &t->program;
    size_t mark = path_push(&w->path, "schedule");
    bool asam21 = level_ok && !strcmp(p->level_of_care, "asam-2.1");
    bool adult = !strcmp(p->population, "adult");
    if (at[2] && asam21 && population_ok && p->min_hours_per_week < (adult ? 9 : 6))
        WITH_KEY(w, "min_hours_per_week",
                 fail(w, at[2], "must be at least %d: ASAM level 2.1 for %ss is %d-19 hours a week",
                      adult ? 9 : 6, p->population, adult ? 9 : 6));
    else if (at[3] && asam21 && p->max_hours_per_week > 19)
        WITH_KEY(w, "max_hours_per_week",
                 fail(w, at[3], "must be at most 19: ASAM level 2.1 is under 20 hours a week"));
    else if (at[2] && (at[3] || !max_given) && p->min_hours_per_week > p->max_hours_per_week)
        WITH_KEY(w, "min_hours_per_week",
                 fail(w, at[2], "is %g, above max_hours_per_week %g%s", p->min_hours_per_week,
                      p->max_hours_per_week, max_given ? "" : " (the default)"));
    else if (at[0] && at[4] && p->min_days_per_week > p->sessions_per_week)
        WITH_KEY(w, "min_days_per_week",
                 fail(w, at[4],
                      "is %d, more than the %d sessions a week: no patient could "
                      "attend on that many days",
                      p->min_days_per_week, p->sessions_per_week));
    else if (at[0] && at[1] && at[2] &&
             p->sessions_per_week * t->hours_per_session < p->min_hours_per_week)
        WITH_KEY(w, "min_hours_per_week",
                 fail(w, at[2], "is %g, but %d sessions of %g hours give only %g hours a week",
                      p->min_hours_per_week, p->sessions_per_week, t->hours_per_session,
                      p->sessions_per_week * t->hours_per_session));
    path_pop(&w->path, mark);
}

static void validate(struct walk *w, const struct node *root, struct cairn_template *t)
{
    static const char *const keys[] = {
        "template",         "name",     "level_of_care", "population", "schedule",
        "session_types",    "measures", "plan_sections", "ladders",    "mastery",
        "review_checklist", "alerts",   "crisis_line",   "lapse_log",  "version"};
    enum {
        K_TEMPLATE,
        K_NAME,
        K_LEVEL,
        K_POPULATION,
        K_SCHEDULE,
        K_SESSION_TYPES,
        K_MEASURES,
        K_SECTIONS,
        K_LADDERS,
        K_MASTERY,
        K_CHECKLIST,
        K_ALERTS,
        K_CRISIS,
        K_LAPSE,
        K_VERSION
    };
    const unsigned required = 1u << K_TEMPLATE | 1u << K_NAME | 1u << K_LEVEL | 1u << K_POPULATION |
                              1u << K_SCHEDULE | 1u << K_MEASURES | 1u << K_SECTIONS |
                              1u << K_CHECKLIST;
    const struct node *f[COUNT(keys)];
    struct cairn_program *p = &t->program;
    if (root->kind != K_MAP) {
        fail(w, root, "expected a mapping with keys such as template, name and schedule, got %s",
             node_word(root));
        return;
    }
    get_fields_but(w, root, keys, COUNT(keys) - 1, required, f, "version");
    for (const struct node *k = root->child; k && k->next; k = k->next->next)
        if (!k->invalid && !strcmp(k->text, "version"))
            WITH_KEY(w, "version",
                     fail(w, k,
                          "remove this key: cairn template import numbers versions itself (an "
                          "identical file keeps its version, a changed one gets the next)"));

    if (f[K_TEMPLATE])
        WITH_KEY(w, "template", {
            char code[CAIRN_TEMPLATE_TEXT_BYTES];
            if (get_text(w, f[K_TEMPLATE], CAIRN_PROGRAM_CODE_MAX, code, sizeof code)) {
                bool good =
                    (code[0] >= 'a' && code[0] <= 'z') || (code[0] >= '0' && code[0] <= '9');
                for (const char *c = code; *c; c++)
                    good &= (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-';
                if (good)
                    memcpy(p->code, code, strlen(code) + 1);
                else
                    fail(w, f[K_TEMPLATE],
                         "a program code is lower-case letters, digits and '-', starting with "
                         "a letter or digit");
            }
        });
    if (f[K_NAME])
        WITH_KEY(w, "name", get_text(w, f[K_NAME], 200, p->name, sizeof p->name));
    int level = -1, population = -1;
    if (f[K_LEVEL])
        WITH_KEY(w, "level_of_care", {
            if (get_enum(w, f[K_LEVEL], level_names, COUNT(level_names), "level of care", &level))
                snprintf(p->level_of_care, sizeof p->level_of_care, "%s", level_names[level]);
        });
    if (f[K_POPULATION])
        WITH_KEY(w, "population", {
            if (get_enum(w, f[K_POPULATION], population_names, COUNT(population_names),
                         "population", &population))
                snprintf(p->population, sizeof p->population, "%s", population_names[population]);
        });
    bool max_given = false;
    const struct node *at[6] = {0};
    if (f[K_SCHEDULE]) {
        WITH_KEY(w, "schedule", walk_schedule(w, f[K_SCHEDULE], t, &max_given, at));
        check_schedule(w, t, max_given, at, level >= 0, population >= 0);
    }
    if (f[K_SESSION_TYPES]) {
        int types[CAIRN_SESSION_TYPE__COUNT];
        struct enum_list e = {
            session_type_names, COUNT(session_type_names), "session type", types, 0, 0};
        WITH_KEY(
            w, "session_types",
            get_enum_list(w, f[K_SESSION_TYPES], CAIRN_SESSION_TYPE__COUNT, "session type", &e));
        if (e.n)
            t->session_types = e.bits;
    }
    if (f[K_MEASURES])
        WITH_KEY(w, "measures", {
            if (get_list(w, f[K_MEASURES], 1, CAIRN_TEMPLATE_MEASURES_MAX, "measure"))
                each_item(w, f[K_MEASURES], measure_item, t);
        });
    if (f[K_SECTIONS]) {
        int sections[CAIRN_SECTION__COUNT];
        struct enum_list e = {section_names, COUNT(section_names), "plan section", sections, 0, 0};
        WITH_KEY(w, "plan_sections",
                 get_enum_list(w, f[K_SECTIONS], CAIRN_TEMPLATE_SECTIONS_MAX, "section", &e));
        t->nsections = e.n;
        for (size_t i = 0; i < e.n; i++)
            t->sections[i] = (enum cairn_plan_section)sections[i];
    }
    if (f[K_LADDERS])
        WITH_KEY(w, "ladders", {
            if (get_list(w, f[K_LADDERS], 0, CAIRN_TEMPLATE_LADDERS_MAX, "ladder"))
                each_item(w, f[K_LADDERS], ladder_item, t);
        });
    if (f[K_MASTERY])
        WITH_KEY(w, "mastery", walk_mastery(w, f[K_MASTERY], &t->mastery));
    if (f[K_CHECKLIST])
        WITH_KEY(w, "review_checklist", {
            if (get_list(w, f[K_CHECKLIST], 1, CAIRN_TEMPLATE_CHECKLIST_MAX, "checklist item"))
                each_item(w, f[K_CHECKLIST], checklist_item, t);
        });
    if (f[K_ALERTS])
        WITH_KEY(w, "alerts", walk_alerts(w, f[K_ALERTS], &t->alerts));
    if (f[K_CRISIS])
        WITH_KEY(w, "crisis_line",
                 get_text(w, f[K_CRISIS], 40, t->crisis_line, sizeof t->crisis_line));
    if (f[K_LAPSE])
        WITH_KEY(w, "lapse_log", get_bool(w, f[K_LAPSE], &t->lapse_log));
}

void cairn_template_defaults(struct cairn_template *t)
{
    memset(t, 0, sizeof *t);
    t->program.version = 1;
    t->program.max_hours_per_week = 19;
    t->program.min_days_per_week = 3;
    t->session_types = 1u << CAIRN_SESSION_GROUP | 1u << CAIRN_SESSION_INDIVIDUAL;
    t->mastery = (struct cairn_mastery_rule){30, 2, 50};
    t->alerts = (struct cairn_alert_thresholds){5, 4, 2, 14, 14};
}

static int by_position(const void *a, const void *b)
{
    const struct cairn_template_diag *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return 0;
}

enum cairn_status cairn_template_parse(const char *text, size_t len, struct cairn_template *out,
                                       struct cairn_template_diags *diags, struct cairn_error *err)
{
    struct cairn_template_diags local;
    struct cairn_template_diags *d = diags ? diags : &local;
    memset(d, 0, sizeof *d);
    cairn_template_defaults(out);
    struct loader ld = {.diags = d};
    const struct node *root = load(&ld, text ? text : "", text ? len : 0);
    if (root && !ld.nomem) {
        struct walk w = {.diags = d};
        validate(&w, root, out);
    }
    arena_free(&ld);
    if (ld.nomem)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a template");
    if (d->count == 0)
        return CAIRN_OK;
    /* Stable sort by position: insertion sort keeps equal positions in order. */
    for (size_t i = 1; i < d->count; i++) {
        struct cairn_template_diag g = d->items[i];
        size_t j = i;
        while (j > 0 && by_position(&d->items[j - 1], &g) > 0) {
            d->items[j] = d->items[j - 1];
            j--;
        }
        d->items[j] = g;
    }
    const struct cairn_template_diag *first = &d->items[0];
    cairn_error_field(err, CAIRN_ERR_INVALID, first->pointer, "%s", first->message);
    if (err) {
        err->line = first->line;
        err->col = first->col;
    }
    return CAIRN_ERR_INVALID;
}
