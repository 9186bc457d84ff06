/* Plans and safety plans: the model, canonical JSON, YAML for `plan edit`,
 * validation, editing and the readable diff. Pure: no I/O, no store. */
#include "cairn/plan.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cairn/text.h"
#include "yemit.h"
#include "ytree.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- sections ------------------------------------------------------------- */

static const char *const safety_names[] = {
#define CAIRN_X_NAME(code, name, title) name,
    CAIRN_SAFETY_SECTION_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const safety_titles[] = {
#define CAIRN_X_NAME(code, name, title) title,
    CAIRN_SAFETY_SECTION_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

/* The letter of each section's item keys, by kind and section. */
static const char plan_letters[CAIRN_SECTION__COUNT + 1] = "twclsgbmra";
static const char safety_letters[CAIRN_SAFETY__COUNT + 1] = "widhper";

/* Fields an item of a section has beyond its text. */
enum { F_RELATION = 1, F_PHONE = 2, F_ROLE = 4, F_TARGET = 8, F_COPES = 16 };

static unsigned part_fields(enum cairn_plan_kind kind, int section)
{
    if (kind == CAIRN_PLAN_SAFETY)
        return section == CAIRN_SAFETY_HELP_CONTACTS || section == CAIRN_SAFETY_PROFESSIONALS
                   ? F_PHONE
                   : 0;
    switch (section) {
    case CAIRN_SECTION_SUPPORTS:
        return F_RELATION | F_PHONE | F_ROLE;
    case CAIRN_SECTION_SOCIAL_GOALS:
        return F_TARGET;
    case CAIRN_SECTION_TRIGGERS:
        return F_COPES;
    default:
        return 0;
    }
}

/* The name of an item's text field: a support person has a name. */
static const char *text_field(enum cairn_plan_kind kind, int section)
{
    return kind == CAIRN_PLAN_RELAPSE && section == CAIRN_SECTION_SUPPORTS ? "name" : "text";
}

static int section_count(enum cairn_plan_kind kind)
{
    return kind == CAIRN_PLAN_SAFETY ? CAIRN_SAFETY__COUNT : CAIRN_SECTION__COUNT;
}

static char part_letter(enum cairn_plan_kind kind, int section)
{
    if (section < 0 || section >= section_count(kind))
        return '?';
    return kind == CAIRN_PLAN_SAFETY ? safety_letters[section] : plan_letters[section];
}

const char *cairn_plan_kind_str(enum cairn_plan_kind kind)
{
    return kind == CAIRN_PLAN_SAFETY ? "safety" : "plan";
}

const char *cairn_plan_part_name(enum cairn_plan_kind kind, int section)
{
    if (section < 0 || section >= section_count(kind))
        return "";
    return kind == CAIRN_PLAN_SAFETY ? safety_names[section]
                                     : cairn_plan_section_str((enum cairn_plan_section)section);
}

const char *cairn_plan_part_title(enum cairn_plan_kind kind, int section)
{
    if (section < 0 || section >= section_count(kind))
        return "";
    return kind == CAIRN_PLAN_SAFETY ? safety_titles[section]
                                     : cairn_plan_section_title((enum cairn_plan_section)section);
}

struct cairn_plan *cairn_plan_new(enum cairn_plan_kind kind)
{
    struct cairn_plan *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->kind = kind;
    if (kind == CAIRN_PLAN_SAFETY) {
        for (int i = 0; i < CAIRN_SAFETY__COUNT; i++)
            p->parts[p->nparts++].section = i;
    } else {
        snprintf(p->status, sizeof p->status, "draft");
    }
    return p;
}

void cairn_plan_free(struct cairn_plan **plan)
{
    if (!plan)
        return;
    free(*plan);
    *plan = NULL;
}

struct cairn_plan_part *cairn_plan_part_find(struct cairn_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->nparts; i++)
        if (!strcmp(cairn_plan_part_name(plan->kind, plan->parts[i].section), name))
            return &plan->parts[i];
    return NULL;
}

static const struct cairn_plan_part *part_of(const struct cairn_plan *plan, int section)
{
    for (size_t i = 0; i < plan->nparts; i++)
        if (plan->parts[i].section == section)
            return &plan->parts[i];
    return NULL;
}

/* --- validation ------------------------------------------------------------ */

/* The characters of UTF-8 text s (len bytes), and whether all are spaces. */
static size_t text_chars(const char *s, size_t len, bool *blank)
{
    size_t chars = 0;
    *blank = true;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        i += cairn_utf8_decode(s + i, len - i, &cp);
        if (cp != ' ')
            *blank = false;
        chars++;
    }
    return chars;
}

/* One line of text of at most max characters; empty allowed unless
 * `required`. Names `pointer` in err. */
static enum cairn_status check_text(const char *s, size_t max, bool required, const char *pointer,
                                    struct cairn_error *err)
{
    size_t len = strlen(s);
    if (!cairn_utf8_valid(s, len))
        return cairn_error_field(err, CAIRN_ERR_INVALID, pointer, "is not valid UTF-8");
    if (cairn_text_has_control(s))
        return cairn_error_field(err, CAIRN_ERR_INVALID, pointer,
                                 "must be one line of text without control characters");
    bool blank;
    size_t chars = text_chars(s, len, &blank);
    if (required && blank)
        return cairn_error_field(err, CAIRN_ERR_INVALID, pointer, "must not be empty");
    if (chars > max)
        return cairn_error_field(err, CAIRN_ERR_INVALID, pointer,
                                 "is %zu characters long; at most %zu", chars, max);
    return CAIRN_OK;
}

/* Whether check_text() would pass s, without building the error. */
static bool text_ok(const char *s, size_t max, bool required)
{
    size_t len = strlen(s);
    if (!cairn_utf8_valid(s, len) || cairn_text_has_control(s))
        return false;
    bool blank;
    size_t chars = text_chars(s, len, &blank);
    return !(required && blank) && chars <= max;
}

