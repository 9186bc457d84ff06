/* cairn — UTF-8 text: validation, display width, and making stored text safe
 * to draw on a terminal.
 *
 * Display widths come from wcwidth(3), so the front end must have set an
 * LC_CTYPE with UTF-8 (the CLI and TUI fall back to C.UTF-8). Invalid UTF-8
 * and control characters are never passed through to a terminal.
 */
#ifndef CAIRN_TEXT_H
#define CAIRN_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/status.h"

/* True when the n bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). */
bool cairn_utf8_valid(const char *s, size_t n);

/* True when s contains a C0 or C1 control character or DEL (tab included). */
bool cairn_text_has_control(const char *s);

/* Checks free text a person typed for field `field`: valid UTF-8, no
 * control characters, no leading or trailing spaces, not blank when
 * `required`, and at most `max_chars` characters (0: no limit). The first
 * problem goes to err with the field as its pointer. */
enum cairn_status cairn_text_check(const char *value, const char *field, bool required,
                                   size_t max_chars, struct cairn_error *err);

/* Decodes one code point from s (at most n bytes). Returns the number of
 * bytes used (1-4) and stores the code point in *cp; on a malformed
 * sequence returns 1 and stores U+FFFD. Returns 0 when n == 0. */
size_t cairn_utf8_decode(const char *s, size_t n, unsigned *cp);

/* Terminal columns the NUL-terminated UTF-8 string takes once sanitized
 * (control characters and malformed bytes count as the one column of their
 * replacement). */
size_t cairn_text_width(const char *s);

/* Copies s into out (outsize bytes, always NUL-terminated) so that it is
 * safe to draw: control characters become U+FFFD's ASCII stand-in '?',
 * malformed UTF-8 becomes '?', and the result is cut at a character
 * boundary so it takes at most max_cols columns; when something was cut the
 * last column is an ellipsis "…". max_cols of 0 means no width limit.
 * Returns the columns the result takes. */
size_t cairn_text_fit(const char *s, size_t max_cols, char *out, size_t outsize);

/* Folds s for matching and ordering names the way people read them: ASCII
 * and Greek/Cyrillic letters to lower case, Latin letters with diacritics
 * and ligatures to their ASCII base ("Ångström" -> "angstrom", "ß" -> "ss"),
 * combining accents dropped; everything else is copied. A malformed byte
 * becomes '?'. Independent of the locale, so stored keys agree across
 * processes. The result is never longer than s and is cut only at a
 * character boundary to fit outsize bytes (NUL included). Returns its
 * length. */
size_t cairn_text_fold(const char *s, char *out, size_t outsize);

#endif
