/* The strict YAML loader and validator helpers shared by the template and
 * plan parsers (see ytree.h). Moved here from template.c unchanged but for
 * the names and the loader's noun ("template", "plan") in its messages. */
#include "ytree.h"

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

/* --- the tree ------------------------------------------------------------- */

/* Nodes and scalar text come from one arena, freed at once. */
struct ytree_block {
    struct ytree_block *prev;
    size_t used, size;
    max_align_t data[];
};

static void *arena_alloc(struct ytree_loader *ld, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct ytree_block *b = ld->arena;
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

void ytree_free(struct ytree_loader *ld)
{
    while (ld->arena) {
        struct ytree_block *prev = ld->arena->prev;
        free(ld->arena);
        ld->arena = prev;
    }
}

/* --- diagnostics ---------------------------------------------------------- */

size_t ytree_path_push(struct ytree_path *p, const char *component)
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

size_t ytree_path_push_index(struct ytree_path *p, size_t i)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", i);
    return ytree_path_push(p, num);
}

void ytree_path_pop(struct ytree_path *p, size_t mark)
{
    p->len = mark;
    p->buf[mark] = '\0';
}

void ytree_add_diag(struct cairn_template_diags *d, int line, int col, const char *pointer,
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
    struct ytree_node *node;
    struct ytree_node *pending_key; /* maps: a key waiting for its value */
    size_t mark;                    /* path length before this collection's entry */
};

struct load_state {
    struct ytree_loader *ld;
    struct ytree_path path;
    struct open stack[CAIRN_TEMPLATE_MAX_DEPTH + 1];
    int depth;
    struct ytree_node *root;
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
    ytree_add_diag(s->ld->diags, (int)m->line + 1, (int)m->column + 1, s->path.buf, "%s", msg);
}

/* Links `n` into the open collection, checking map keys, duplicates and the
 * entry cap. Sets the path for the entry so errors inside it point there. */
static void attach(struct load_state *s, struct ytree_node *n, const yaml_mark_t *m)
{
    if (s->depth == 0) {
        s->root = n;
        return;
    }
    struct open *o = &s->stack[s->depth - 1];
    struct ytree_node *parent = o->node;
    bool is_key = parent->kind == YT_MAP && !o->pending_key;
    if (is_key || parent->kind == YT_SEQ) {
        ytree_path_pop(&s->path, o->mark);
        if (parent->len >= CAIRN_TEMPLATE_MAX_ITEMS) {
            if (parent->kind == YT_SEQ)
                ytree_path_push_index(&s->path, parent->len);
            else if (n->kind == YT_SCALAR)
                ytree_path_push(&s->path, n->text);
            load_error(s, m, "more than %d entries; a %s list or mapping holds at most %d",
                       CAIRN_TEMPLATE_MAX_ITEMS, s->ld->what, CAIRN_TEMPLATE_MAX_ITEMS);
            s->fatal = true;
            return;
        }
    }
    if (is_key) {
        if (n->kind != YT_SCALAR) {
            load_error(s, m, "a key must be plain text, not a %s",
                       n->kind == YT_MAP ? "mapping" : "list");
            s->fatal = true;
            return;
        }
        ytree_path_push(&s->path, n->text);
        for (struct ytree_node *k = parent->child; k && !n->invalid; k = k->next->next)
            if (strcmp(k->text, n->text) == 0) {
                load_error(s, m, "duplicate key '%s' (first at line %d)", n->text, k->line);
                n->invalid = true;
            }
        o->pending_key = n;
        parent->len++;
    } else if (parent->kind == YT_MAP) {
        o->pending_key = NULL;
    } else {
        ytree_path_push_index(&s->path, parent->len);
        parent->len++;
    }
    if (parent->last)
        parent->last->next = n;
    else
        parent->child = n;
    parent->last = n;
}

static struct ytree_node *new_node(struct load_state *s, enum ytree_kind kind, const yaml_mark_t *m)
{
    struct ytree_node *n = arena_alloc(s->ld, sizeof *n);
    if (n) {
        n->kind = kind;
        n->line = (int)m->line + 1;
        n->col = (int)m->column + 1;
    }
    return n;
}