/* Where field `field` of item i of section `name` is, in ptr. */
static const char *item_pointer(char *ptr, size_t size, const char *name, size_t i,
                                const char *field)
{
    snprintf(ptr, size, "/sections/%s/%zu/%s", name, i, field);
    return ptr;
}

/* check_text() of field `field` of item i of section `name`: the error's
 * pointer is only built when there is an error (plans are validated on
 * every save, and a demo validates a few hundred thousand). */
static enum cairn_status check_item_text(const char *s, size_t max, bool required, const char *name,
                                         size_t i, const char *field, struct cairn_error *err)
{
    if (text_ok(s, max, required))
        return CAIRN_OK;
    char ptr[CAIRN_ERROR_POINTER_MAX];
    return check_text(s, max, required, item_pointer(ptr, sizeof ptr, name, i, field), err);
}

/* The number of a well-formed key of section letter `letter`, or 0. */
static int key_number(const char *key, char letter)
{
    if (key[0] != letter)
        return 0;
    size_t n = strlen(key + 1);
    if (n < 1 || n > 4 || strspn(key + 1, "0123456789") != n || key[1] == '0')
        return 0;
    return atoi(key + 1);
}

static bool has_key(const struct cairn_plan_part *part, const char *key)
{
    for (size_t i = 0; part && i < part->nitems; i++)
        if (!strcmp(part->items[i].key, key))
            return true;
    return false;
}

static enum cairn_status validate_item(const struct cairn_plan *p,
                                       const struct cairn_plan_part *part, size_t i,
                                       struct cairn_error *err)
{
    const struct cairn_plan_item *it = &part->items[i];
    const char *name = cairn_plan_part_name(p->kind, part->section);
    unsigned fields = part_fields(p->kind, part->section);
    char ptr[CAIRN_ERROR_POINTER_MAX];
    enum cairn_status rc;
    char letter = part_letter(p->kind, part->section);

#define PTR(field) item_pointer(ptr, sizeof ptr, name, i, field)
    if (it->key[0]) {
        if (!key_number(it->key, letter))
            return cairn_error_field(err, CAIRN_ERR_INVALID, PTR("key"),
                                     "a key in %s is '%c' and a number, like %c1", name, letter,
                                     letter);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(part->items[j].key, it->key))
                return cairn_error_field(err, CAIRN_ERR_INVALID, PTR("key"),
                                         "key %s is used twice (/sections/%s/%zu)", it->key, name,
                                         j);
    }
    if ((rc = check_item_text(it->text, CAIRN_PLAN_TEXT_MAX, true, name, i,
                              text_field(p->kind, part->section), err)) != CAIRN_OK)
        return rc;
    static const struct {
        unsigned bit;
        const char *name;
        size_t offset;
    } shorts[] = {{F_RELATION, "relation", offsetof(struct cairn_plan_item, relation)},
                  {F_PHONE, "phone", offsetof(struct cairn_plan_item, phone)},
                  {F_ROLE, "role", offsetof(struct cairn_plan_item, role)}};
    for (size_t k = 0; k < COUNT(shorts); k++) {
        const char *v = (const char *)it + shorts[k].offset;
        if (!(fields & shorts[k].bit) && *v)
            return cairn_error_field(err, CAIRN_ERR_INVALID, PTR(shorts[k].name),
                                     "items of %s have no %s", name, shorts[k].name);
        if ((rc = check_item_text(v, CAIRN_PLAN_SHORT_MAX, false, name, i, shorts[k].name, err)) !=
            CAIRN_OK)
            return rc;
    }
    if ((fields & F_TARGET) && (it->weekly_target < 1 || it->weekly_target > 21))
        return cairn_error_field(err, CAIRN_ERR_INVALID, PTR("weekly_target"),
                                 "must be 1 to 21 times a week, got %d", it->weekly_target);
    if (!(fields & F_TARGET) && it->weekly_target)
        return cairn_error_field(err, CAIRN_ERR_INVALID, PTR("weekly_target"),
                                 "items of %s have no weekly target", name);
    if (!(fields & F_COPES) && it->ncopes)
        return cairn_error_field(err, CAIRN_ERR_INVALID, PTR("copes"),
                                 "only triggers link to coping strategies");
    if (it->ncopes > CAIRN_PLAN_LINKS_MAX)
        return cairn_error_field(err, CAIRN_ERR_INVALID, PTR("copes"), "at most %d links",
                                 CAIRN_PLAN_LINKS_MAX);
    const struct cairn_plan_part *coping = part_of(p, CAIRN_SECTION_COPING);
#define COPE_PTR (snprintf(ptr, sizeof ptr, "/sections/%s/%zu/copes/%zu", name, i, k), ptr)
    for (size_t k = 0; k < it->ncopes; k++) {
        if (!has_key(coping, it->copes[k]))
            return cairn_error_field(err, CAIRN_ERR_INVALID, COPE_PTR,
                                     "'%.8s' is not the key of a coping strategy of this plan",
                                     it->copes[k]);
        for (size_t j = 0; j < k; j++)
            if (!strcmp(it->copes[j], it->copes[k]))
                return cairn_error_field(err, CAIRN_ERR_INVALID, COPE_PTR, "%s is linked twice",
                                         it->copes[k]);
    }
#undef COPE_PTR
#undef PTR
    return CAIRN_OK;
}

