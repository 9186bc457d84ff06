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
    if (malformed || is_control(cp))
        return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : (size_t)w;
}

size_t cairn_text_width(const char *s)
{
    return cairn_text_fit(s, 0, NULL, 0);
}

size_t cairn_text_fit(const char *s, size_t max_cols, char *out, size_t outsize)
{
    size_t n = strlen(s), i = 0, cols = 0, o = 0;
    size_t total = 0;
    bool cut = false;

    /* First pass: does it fit whole? */
    if (max_cols) {
        while (i < n) {
            unsigned cp;
            size_t used = cairn_utf8_decode(s + i, n - i, &cp);
            total += cp_width(cp, cp == 0xFFFD && used == 1);
            i += used;
        }
        cut = total > max_cols;
        i = 0;
    }
    size_t budget = max_cols ? (cut ? max_cols - 1 : max_cols) : (size_t)-1;
    while (i < n) {
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
