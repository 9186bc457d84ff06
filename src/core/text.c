/* UTF-8 decoding and terminal-safe, width-aware truncation. */
#include "cairn/text.h"

#include <string.h>
#include <wchar.h>

size_t cairn_utf8_decode(const char *str, size_t n, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        goto bad;
    }
    if (n < len)
        goto bad;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto bad;
    *cp = c;
    return len;
bad:
    *cp = 0xFFFD;
    return 1;
}

bool cairn_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned cp;
        size_t used = cairn_utf8_decode(s + i, n - i, &cp);
        if (cp == 0xFFFD && !(used == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0))
            return false;
        i += used;
    }
    return true;
}

static bool is_control(unsigned cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

bool cairn_text_has_control(const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        unsigned cp;
        i += cairn_utf8_decode(s + i, n - i, &cp);
        if (is_control(cp))
            return true;
    }
    return false;
}

/* Columns one code point takes once sanitized; 0 for combining marks. */
static size_t cp_width(unsigned cp, bool malformed)
{
    if (cp >= 0x20 && cp < 0x7F) /* printable ASCII: the common case, without wcwidth() */
        return 1;
    if (malformed || is_control(cp))
        return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : (size_t)w;
}

/* How many bytes from s on (at most n) are printable ASCII. */
static size_t printable_run(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && (unsigned char)s[k] >= 0x20 && (unsigned char)s[k] < 0x7F)
        k++;
    return k;
}

size_t cairn_text_width(const char *s)
{
    return cairn_text_fit(s, 0, NULL, 0);
}

size_t cairn_text_fit(const char *s, size_t max_cols, char *out, size_t outsize)
{
    /* Fast path: printable ASCII that fits takes one column a byte and is
     * copied as it is (most cells of every list). */
    size_t ascii = 0;
    while ((unsigned char)s[ascii] >= 0x20 && (unsigned char)s[ascii] < 0x7F)
        ascii++;
    if (!s[ascii] && (!max_cols || ascii <= max_cols) && (!out || ascii < outsize)) {
        if (out)
            memcpy(out, s, ascii + 1);
        return ascii;
    }
    size_t n = ascii + strlen(s + ascii), i = 0, cols = 0, o = 0;
    size_t total = 0;
    bool cut = false;

    /* Runs of printable ASCII (a column a byte, nothing to replace) are
     * taken whole; the rest a character at a time. */
    /* First pass: does it fit whole? */
    if (max_cols) {
        while (i < n) {
            size_t run = printable_run(s + i, n - i);
            if (run) {
                total += run;
                i += run;
                continue;
            }
            unsigned cp;
            size_t used = cairn_utf8_decode(s + i, n - i, &cp);
            total += cp_width(cp, cp == 0xFFFD && used == 1);
            i += used;
        }
        cut = total > max_cols;
        i = 0;
    }
    size_t budget = max_cols ? (cut ? max_cols - 1 : max_cols) : (size_t)-1;
    /* Bytes written stay below `room`, keeping space for the NUL and
     * for an ellipsis when something is cut. */
    size_t reserve = 1 + (cut ? 3 : 0), room = out && outsize > reserve ? outsize - reserve : 0;
    while (i < n) {
        size_t run = printable_run(s + i, n - i);
        if (run) {
            size_t take = run;
            if (take > budget - cols)
                take = budget - cols;
            if (out && take > (room > o ? room - o : 0))
                take = room > o ? room - o : 0;
            if (out)
                memcpy(out + o, s + i, take);
            o += out ? take : 0;
            cols += take;
            i += take;
            if (take < run)
                break;
            continue;
        }
        unsigned cp;
        size_t used = cairn_utf8_decode(s + i, n - i, &cp);
        bool malformed = cp == 0xFFFD && used == 1;
        size_t w = cp_width(cp, malformed);
        if (cols + w > budget)
            break;
        if (out) {
            bool safe = !malformed && !is_control(cp);
            size_t need = safe ? used : 1;
            if (o + need + (cut ? 3 : 0) >= outsize)
                break;
            if (safe)
                memcpy(out + o, s + i, used);
            else
                out[o] = '?';
            o += need;
        }
        cols += w;
        i += used;
    }
    /* The ellipsis counts only when it is there: a buffer too small for it
     * gets none, and the returned width must match what was written. */
    if (cut && (!out || o + 3 < outsize)) {
        if (out) {
            memcpy(out + o, "\xE2\x80\xA6", 3);
            o += 3;
        }
        cols += 1;
    }
    if (out && outsize)
        out[o] = '\0';
    return cols;
}

/* Latin letters with diacritics and the ligatures, folded to lower-case
 * ASCII: one row per run of code points sharing a folding. */