enum cairn_status cairn_plan_validate(struct cairn_plan *p, struct cairn_error *err)
{
    enum cairn_status rc;
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        if (strcmp(p->status, "draft") && strcmp(p->status, "active"))
            return cairn_error_field(err, CAIRN_ERR_INVALID, "/status", "must be draft or active");
        int32_t day;
        if (p->next_review_date[0] && cairn_date_parse(p->next_review_date, &day, NULL) != CAIRN_OK)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "/next_review_date",
                                     "must be a real date, YYYY-MM-DD");
    }
    for (size_t s = 0; s < p->nparts; s++) {
        const struct cairn_plan_part *part = &p->parts[s];
        if (part->section < 0 || part->section >= section_count(p->kind))
            return cairn_error_set(err, CAIRN_ERR_INVALID, "unknown section %d", part->section);
        if (part->nitems > CAIRN_PLAN_ITEMS_MAX)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "/sections",
                                     "a section holds at most %d items", CAIRN_PLAN_ITEMS_MAX);
        for (size_t i = 0; i < part->nitems; i++)
            if ((rc = validate_item(p, part, i, err)) != CAIRN_OK)
                return rc;
    }
    /* Every item valid: give the new ones their keys. */
    for (size_t s = 0; s < p->nparts; s++) {
        struct cairn_plan_part *part = &p->parts[s];
        char letter = part_letter(p->kind, part->section);
        int next = part->last_key + 1;
        for (size_t i = 0; i < part->nitems; i++) {
            int n = key_number(part->items[i].key, letter);
            if (n >= next)
                next = n + 1;
        }
        for (size_t i = 0; i < part->nitems; i++)
            if (!part->items[i].key[0]) {
                if (next > 9999)
                    return cairn_error_field(err, CAIRN_ERR_INVALID, "/sections",
                                             "no free key left in this section");
                snprintf(part->items[i].key, sizeof part->items[i].key, "%c%d", letter,
                         (next++) % 10000);
            }
    }
    return CAIRN_OK;
}

/* --- JSON ------------------------------------------------------------------ */

static json_t *item_json(enum cairn_plan_kind kind, int section, const struct cairn_plan_item *it)
{
    unsigned fields = part_fields(kind, section);
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(it->key));
    json_object_set_new(o, text_field(kind, section), json_string(it->text));
    if ((fields & F_RELATION) && it->relation[0])
        json_object_set_new(o, "relation", json_string(it->relation));
    if ((fields & F_PHONE) && it->phone[0])
        json_object_set_new(o, "phone", json_string(it->phone));
    if ((fields & F_ROLE) && it->role[0])
        json_object_set_new(o, "role", json_string(it->role));
    if (fields & F_TARGET)
        json_object_set_new(o, "weekly_target", json_integer(it->weekly_target));
    if ((fields & F_COPES) && it->ncopes) {
        json_t *links = json_array();
        for (size_t k = 0; k < it->ncopes; k++)
            json_array_append_new(links, json_string(it->copes[k]));
        json_object_set_new(o, "copes", links);
    }
    return o;
}

static json_t *sections_json(const struct cairn_plan *p)
{
    json_t *sections = json_object();
    for (size_t s = 0; s < p->nparts; s++) {
        const struct cairn_plan_part *part = &p->parts[s];
        json_t *items = json_array();
        for (size_t i = 0; i < part->nitems; i++)
            json_array_append_new(items, item_json(p->kind, part->section, &part->items[i]));
        json_object_set_new(sections, cairn_plan_part_name(p->kind, part->section), items);
    }
    return sections;
}

static enum cairn_status dump(json_t *doc, size_t flags, char **out, struct cairn_error *err)
{
    *out = doc ? json_dumps(doc, flags | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    return *out ? CAIRN_OK : cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing a plan");
}

enum cairn_status cairn_plan_canonical(const struct cairn_plan *p, char **json,
                                       struct cairn_error *err)
{
    json_t *doc = json_object();
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        json_object_set_new(doc, "status", json_string(p->status));
        if (p->next_review_date[0])
            json_object_set_new(doc, "next_review_date", json_string(p->next_review_date));
    }
    json_object_set_new(doc, "sections", sections_json(p));
    return dump(doc, JSON_COMPACT, json, err);
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

enum cairn_status cairn_plan_export(const struct cairn_plan *p, char **json,
                                    struct cairn_error *err)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "kind", json_string(cairn_plan_kind_str(p->kind)));
    json_object_set_new(doc, "revision", json_integer(p->revision));
    json_object_set_new(doc, "head", json_integer(p->head));
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        json_object_set_new(doc, "status", json_string(p->status));
        json_object_set_new(doc, "signed_by", text_or_null(p->signed_by));
        json_object_set_new(doc, "signed_at", text_or_null(p->signed_at));
        json_object_set_new(doc, "next_review_date", text_or_null(p->next_review_date));
    }
    json_object_set_new(doc, "sections", sections_json(p));
    return dump(doc, JSON_INDENT(2), json, err);
}

static enum cairn_status json_text(json_t *v, const char *pointer, char *out, size_t size,
                                   struct cairn_error *err)
{
    if (json_is_null(v)) {
        out[0] = '\0';
        return CAIRN_OK;
    }
    if (!json_is_string(v))
        return cairn_error_field(err, CAIRN_ERR_INVALID, pointer, "expected text");
    if (json_string_length(v) >= size || memchr(json_string_value(v), '\0', json_string_length(v)))
        return cairn_error_field(err, CAIRN_ERR_INVALID, pointer, "is too long");
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return CAIRN_OK;
}