/* Refuses anchors and tags on a scalar or collection. */
static void check_properties(struct load_state *s, struct ytree_node *n, const yaml_mark_t *m,
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
    struct ytree_node *n;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (s->documents++ > 0) {
            load_error(s, m, "a second document: a %s file holds exactly one", s->ld->what);
            s->fatal = true;
        } else if (ev->data.document_start.version_directive ||
                   ev->data.document_start.tag_directives.start !=
                       ev->data.document_start.tag_directives.end) {
            load_error(s, m, "directives (%%YAML, %%TAG) are not allowed");
        }
        break;
    case YAML_ALIAS_EVENT:
        if (!(n = new_node(s, YT_SCALAR, m)))
            return;
        n->text = "";
        n->invalid = true;
        attach(s, n, m);
        load_error(s, m, "aliases (*%.40s) are not allowed: write the value out",
                   ev->data.alias.anchor);
        break;
    case YAML_SCALAR_EVENT: {
        if (!(n = new_node(s, YT_SCALAR, m)))
            return;
        n->len = ev->data.scalar.length;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        bool too_long = n->len > s->ld->max_scalar;
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
            load_error(s, m, "text of %zu bytes; a %s value is at most %zu", n->len, s->ld->what,
                       s->ld->max_scalar);
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
        if (!(n = new_node(s, map ? YT_MAP : YT_SEQ, m)))
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
            ytree_path_pop(&s->path, o->mark);
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
        ytree_add_diag(s->ld->diags, line, col, s->path.buf, "%s", problem);
        return;
    }
    if (p->context)
        load_error(s, &m, "%s %s (which started at line %zu, column %zu)", problem, p->context,
                   p->context_mark.line + 1, p->context_mark.column + 1);
    else
        load_error(s, &m, "%s", problem);
}

struct ytree_node *ytree_load(struct ytree_loader *ld, const char *text, size_t len)
{
    struct load_state s = {.ld = ld};
    if (len > CAIRN_TEMPLATE_MAX_BYTES) {
        ytree_add_diag(ld->diags, 1, 1, "",
                       "the file is over %d bytes (%d KiB), the most a %s may be",
                       CAIRN_TEMPLATE_MAX_BYTES, CAIRN_TEMPLATE_MAX_BYTES / 1024, ld->what);
        return NULL;
    }
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = cairn_utf8_decode(text + i, len - i, &cp);
        if (cp == 0xFFFD && !(n == 3 && memcmp(text + i, "\xEF\xBF\xBD", 3) == 0)) {
            int line, col;
            position_of(text, i, &line, &col);
            ytree_add_diag(ld->diags, line, col, "",
                           "invalid UTF-8 (byte 0x%02X): a %s must be UTF-8 text",
                           (unsigned char)text[i], ld->what);
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
        ytree_add_diag(ld->diags, 1, 1, "", "%s", ld->empty);
        return NULL;
    }
    return s.root;
}

/* --- pass 2: helpers for validators -------------------------------------- */

void ytree_fail(struct ytree_walk *w, const struct ytree_node *n, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ytree_add_diag(w->diags, n->line, n->col, w->path.buf, "%s", msg);
}

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
enum ytree_type ytree_scalar_type(const struct ytree_node *n)
{
    const char *s = n->text;
    if (!n->plain)
        return YT_STRING;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return YT_NULL;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "false") ||
        !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return YT_BOOL;
    const char *d = s + (*s == '-' || *s == '+');
    if (all_digits(d, "0123456789") || (!strncmp(s, "0o", 2) && all_digits(s + 2, "01234567")) ||
        (!strncmp(s, "0x", 2) && all_digits(s + 2, "0123456789abcdefABCDEF")))
        return YT_INT;
    static const char *const special[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    for (size_t i = 0; i < COUNT(special); i++)
        if (!strcmp(d, special[i]) && (i < 3 || d == s))
            return YT_FLOAT;
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
        return YT_STRING;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return YT_STRING;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p ? YT_STRING : YT_FLOAT;
}

static const char *type_word(enum ytree_type t)
{
    static const char *const words[] = {"nothing (null)", "a boolean", "a number", "a number",
                                        "text"};
    return words[t];
}

const char *ytree_node_word(const struct ytree_node *n)
{
    return n->kind == YT_MAP   ? "a mapping"
           : n->kind == YT_SEQ ? "a list"
                               : type_word(ytree_scalar_type(n));
}

/* The value as text, for messages: shortened and stripped of controls. */
const char *ytree_shown(const struct ytree_node *n, char *buf, size_t size)
{
    cairn_text_fit(n->text, 40, buf, size);
    return buf;
}