static const struct fold_range {
    unsigned first, last;
    const char *to;
} latin_folds[] = {
    {0x00C0, 0x00C5, "a"},  {0x00C6, 0x00C6, "ae"}, {0x00C7, 0x00C7, "c"},  {0x00C8, 0x00CB, "e"},
    {0x00CC, 0x00CF, "i"},  {0x00D0, 0x00D0, "d"},  {0x00D1, 0x00D1, "n"},  {0x00D2, 0x00D6, "o"},
    {0x00D8, 0x00D8, "o"},  {0x00D9, 0x00DC, "u"},  {0x00DD, 0x00DD, "y"},  {0x00DE, 0x00DE, "th"},
    {0x00DF, 0x00DF, "ss"}, {0x00E0, 0x00E5, "a"},  {0x00E6, 0x00E6, "ae"}, {0x00E7, 0x00E7, "c"},
    {0x00E8, 0x00EB, "e"},  {0x00EC, 0x00EF, "i"},  {0x00F0, 0x00F0, "d"},  {0x00F1, 0x00F1, "n"},
    {0x00F2, 0x00F6, "o"},  {0x00F8, 0x00F8, "o"},  {0x00F9, 0x00FC, "u"},  {0x00FD, 0x00FD, "y"},
    {0x00FE, 0x00FE, "th"}, {0x00FF, 0x00FF, "y"},  {0x0100, 0x0105, "a"},  {0x0106, 0x010D, "c"},
    {0x010E, 0x0111, "d"},  {0x0112, 0x011B, "e"},  {0x011C, 0x0123, "g"},  {0x0124, 0x0127, "h"},
    {0x0128, 0x0131, "i"},  {0x0132, 0x0133, "ij"}, {0x0134, 0x0135, "j"},  {0x0136, 0x0138, "k"},
    {0x0139, 0x0142, "l"},  {0x0143, 0x014B, "n"},  {0x014C, 0x0151, "o"},  {0x0152, 0x0153, "oe"},
    {0x0154, 0x0159, "r"},  {0x015A, 0x0161, "s"},  {0x0162, 0x0167, "t"},  {0x0168, 0x0173, "u"},
    {0x0174, 0x0175, "w"},  {0x0176, 0x0178, "y"},  {0x0179, 0x017E, "z"},  {0x017F, 0x017F, "s"},
    {0x0218, 0x0219, "s"},  {0x021A, 0x021B, "t"},
};

/* The lower-case partner of an upper-case Greek or Cyrillic letter, else cp. */
static unsigned fold_case(unsigned cp)
{
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2)
        return cp + 0x20;
    if (cp >= 0x0410 && cp <= 0x042F)
        return cp + 0x20;
    if (cp >= 0x0400 && cp <= 0x040F)
        return cp + 0x50;
    return cp;
}

static size_t put_utf8(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t cairn_text_fold(const char *s, char *out, size_t outsize)
{
    size_t o = 0, n = strlen(s);
    if (outsize == 0)
        return 0;
    while (n) {
        unsigned cp;
        size_t used = cairn_utf8_decode(s, n, &cp);
        s += used, n -= used;
        char buf[4];
        const char *piece = buf;
        size_t len;
        if (cp >= 0x0300 && cp <= 0x036F)
            continue; /* combining accents: "e" + U+0301 folds like "é" */
        if (cp < 0x80) {
            buf[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
            len = 1;
        } else if (cp == 0xFFFD && used == 1) {
            buf[0] = '?'; /* a malformed byte */
            len = 1;
        } else {
            const struct fold_range *r = NULL;
            for (size_t i = 0; i < sizeof latin_folds / sizeof latin_folds[0] && !r; i++)
                if (cp >= latin_folds[i].first && cp <= latin_folds[i].last)
                    r = &latin_folds[i];
            if (r) {
                piece = r->to;
                len = strlen(r->to);
            } else {
                len = put_utf8(fold_case(cp), buf);
            }
        }
        if (o + len >= outsize)
            break; /* never cut a character */
        memcpy(out + o, piece, len);
        o += len;
    }
    out[o] = '\0';
    return o;
}

enum cairn_status cairn_text_check(const char *value, const char *field, bool required,
                                   size_t max_chars, struct cairn_error *err)
{
    size_t n = strlen(value);
    if (!cairn_utf8_valid(value, n))
        return cairn_error_field(err, CAIRN_ERR_INVALID, field, "not valid UTF-8 text");
    if (cairn_text_has_control(value))
        return cairn_error_field(err, CAIRN_ERR_INVALID, field,
                                 "contains a control character (tab, newline or escape)");
    bool blank = true;
    for (size_t i = 0; i < n && blank; i++)
        blank = value[i] == ' ';
    if (required && blank)
        return cairn_error_field(err, CAIRN_ERR_INVALID, field, "is required");
    if (!blank && (value[0] == ' ' || value[n - 1] == ' '))
        return cairn_error_field(err, CAIRN_ERR_INVALID, field, "has leading or trailing spaces");
    if (max_chars) {
        size_t chars = 0;
        for (size_t i = 0; i < n; i++)
            chars += ((unsigned char)value[i] & 0xC0) != 0x80;
        if (chars > max_chars)
            return cairn_error_field(err, CAIRN_ERR_INVALID, field,
                                     "is %zu characters long; at most %zu fit", chars, max_chars);
    }
    return CAIRN_OK;
}