static enum cairn_status import_item(struct cairn_plan *p, struct cairn_plan_part *part, size_t i,
                                     json_t *v, struct cairn_error *err)
{
    const char *name = cairn_plan_part_name(p->kind, part->section);
    const char *tf = text_field(p->kind, part->section);
    unsigned fields = part_fields(p->kind, part->section);
    struct cairn_plan_item *it = &part->items[i];
    char ptr[CAIRN_ERROR_POINTER_MAX];
    enum cairn_status rc = CAIRN_OK;
    const char *k;
    json_t *fv;
    memset(it, 0, sizeof *it);
    if (fields & F_TARGET)
        it->weekly_target = 1;
    if (!json_is_object(v)) {
        snprintf(ptr, sizeof ptr, "/sections/%s/%zu", name, i);
        return cairn_error_field(err, CAIRN_ERR_INVALID, ptr, "expected an object");
    }
    json_object_foreach(v, k, fv)
    {
        snprintf(ptr, sizeof ptr, "/sections/%s/%zu/%.40s", name, i, k);
        if (!strcmp(k, "key"))
            rc = json_text(fv, ptr, it->key, sizeof it->key, err);
        else if (!strcmp(k, tf))
            rc = json_text(fv, ptr, it->text, sizeof it->text, err);
        else if (!strcmp(k, "relation") && (fields & F_RELATION))
            rc = json_text(fv, ptr, it->relation, sizeof it->relation, err);
        else if (!strcmp(k, "phone") && (fields & F_PHONE))
            rc = json_text(fv, ptr, it->phone, sizeof it->phone, err);
        else if (!strcmp(k, "role") && (fields & F_ROLE))
            rc = json_text(fv, ptr, it->role, sizeof it->role, err);
        else if (!strcmp(k, "weekly_target") && (fields & F_TARGET)) {
            if (!json_is_integer(fv) || json_integer_value(fv) < 1 || json_integer_value(fv) > 21)
                rc = cairn_error_field(err, CAIRN_ERR_INVALID, ptr, "must be a number 1 to 21");
            else
                it->weekly_target = (int)json_integer_value(fv);
        } else if (!strcmp(k, "copes") && (fields & F_COPES)) {
            size_t j;
            json_t *link;
            if (!json_is_array(fv) || json_array_size(fv) > CAIRN_PLAN_LINKS_MAX)
                rc = cairn_error_field(err, CAIRN_ERR_INVALID, ptr,
                                       "expected a list of at most %d coping keys",
                                       CAIRN_PLAN_LINKS_MAX);
            json_array_foreach(fv, j, link)
            {
                if (rc != CAIRN_OK)
                    break;
                rc = json_text(link, ptr, it->copes[it->ncopes++], CAIRN_PLAN_KEY_BYTES, err);
            }
        } else {
            rc = cairn_error_field(err, CAIRN_ERR_INVALID, ptr, "unknown key in a %s item", name);
        }
        if (rc != CAIRN_OK)
            return rc;
    }
    return CAIRN_OK;
}

enum cairn_status cairn_plan_import(struct cairn_plan *p, const char *text, size_t len,
                                    struct cairn_error *err)
{
    json_error_t jerr;
    enum cairn_status rc = CAIRN_OK;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "line %d, column %d: %s", jerr.line,
                               jerr.column, jerr.text);
    json_t *sections = json_object_get(doc, "sections");
    json_t *kind = json_object_get(doc, "kind");
    if (!json_is_object(doc)) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "/", "expected a JSON object");
        goto out;
    }
    if (kind && (!json_is_string(kind) ||
                 strcmp(json_string_value(kind), cairn_plan_kind_str(p->kind)) != 0)) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "/kind", "this is not a %s export",
                               cairn_plan_kind_str(p->kind));
        goto out;
    }
    if (!json_is_object(sections)) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "/sections", "expected an object");
        goto out;
    }
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        json_t *st = json_object_get(doc, "status");
        if (st && (rc = json_text(st, "/status", p->status, sizeof p->status, err)) != CAIRN_OK)
            goto out;
        json_t *nr = json_object_get(doc, "next_review_date");
        p->next_review_date[0] = '\0';
        if (nr && (rc = json_text(nr, "/next_review_date", p->next_review_date,
                                  sizeof p->next_review_date, err)) != CAIRN_OK)
            goto out;
    }
    for (size_t s = 0; s < p->nparts; s++)
        p->parts[s].nitems = 0;
    const char *name;
    json_t *items;
    json_object_foreach(sections, name, items)
    {
        char ptr[CAIRN_ERROR_POINTER_MAX];
        snprintf(ptr, sizeof ptr, "/sections/%.60s", name);
        struct cairn_plan_part *part = cairn_plan_part_find(p, name);
        if (!part) {
            rc = cairn_error_field(err, CAIRN_ERR_INVALID, ptr, "this %s has no such section",
                                   cairn_plan_kind_str(p->kind));
            goto out;
        }
        if (!json_is_array(items) || json_array_size(items) > CAIRN_PLAN_ITEMS_MAX) {
            rc = cairn_error_field(err, CAIRN_ERR_INVALID, ptr,
                                   "expected a list of at most %d items", CAIRN_PLAN_ITEMS_MAX);
            goto out;
        }
        size_t i;
        json_t *v;
        json_array_foreach(items, i, v)
        {
            if ((rc = import_item(p, part, i, v, err)) != CAIRN_OK)
                goto out;
            part->nitems = i + 1;
        }
    }
    rc = cairn_plan_validate(p, err);
out:
    json_decref(doc);
    return rc;
}

/* --- editing --------------------------------------------------------------- */

enum cairn_status cairn_plan_add_item(struct cairn_plan *p, const char *name, const char *text,
                                      struct cairn_error *err)
{
    struct cairn_plan_part *part = cairn_plan_part_find(p, name);
    enum cairn_status rc;
    if (!part)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "section",
                                 "this %s has no section '%.40s'", cairn_plan_kind_str(p->kind),
                                 name);
    if (part->nitems == CAIRN_PLAN_ITEMS_MAX)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "section",
                                 "%s already holds %d items, the most a section may", name,
                                 CAIRN_PLAN_ITEMS_MAX);
    if ((rc = check_text(text, CAIRN_PLAN_TEXT_MAX, true, "text", err)) != CAIRN_OK)
        return rc;
    struct cairn_plan_item *it = &part->items[part->nitems];
    memset(it, 0, sizeof *it);
    snprintf(it->text, sizeof it->text, "%s", text);
    if (part_fields(p->kind, part->section) & F_TARGET)
        it->weekly_target = 1;
    part->nitems++;
    return CAIRN_OK;
}