bool ytree_want_kind(struct ytree_walk *w, const struct ytree_node *n, enum ytree_kind kind,
                     const char *what)
{
    if (n->invalid)
        return false;
    if (n->kind != kind) {
        ytree_fail(w, n, "expected %s, got %s", what, ytree_node_word(n));
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
bool ytree_text(struct ytree_walk *w, const struct ytree_node *n, size_t max, char *out,
                size_t size)
{
    if (!ytree_want_kind(w, n, YT_SCALAR, "text"))
        return false;
    enum ytree_type t = ytree_scalar_type(n);
    if (t != YT_STRING) {
        if (t == YT_NULL)
            ytree_fail(w, n, "expected text, got nothing");
        else
            ytree_fail(w, n, "expected text, got %s: put it in quotes if you mean text",
                       type_word(t));
        return false;
    }
    size_t chars = 0;
    bool blank = true;
    for (size_t i = 0; i < n->len;) {
        unsigned cp;
        i += cairn_utf8_decode(n->text + i, n->len - i, &cp);
        if (cp < 0x20 || cp == 0x7F) {
            ytree_fail(w, n, "must be one line of text without control characters");
            return false;
        }
        if (!is_space(cp))
            blank = false;
        chars++;
    }
    if (blank) {
        ytree_fail(w, n, "must not be blank");
        return false;
    }
    if (chars > max) {
        ytree_fail(w, n, "is %zu characters long; at most %zu", chars, max);
        return false;
    }
    if (n->len >= size) { /* cannot happen: size covers max characters of UTF-8 */
        ytree_fail(w, n, "is too long");
        return false;
    }
    memcpy(out, n->text, n->len + 1);
    return true;
}

/* The value of a scalar ytree_scalar_type() calls YT_INT or YT_FLOAT (not .inf or
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

bool ytree_number(struct ytree_walk *w, const struct ytree_node *n, double *out)
{
    char buf[64];
    if (!ytree_want_kind(w, n, YT_SCALAR, "a number"))
        return false;
    enum ytree_type t = ytree_scalar_type(n);
    if (t != YT_INT && t != YT_FLOAT) {
        if (t == YT_STRING)
            ytree_fail(w, n, "expected a number, got text '%s'", ytree_shown(n, buf, sizeof buf));
        else
            ytree_fail(w, n, "expected a number, got %s", type_word(t));
        return false;
    }
    const char *digits = n->text + strspn(n->text, "+-");
    if (t == YT_FLOAT && digits[0] == '.' && strchr("iInN", digits[1])) { /* .inf, .nan */
        ytree_fail(w, n, "expected a finite number, got %s", n->text);
        return false;
    }
    double v = parse_number(n->text);
    if (!isfinite(v)) {
        ytree_fail(w, n, "expected a finite number, got %s", n->text);
        return false;
    }
    *out = v;
    return true;
}

bool ytree_int(struct ytree_walk *w, const struct ytree_node *n, int min, int max, int *out)
{
    double v;
    if (!ytree_number(w, n, &v))
        return false;
    if (v != floor(v)) {
        ytree_fail(w, n, "expected a whole number, got %s", n->text);
        return false;
    }
    if (v < min || v > max) {
        ytree_fail(w, n, "must be %d to %d, got %s", min, max, n->text);
        return false;
    }
    *out = (int)v;
    return true;
}

/* A number with 0 < value <= max. */
bool ytree_positive(struct ytree_walk *w, const struct ytree_node *n, double max, double *out)
{
    double v;
    if (!ytree_number(w, n, &v))
        return false;
    if (!(v > 0) || v > max) {
        ytree_fail(w, n, "must be more than 0 and at most %g, got %s", max, n->text);
        return false;
    }
    *out = v;
    return true;
}

bool ytree_bool(struct ytree_walk *w, const struct ytree_node *n, bool *out)
{
    if (!ytree_want_kind(w, n, YT_SCALAR, "true or false"))
        return false;
    if (ytree_scalar_type(n) != YT_BOOL) {
        ytree_fail(w, n, "expected true or false, got %s", ytree_node_word(n));
        return false;
    }
    *out = n->text[0] == 't' || n->text[0] == 'T';
    return true;
}

/* Writes "a, b or c" into buf. */
const char *ytree_one_of(const char *const *names, size_t n, char *buf, size_t size)
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