enum cairn_status cairn_plan_remove_item(struct cairn_plan *p, const char *name, size_t n,
                                         struct cairn_error *err)
{
    struct cairn_plan_part *part = cairn_plan_part_find(p, name);
    if (!part)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "section",
                                 "this %s has no section '%.40s'", cairn_plan_kind_str(p->kind),
                                 name);
    if (n < 1 || n > part->nitems)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "item",
                                 "%s has %zu items: give a number from 1 to %zu", name,
                                 part->nitems, part->nitems);
    char key[CAIRN_PLAN_KEY_BYTES];
    memcpy(key, part->items[n - 1].key, sizeof key);
    memmove(&part->items[n - 1], &part->items[n], (part->nitems - n) * sizeof part->items[0]);
    part->nitems--;
    if (p->kind != CAIRN_PLAN_RELAPSE || part->section != CAIRN_SECTION_COPING || !key[0])
        return CAIRN_OK;
    /* A removed coping strategy answers no trigger any more. */
    for (size_t s = 0; s < p->nparts; s++)
        for (size_t i = 0; i < p->parts[s].nitems; i++) {
            struct cairn_plan_item *it = &p->parts[s].items[i];
            size_t kept = 0;
            for (size_t k = 0; k < it->ncopes; k++)
                if (strcmp(it->copes[k], key) != 0)
                    memmove(it->copes[kept++], it->copes[k], CAIRN_PLAN_KEY_BYTES);
            it->ncopes = kept;
        }
    return CAIRN_OK;
}

static void emit_item(struct yemitter *em, const struct cairn_plan *p, int section,
                      const struct cairn_plan_item *it)
{
    unsigned fields = part_fields(p->kind, section);
    yemit_start(em, true, false);
    yemit_scalar(em, "key", YAML_PLAIN_SCALAR_STYLE);
    yemit_scalar(em, it->key, YAML_PLAIN_SCALAR_STYLE);
    yemit_pair(em, text_field(p->kind, section), it->text);
    if (fields & F_RELATION)
        yemit_pair(em, "relation", it->relation);
    if (fields & F_PHONE)
        yemit_pair(em, "phone", it->phone);
    if (fields & F_ROLE)
        yemit_pair(em, "role", it->role);
    if (fields & F_TARGET) {
        char n[16];
        snprintf(n, sizeof n, "%d", it->weekly_target);
        yemit_scalar(em, "weekly_target", YAML_PLAIN_SCALAR_STYLE);
        yemit_scalar(em, n, YAML_PLAIN_SCALAR_STYLE);
    }
    if (fields & F_COPES) {
        yemit_scalar(em, "copes", YAML_PLAIN_SCALAR_STYLE);
        yemit_start(em, false, true);
        for (size_t k = 0; k < it->ncopes; k++)
            yemit_scalar(em, it->copes[k], YAML_PLAIN_SCALAR_STYLE);
        yemit_end(em, false);
    }
    yemit_end(em, true);
}

static const char yaml_help_plan[] =
    "Edit, save and quit to store a new revision. Leave it unchanged, or empty the\n"
    "file, to cancel. Lines starting with # are comments.\n"
    "status: draft or active (active signs the plan). next_review_date: YYYY-MM-DD or null.\n"
    "Items keep their key (t1, c2, ...); write a new item without one, even as\n"
    "just - \"text\". A trigger's copes lists the keys of the coping strategies\n"
    "that answer it. Supports have name, relation, phone and role; social goals a\n"
    "weekly_target (times a week).\n";

static const char yaml_help_safety[] =
    "Edit, save and quit to store a new revision. Leave it unchanged, or empty the\n"
    "file, to cancel. Lines starting with # are comments.\n"
    "The sections follow the steps of safety planning in order. Items keep their\n"
    "key (w1, p2, ...); write a new item without one, even as just - \"text\".\n"
    "help_contacts and professionals may have a phone.\n";

enum cairn_status cairn_plan_render_yaml(const struct cairn_plan *p, const char *header,
                                         char **yaml, struct cairn_error *err)
{
    struct ybuf b = {0};
    struct yemitter em = {.failed = false};
    *yaml = NULL;
    if (header)
        ycomment_lines(&b, header);
    ycomment_lines(&b, p->kind == CAIRN_PLAN_SAFETY ? yaml_help_safety : yaml_help_plan);
    if (!yemit_open(&em, &b)) {
        free(b.s);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing a plan");
    }
    yemit_start(&em, true, false);
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        yemit_scalar(&em, "status", YAML_PLAIN_SCALAR_STYLE);
        yemit_scalar(&em, p->status, YAML_PLAIN_SCALAR_STYLE);
        yemit_scalar(&em, "next_review_date", YAML_PLAIN_SCALAR_STYLE);
        yemit_scalar(&em, p->next_review_date[0] ? p->next_review_date : "null",
                     YAML_PLAIN_SCALAR_STYLE);
    }
    yemit_scalar(&em, "sections", YAML_PLAIN_SCALAR_STYLE);
    yemit_start(&em, true, false);
    for (size_t s = 0; s < p->nparts; s++) {
        const struct cairn_plan_part *part = &p->parts[s];
        yemit_scalar(&em, cairn_plan_part_name(p->kind, part->section), YAML_PLAIN_SCALAR_STYLE);
        yemit_start(&em, false, part->nitems == 0);
        for (size_t i = 0; i < part->nitems; i++)
            emit_item(&em, p, part->section, &part->items[i]);
        yemit_end(&em, false);
    }
    yemit_end(&em, true);
    yemit_end(&em, true);
    if (!yemit_close(&em)) {
        free(b.s);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "could not write the plan as YAML");
    }
    return ybuf_take(&b, yaml, err);
}

/* Where a parse keeps the nodes it needs for checks across sections. */
struct yparse {
    struct cairn_plan *plan;
    struct cairn_plan_part *part;
    const struct ytree_node *key_at[CAIRN_PLAN_PARTS_MAX][CAIRN_PLAN_ITEMS_MAX];
    const struct ytree_node *link_at[CAIRN_PLAN_ITEMS_MAX][CAIRN_PLAN_LINKS_MAX];
    size_t part_index;
    bool failed_item; /* an item was refused: skip cross checks that would mislead */
};

static void link_item(struct ytree_walk *w, const struct ytree_node *n, size_t k, void *ctx)
{
    struct yparse *yp = ctx;
    struct cairn_plan_item *it = &yp->part->items[yp->part->nitems];
    char key[CAIRN_PLAN_KEY_BYTES * 2];
    if (!ytree_text(w, n, CAIRN_PLAN_KEY_BYTES - 1, key, sizeof key)) {
        yp->failed_item = true;
        return;
    }
    memcpy(it->copes[k], key, CAIRN_PLAN_KEY_BYTES);
    yp->link_at[yp->part->nitems][k] = n;
    it->ncopes = k + 1;
}

static void yaml_item(struct ytree_walk *w, const struct ytree_node *n, size_t i, void *ctx)
{
    struct yparse *yp = ctx;
    struct cairn_plan *p = yp->plan;
    struct cairn_plan_part *part = yp->part;
    int section = part->section;
    unsigned fields = part_fields(p->kind, section);
    const char *tf = text_field(p->kind, section);
    struct cairn_plan_item *it = &part->items[part->nitems];
    bool ok = true;
    (void)i;
    memset(it, 0, sizeof *it);
    if (fields & F_TARGET)
        it->weekly_target = 1;
    if (n->kind == YT_SCALAR) {
        if (!ytree_text(w, n, CAIRN_PLAN_TEXT_MAX, it->text, sizeof it->text)) {
            yp->failed_item = true;
            return;
        }
        part->nitems++;
        return;
    }
    const char *keys[8];
    size_t nkeys = 0;
    keys[nkeys++] = "key";
    keys[nkeys++] = tf;
    if (fields & F_RELATION)
        keys[nkeys++] = "relation";
    if (fields & F_PHONE)
        keys[nkeys++] = "phone";
    if (fields & F_ROLE)
        keys[nkeys++] = "role";
    if (fields & F_TARGET)
        keys[nkeys++] = "weekly_target";
    if (fields & F_COPES)
        keys[nkeys++] = "copes";
    const struct ytree_node *f[8];
    if (!ytree_fields(w, n, keys, nkeys, 1u << 1, f)) {
        yp->failed_item = true;
        return;
    }
    for (size_t k = 0; k < nkeys; k++) {
        if (!f[k])
            continue;
        size_t mark = ytree_path_push(&w->path, keys[k]);
        const char *name = keys[k];
        if (!strcmp(name, "key")) {
            char key[64];
            char letter = part_letter(p->kind, section);
            if (ytree_scalar_type(f[k]) == YT_NULL) {
                /* a new item */
            } else if (!ytree_text(w, f[k], 5, key, sizeof key)) {
                ok = false;
            } else if (!key_number(key, letter)) {
                ytree_fail(w, f[k],
                           "a key in %s is '%c' and a number, like %c1; leave it out for a new "
                           "item",
                           cairn_plan_part_name(p->kind, section), letter, letter);
                ok = false;
            } else {
                for (size_t j = 0; j < part->nitems; j++)
                    if (!strcmp(part->items[j].key, key)) {
                        ytree_fail(w, f[k], "key %s is used twice (line %d)", key,
                                   yp->key_at[yp->part_index][j]->line);
                        ok = false;
                    }
                memcpy(it->key, key, sizeof it->key);
                yp->key_at[yp->part_index][part->nitems] = f[k];
            }
        } else if (!strcmp(name, tf)) {
            ok &= ytree_text(w, f[k], CAIRN_PLAN_TEXT_MAX, it->text, sizeof it->text);
        } else if (!strcmp(name, "weekly_target")) {
            ok &= ytree_int(w, f[k], 1, 21, &it->weekly_target);
        } else if (!strcmp(name, "copes")) {
            if (ytree_scalar_type(f[k]) != YT_NULL || f[k]->kind != YT_SCALAR) {
                if (ytree_list(w, f[k], 0, CAIRN_PLAN_LINKS_MAX, "coping key"))
                    ytree_each(w, f[k], link_item, yp);
                else
                    ok = false;
            }
        } else {
            char *dst = !strcmp(name, "relation") ? it->relation
                        : !strcmp(name, "phone")  ? it->phone
                                                  : it->role;
            /* An empty optional field may be written "" or left null. */
            if (ytree_scalar_type(f[k]) != YT_NULL &&
                !(f[k]->kind == YT_SCALAR && !f[k]->plain && f[k]->len == 0))
                ok &= ytree_text(w, f[k], CAIRN_PLAN_SHORT_MAX, dst, CAIRN_PLAN_SHORT_BYTES);
        }
        ytree_path_pop(&w->path, mark);
    }
    if (!ok) {
        yp->failed_item = true;
        return;
    }
    if (!it->key[0])
        yp->key_at[yp->part_index][part->nitems] = n;
    part->nitems++;
}