bool ytree_enum(struct ytree_walk *w, const struct ytree_node *n, const char *const *names,
                size_t count, const char *what, int *out)
{
    char value[64], list[512];
    if (!ytree_want_kind(w, n, YT_SCALAR, what))
        return false;
    if (ytree_scalar_type(n) == YT_STRING || ytree_scalar_type(n) == YT_INT ||
        ytree_scalar_type(n) == YT_FLOAT)
        for (size_t i = 0; i < count; i++)
            if (!strcmp(n->text, names[i])) {
                *out = (int)i;
                return true;
            }
    if (ytree_scalar_type(n) == YT_NULL)
        ytree_fail(w, n, "expected %s (%s), got nothing", what,
                   ytree_one_of(names, count, list, sizeof list));
    else
        ytree_fail(w, n, "unknown %s '%s' (expected %s)", what, ytree_shown(n, value, sizeof value),
                   ytree_one_of(names, count, list, sizeof list));
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
bool ytree_fields_but(struct ytree_walk *w, const struct ytree_node *map, const char *const *keys,
                      size_t nkeys, unsigned required, const struct ytree_node **found,
                      const char *reserved)
{
    for (size_t i = 0; i < nkeys; i++)
        found[i] = NULL;
    if (!ytree_want_kind(w, map, YT_MAP, "a mapping"))
        return false;
    unsigned suggested = 0; /* keys offered for a misspelling: not also reported missing */
    for (const struct ytree_node *k = map->child; k && k->next; k = k->next->next) {
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
        size_t mark = ytree_path_push(&w->path, k->text), near = nkeys;
        for (size_t j = 0; j < nkeys && near == nkeys; j++)
            if (close_words(k->text, keys[j]))
                near = j;
        if (near < nkeys) {
            suggested |= 1u << near;
            ytree_fail(w, k, "unknown key '%s': did you mean '%s'?",
                       ytree_shown(k, value, sizeof value), keys[near]);
        } else {
            ytree_fail(w, k, "unknown key '%s' (expected %s)", ytree_shown(k, value, sizeof value),
                       ytree_one_of(keys, nkeys, list, sizeof list));
        }
        ytree_path_pop(&w->path, mark);
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
        ytree_fail(w, map, "missing required key%s %s", nmissing > 1 ? "s" : "", missing);
    return true;
}

/* ytree_fields_but() with no reserved key. */
bool ytree_fields(struct ytree_walk *w, const struct ytree_node *map, const char *const *keys,
                  size_t nkeys, unsigned required, const struct ytree_node **found)
{
    return ytree_fields_but(w, map, keys, nkeys, required, found, NULL);
}

bool ytree_list(struct ytree_walk *w, const struct ytree_node *n, size_t min, size_t max,
                const char *what)
{
    if (!ytree_want_kind(w, n, YT_SEQ, "a list"))
        return false;
    if (n->len < min) {
        ytree_fail(w, n, "must not be empty: list at least one %s", what);
        return false;
    }
    if (n->len > max) {
        ytree_fail(w, n, "lists %zu items; at most %zu %ss", n->len, max, what);
        return false;
    }
    return true;
}

/* Calls fn(w, item, i, ctx) for each list item with the path pointing at it. */
void ytree_each(struct ytree_walk *w, const struct ytree_node *list,
                void (*fn)(struct ytree_walk *, const struct ytree_node *, size_t, void *),
                void *ctx)
{
    size_t i = 0;
    for (const struct ytree_node *item = list->child; item; item = item->next, i++) {
        size_t mark = ytree_path_push_index(&w->path, i);
        fn(w, item, i, ctx);
        ytree_path_pop(&w->path, mark);
    }
}

static void enum_item(struct ytree_walk *w, const struct ytree_node *item, size_t i, void *ctx)
{
    struct ytree_enum_list *e = ctx;
    int v;
    (void)i;
    if (!ytree_enum(w, item, e->names, e->count, e->what, &v))
        return;
    if (e->bits & (1u << v)) {
        ytree_fail(w, item, "'%s' is listed twice", e->names[v]);
        return;
    }
    e->bits |= 1u << v;
    e->out[e->n++] = v;
}

/* An enum list whose values must be unique: fills e->out, e->n, e->bits. */
void ytree_enum_set(struct ytree_walk *w, const struct ytree_node *list, size_t max,
                    const char *singular, struct ytree_enum_list *e)
{
    if (ytree_list(w, list, 1, max, singular))
        ytree_each(w, list, enum_item, e);
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

void ytree_sort_diags(struct cairn_template_diags *d)
{
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
}