static void yaml_validate(struct ytree_walk *w, const struct ytree_node *root, struct yparse *yp)
{
    struct cairn_plan *p = yp->plan;
    static const char *const plan_keys[] = {"sections", "status", "next_review_date"};
    const struct ytree_node *f[3] = {0};
    if (root->kind != YT_MAP) {
        ytree_fail(w, root, "expected a mapping with the key sections, got %s",
                   ytree_node_word(root));
        return;
    }
    if (!ytree_fields(w, root, plan_keys, p->kind == CAIRN_PLAN_RELAPSE ? 3 : 1, 1u, f))
        return;
    if (f[1]) {
        static const char *const names[] = {"draft", "active"};
        size_t mark = ytree_path_push(&w->path, "status");
        int v;
        if (ytree_enum(w, f[1], names, 2, "status", &v))
            snprintf(p->status, sizeof p->status, "%s", names[v]);
        ytree_path_pop(&w->path, mark);
    }
    if (f[2])
        YTREE_WITH_KEY(w, "next_review_date", {
            char date[64];
            int32_t day;
            struct cairn_error e;
            p->next_review_date[0] = '\0';
            if (ytree_scalar_type(f[2]) == YT_NULL) {
                /* no date */
            } else if (ytree_text(w, f[2], 10, date, sizeof date)) {
                if (cairn_date_parse(date, &day, &e) != CAIRN_OK)
                    ytree_fail(w, f[2], "%s", e.message);
                else
                    cairn_date_format(day, p->next_review_date);
            }
        });
    for (size_t s = 0; s < p->nparts; s++)
        p->parts[s].nitems = 0;
    if (!f[0])
        return;
    size_t smark = ytree_path_push(&w->path, "sections");
    if (ytree_want_kind(w, f[0], YT_MAP, "a mapping of sections")) {
        for (const struct ytree_node *k = f[0]->child; k && k->next; k = k->next->next) {
            if (k->invalid)
                continue;
            size_t mark = ytree_path_push(&w->path, k->text);
            struct cairn_plan_part *part = cairn_plan_part_find(p, k->text);
            if (!part) {
                char list[512] = "";
                size_t used = 0;
                for (size_t s = 0; s < p->nparts && used < sizeof list; s++)
                    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", s ? ", " : "",
                                             cairn_plan_part_name(p->kind, p->parts[s].section));
                char shown[64];
                ytree_fail(w, k, "unknown section '%s' (this %s has %s)",
                           ytree_shown(k, shown, sizeof shown), cairn_plan_kind_str(p->kind), list);
            } else {
                yp->part = part;
                yp->part_index = (size_t)(part - p->parts);
                const struct ytree_node *v = k->next;
                if (!(v->kind == YT_SCALAR && ytree_scalar_type(v) == YT_NULL) &&
                    ytree_list(w, v, 0, CAIRN_PLAN_ITEMS_MAX, "item"))
                    ytree_each(w, v, yaml_item, yp);
            }
            ytree_path_pop(&w->path, mark);
        }
    }
    ytree_path_pop(&w->path, smark);
    /* Links, once every coping key is known. */
    const struct cairn_plan_part *coping = part_of(p, CAIRN_SECTION_COPING);
    const struct cairn_plan_part *triggers = part_of(p, CAIRN_SECTION_TRIGGERS);
    if (p->kind != CAIRN_PLAN_RELAPSE || !triggers || yp->failed_item)
        return;
    for (size_t i = 0; i < triggers->nitems; i++)
        for (size_t k = 0; k < triggers->items[i].ncopes; k++) {
            const char *key = triggers->items[i].copes[k];
            size_t mark = ytree_path_push(&w->path, "sections");
            ytree_path_push(&w->path, "triggers");
            ytree_path_push_index(&w->path, i);
            ytree_path_push(&w->path, "copes");
            ytree_path_push_index(&w->path, k);
            if (!has_key(coping, key))
                ytree_fail(w, yp->link_at[i][k], "'%s' is not the key of a coping strategy%s", key,
                           coping ? " of this plan" : ": this plan has no coping section");
            for (size_t j = 0; j < k; j++)
                if (!strcmp(triggers->items[i].copes[j], key))
                    ytree_fail(w, yp->link_at[i][k], "%s is linked twice", key);
            ytree_path_pop(&w->path, mark);
        }
}

enum cairn_status cairn_plan_parse_yaml(struct cairn_plan *p, const char *text, size_t len,
                                        struct cairn_template_diags *diags, struct cairn_error *err)
{
    struct cairn_template_diags local;
    struct cairn_template_diags *d = diags ? diags : &local;
    struct yparse *yp = calloc(1, sizeof *yp);
    enum cairn_status rc = CAIRN_OK;
    memset(d, 0, sizeof *d);
    if (!yp)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a plan");
    yp->plan = p;
    struct ytree_loader ld = {
        .diags = d,
        .what = cairn_plan_kind_str(p->kind),
        .empty = "the file is empty: a plan is a mapping with the key sections",
        .max_scalar = 4 * CAIRN_PLAN_TEXT_MAX,
    };
    const struct ytree_node *root = ytree_load(&ld, text ? text : "", text ? len : 0);
    if (root && !ld.nomem) {
        struct ytree_walk w = {.diags = d};
        yaml_validate(&w, root, yp);
    }
    ytree_free(&ld);
    free(yp);
    if (ld.nomem)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a plan");
    if (d->count == 0) {
        /* Cannot fail on what the walk checked; assigns the new keys. */
        rc = cairn_plan_validate(p, err);
        if (rc == CAIRN_ERR_INVALID && err)
            ytree_add_diag(d, 1, 1, err->pointer, "%s", err->message);
        return rc;
    }
    ytree_sort_diags(d);
    const struct cairn_template_diag *first = &d->items[0];
    cairn_error_field(err, CAIRN_ERR_INVALID, first->pointer, "%s", first->message);
    if (err) {
        err->line = first->line;
        err->col = first->col;
    }
    return CAIRN_ERR_INVALID;
}

/* --- diff ------------------------------------------------------------------ */

/* One line saying everything an item holds, to compare and to show. */
static void item_summary(enum cairn_plan_kind kind, int section, const struct cairn_plan_item *it,
                         struct ybuf *b)
{
    unsigned fields = part_fields(kind, section);
    ybuf_printf(b, "%s", it->text);
    if (fields & (F_RELATION | F_PHONE | F_ROLE)) {
        const char *parts[] = {it->relation, it->phone, it->role};
        bool any = false;
        for (size_t k = 0; k < 3; k++)
            if (parts[k][0]) {
                ybuf_printf(b, "%s%s", any ? "; " : " (", parts[k]);
                any = true;
            }
        if (any)
            ybuf_add(b, ")", 1);
    }
    if (fields & F_TARGET)
        ybuf_printf(b, " (%d a week)", it->weekly_target);
    if ((fields & F_COPES) && it->ncopes) {
        ybuf_printf(b, " [copes");
        for (size_t k = 0; k < it->ncopes; k++)
            ybuf_printf(b, "%s%s", k ? ", " : " ", it->copes[k]);
        ybuf_add(b, "]", 1);
    }
}

void cairn_plan_item_line(enum cairn_plan_kind kind, int section,
                          const struct cairn_plan_item *item, char *out, size_t size)
{
    struct ybuf b = {0};
    item_summary(kind, section, item, &b);
    snprintf(out, size, "%s", b.s && !b.nomem ? b.s : "");
    free(b.s);
}

static const struct cairn_plan_item *item_by_key(const struct cairn_plan_part *part,
                                                 const char *key)
{
    for (size_t i = 0; part && i < part->nitems; i++)
        if (!strcmp(part->items[i].key, key))
            return &part->items[i];
    return NULL;
}

static void diff_part(enum cairn_plan_kind kind, int section, const struct cairn_plan_part *a,
                      const struct cairn_plan_part *b, struct ybuf *out)
{
    struct ybuf lines = {0}, x = {0}, y = {0};
    for (size_t i = 0; a && i < a->nitems; i++)
        if (!item_by_key(b, a->items[i].key)) {
            x.len = 0;
            item_summary(kind, section, &a->items[i], &x);
            ybuf_printf(&lines, "  - [%s] %s\n", a->items[i].key, x.s ? x.s : "");
        }
    for (size_t i = 0; b && i < b->nitems; i++) {
        const struct cairn_plan_item *old = item_by_key(a, b->items[i].key);
        y.len = 0;
        item_summary(kind, section, &b->items[i], &y);
        if (!old) {
            ybuf_printf(&lines, "  + [%s] %s\n", b->items[i].key, y.s ? y.s : "");
            continue;
        }
        x.len = 0;
        item_summary(kind, section, old, &x);
        if (strcmp(x.s ? x.s : "", y.s ? y.s : ""))
            ybuf_printf(&lines, "  ~ [%s] %s -> %s\n", b->items[i].key, x.s, y.s);
    }
    if (lines.len)
        ybuf_printf(out, "%s:\n%s", cairn_plan_part_name(kind, section), lines.s);
    if (lines.nomem || x.nomem || y.nomem)
        out->nomem = true;
    free(lines.s);
    free(x.s);
    free(y.s);
}

enum cairn_status cairn_plan_diff(const struct cairn_plan *a, const struct cairn_plan *b,
                                  char **out, struct cairn_error *err)
{
    struct ybuf d = {0};
    if (a->kind == CAIRN_PLAN_RELAPSE) {
        if (strcmp(a->status, b->status))
            ybuf_printf(&d, "status: %s -> %s\n", a->status, b->status);
        if (strcmp(a->next_review_date, b->next_review_date))
            ybuf_printf(&d, "next_review_date: %s -> %s\n",
                        a->next_review_date[0] ? a->next_review_date : "(none)",
                        b->next_review_date[0] ? b->next_review_date : "(none)");
    }
    for (int s = 0; s < section_count(b->kind); s++) {
        const struct cairn_plan_part *pa = part_of(a, s), *pb = part_of(b, s);
        if (pa || pb)
            diff_part(b->kind, s, pa, pb, &d);
    }
    return ybuf_take(&d, out, err);
}

/* --- lapse ----------------------------------------------------------------- */

enum cairn_status cairn_lapse_validate(const struct cairn_lapse *l, int32_t today,
                                       struct cairn_error *err)
{
    int32_t day;
    enum cairn_status rc;
    if (cairn_date_parse(l->date, &day, err) != CAIRN_OK) {
        if (err)
            snprintf(err->pointer, sizeof err->pointer, "date");
        return CAIRN_ERR_INVALID;
    }
    if (day > today) {
        char t[CAIRN_DATE_LEN + 1];
        cairn_date_format(today, t);
        return cairn_error_field(err, CAIRN_ERR_INVALID, "date",
                                 "%s is in the future (today is %s): log what happened", l->date,
                                 t);
    }
    if (strcmp(l->kind, "lapse") && strcmp(l->kind, "relapse"))
        return cairn_error_field(err, CAIRN_ERR_INVALID, "kind",
                                 "unknown kind '%.20s' (expected lapse or relapse)", l->kind);
    if ((rc = check_text(l->trigger, CAIRN_LAPSE_TEXT_MAX, false, "trigger", err)) != CAIRN_OK ||
        (rc = check_text(l->coping, CAIRN_LAPSE_TEXT_MAX, false, "coping", err)) != CAIRN_OK ||
        (rc = check_text(l->note, CAIRN_LAPSE_TEXT_MAX, false, "note", err)) != CAIRN_OK)
        return rc;
    return CAIRN_OK;
}
