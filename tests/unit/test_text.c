/* Unit tests for UTF-8 validation, display width and terminal-safe fitting
 * (src/core/text.c). Widths need a UTF-8 LC_CTYPE: main() sets C.UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "cairn/text.h"

#define VALID(lit)   assert_true(cairn_utf8_valid(lit, sizeof(lit) - 1))
#define INVALID(lit) assert_false(cairn_utf8_valid(lit, sizeof(lit) - 1))

static void test_utf8_valid_accepts_well_formed_text(void **state)
{
    (void)state;
    VALID("");
    VALID("plain ascii");
    VALID("Zo\xC3\xAB");               /* Zoë */
    VALID("\xE9\x99\xB3\xE5\xA4\xA7"); /* 陳大 */
    VALID("\xF0\x9F\x98\x80");         /* U+1F600 */
    VALID("\xF4\x8F\xBF\xBF");         /* U+10FFFF, the last code point */
    VALID("\xEF\xBF\xBD");             /* U+FFFD itself is a valid character */
    VALID("\xED\x9F\xBF");             /* U+D7FF, just below the surrogates */
    VALID("\xEE\x80\x80");             /* U+E000, just above them */
}

static void test_utf8_valid_refuses_malformed_sequences(void **state)
{
    (void)state;
    INVALID("\xC0\x80");         /* overlong NUL */
    INVALID("\xC1\xBF");         /* overlong */
    INVALID("\xE0\x80\x80");     /* overlong 3-byte */
    INVALID("\xF0\x80\x80\x80"); /* overlong 4-byte */
    INVALID("\xED\xA0\x80");     /* surrogate U+D800 */
    INVALID("\xED\xBF\xBF");     /* surrogate U+DFFF */
    INVALID("\xF4\x90\x80\x80"); /* above U+10FFFF */
    INVALID("\xF5\x80\x80\x80");
    INVALID("\xFF");
    INVALID("\x80");       /* lone continuation byte */
    INVALID("ab\xE2\x82"); /* truncated at the end */
    INVALID("\xE2\x82z");  /* truncated before ASCII */
    INVALID("Zo\xC3");
}

static void test_utf8_valid_checks_only_the_given_length(void **state)
{
    (void)state;
    /* A truncated sequence within n bytes is refused even if more follows. */
    assert_false(cairn_utf8_valid("Zo\xC3\xAB", 3));
    assert_true(cairn_utf8_valid("Zo\xC3\xAB", 4));
    assert_true(cairn_utf8_valid("ok\xFF", 2));
}

static void test_utf8_decode_reports_length_and_replacement(void **state)
{
    unsigned cp = 0;
    (void)state;
    assert_int_equal(cairn_utf8_decode("\xC3\xAB", 2, &cp), 2);
    assert_int_equal(cp, 0xEB);
    assert_int_equal(cairn_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(cairn_utf8_decode("\xED\xA0\x80", 3, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(cairn_utf8_decode("\xC3\xAB", 1, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(cairn_utf8_decode("x", 0, &cp), 0);
}

static void test_has_control_finds_c0_c1_del_and_tab(void **state)
{
    (void)state;
    assert_false(cairn_text_has_control("Zo\xC3\xAB Smith"));
    assert_true(cairn_text_has_control("a\tb"));
    assert_true(cairn_text_has_control("a\nb"));
    assert_true(cairn_text_has_control("\x1b[31m"));
    assert_true(cairn_text_has_control("a\x7f"));
    assert_true(cairn_text_has_control("a\xC2\x9B"
                                       "31m")); /* C1 CSI */
    assert_false(cairn_text_has_control(""));
}

static void test_width_counts_terminal_columns(void **state)
{
    (void)state;
    assert_int_equal(cairn_text_width(""), 0);
    assert_int_equal(cairn_text_width("abc"), 3);
    assert_int_equal(cairn_text_width("Zo\xC3\xAB"), 3);                           /* Zoë */
    assert_int_equal(cairn_text_width("\xE9\x99\xB3\xE5\xA4\xA7\xE6\x96\x87"), 6); /* 陳大文 */
    assert_int_equal(cairn_text_width("e\xCC\x81"), 1); /* e + combining acute */
}

static void test_width_counts_control_and_malformed_bytes_as_one_column(void **state)
{
    (void)state;
    assert_int_equal(cairn_text_width("a\x1b"
                                      "b"),
                     3);
    assert_int_equal(cairn_text_width("a\xFF"
                                      "b"),
                     3);
    assert_int_equal(cairn_text_width("a\xE2\x82"), 3);
}

static void test_fit_keeps_text_that_fits(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(cairn_text_fit("Zo\xC3\xAB", 3, out, sizeof out), 3);
    assert_string_equal(out, "Zo\xC3\xAB");
    assert_int_equal(cairn_text_fit("Zo\xC3\xAB", 0, out, sizeof out), 3);
    assert_string_equal(out, "Zo\xC3\xAB");
}

static void test_fit_truncates_with_ellipsis_at_character_boundary(void **state)
{
    char out[64];
    (void)state;
    /* "Ångström Zoë" in 6 columns: five characters and "…". */
    assert_int_equal(cairn_text_fit("\xC3\x85ngstr\xC3\xB6m Zo\xC3\xAB", 6, out, sizeof out), 6);
    assert_string_equal(out, "\xC3\x85ngst\xE2\x80\xA6");
    assert_true(cairn_utf8_valid(out, strlen(out)));
    assert_int_equal(cairn_text_width(out), 6);
}

static void test_fit_never_splits_a_wide_character(void **state)
{
    char out[64];
    (void)state;
    /* 陳大文 (6 columns) in 4: 陳 (2) + "…" (1); 大 would overflow. */
    size_t cols = cairn_text_fit("\xE9\x99\xB3\xE5\xA4\xA7\xE6\x96\x87", 4, out, sizeof out);
    assert_string_equal(out, "\xE9\x99\xB3\xE2\x80\xA6");
    assert_int_equal(cols, 3);
    assert_true(cols <= 4);
}

static void test_fit_never_splits_a_multibyte_character_when_buffer_is_short(void **state)
{
    char out[4];
    (void)state;
    /* "ééé" needs 6 bytes + NUL; a 4-byte buffer holds one whole "é". */
    cairn_text_fit("\xC3\xA9\xC3\xA9\xC3\xA9", 0, out, sizeof out);
    assert_true(cairn_utf8_valid(out, strlen(out)));
    assert_string_equal(out, "\xC3\xA9");
}

static void test_fit_replaces_escape_and_control_characters(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(cairn_text_fit("a\x1b[31mb", 0, out, sizeof out), 7);
    assert_string_equal(out, "a?[31mb");
    cairn_text_fit("tab\there\nnl\x7f", 0, out, sizeof out);
    assert_string_equal(out, "tab?here?nl?");
    cairn_text_fit("c1\xC2\x9B"
                   "2J",
                   0, out, sizeof out);
    assert_string_equal(out, "c1?2J");
}

static void test_fit_replaces_malformed_utf8_with_question_mark(void **state)
{
    char out[64];
    (void)state;
    cairn_text_fit("a\xFF"
                   "b\xED\xA0\x80"
                   "c",
                   0, out, sizeof out);
    assert_true(cairn_utf8_valid(out, strlen(out)));
    assert_int_equal(strchr(out, '\xFF') == NULL, 1);
    assert_int_equal(out[0], 'a');
    assert_int_equal(out[1], '?');
    assert_int_equal(out[2], 'b');
    assert_int_equal(out[strlen(out) - 1], 'c');
}

static void test_fit_to_one_column_is_just_the_ellipsis(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(cairn_text_fit("abc", 1, out, sizeof out), 1);
    assert_string_equal(out, "\xE2\x80\xA6");
}

static void test_fit_result_is_safe_and_within_limits_for_any_buffer(void **state)
{
    static const char *const inputs[] = {
        "",
        "abc",
        "\xC3\x85ngstr\xC3\xB6m Zo\xC3\xAB",
        "\xE9\x99\xB3\xE5\xA4\xA7\xE6\x96\x87",
        "e\xCC\x81\x65\xCC\x81", /* two e + combining acute */
        "a\x1b[31mb\xFF\xED\xA0\x80",
    };
    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        for (size_t max = 0; max <= 10; max++) {
            for (size_t size = 1; size <= 24; size++) {
                char out[24];
                memset(out, 'Z', sizeof out);
                size_t cols = cairn_text_fit(inputs[i], max, out, size);
                size_t len = strnlen(out, size);
                if (len >= size)
                    fail_msg("input %zu, max %zu, size %zu: not terminated", i, max, size);
                if (!cairn_utf8_valid(out, len) || cairn_text_has_control(out))
                    fail_msg("input %zu, max %zu, size %zu: unsafe output", i, max, size);
                if (max && cols > max)
                    fail_msg("input %zu, max %zu, size %zu: %zu columns", i, max, size, cols);
                if (cols != cairn_text_width(out))
                    fail_msg("input %zu, max %zu, size %zu: returned %zu columns for \"%s\" "
                             "(%zu wide)",
                             i, max, size, cols, out, cairn_text_width(out));
            }
        }
    }
}

static const char *fold(const char *in)
{
    static char out[256];
    size_t n = cairn_text_fold(in, out, sizeof out);
    assert_int_equal(n, strlen(out));
    assert_true(n <= strlen(in));
    return out;
}

static void test_fold_lowercases_and_strips_latin_diacritics(void **state)
{
    (void)state;
    assert_string_equal(fold("Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m"), "zoe angstrom");
    assert_string_equal(fold("\xC3\x89"
                             "lodie"),
                        "elodie");                                               /* Élodie */
    assert_string_equal(fold("Ada \xC3\x93 Riord\xC3\xA1in"), "ada o riordain"); /* Ó, á */
    assert_string_equal(fold("Stra\xC3\x9F"
                             "e"),
                        "strasse"); /* ß */
    assert_string_equal(fold("\xC3\x86"
                             "sa \xC5\x92uvre"),
                        "aesa oeuvre"); /* Æ, Œ */
    assert_string_equal(fold("\xC5\x81\xC3\xB3"
                             "d\xC5\xBA"),
                        "lodz"); /* Łódź */
    assert_string_equal(fold("Mi\xC5\xA1"
                             "ko \xC8\x98tefan"),
                        "misko stefan"); /* š, Ș */
    assert_string_equal(fold("MRN-0042"), "mrn-0042");
}

static void test_fold_drops_combining_accents(void **state)
{
    (void)state;
    /* "Noël" written with e + U+0308 folds like the precomposed form. */
    assert_string_equal(fold("Noe\xCC\x88l"), fold("No\xC3\xABl"));
    assert_string_equal(fold("Noe\xCC\x88l"), "noel");
}

static void test_fold_lowercases_greek_and_cyrillic_and_keeps_other_scripts(void **state)
{
    (void)state;
    assert_string_equal(fold("\xCE\x91\xCE\xBB\xCE\xAD\xCE\xBE"),
                        "\xCE\xB1\xCE\xBB\xCE\xAD\xCE\xBE");
    assert_string_equal(fold("\xD0\x9E\xD0\xBA\xD1\x81\xD0\xB0\xD0\xBD\xD0\xB0"),
                        "\xD0\xBE\xD0\xBA\xD1\x81\xD0\xB0\xD0\xBD\xD0\xB0"); /* Оксана */
    assert_string_equal(fold("\xD0\x81"), "\xD1\x91");                       /* Ё -> ё */
    assert_string_equal(fold("\xE5\xB1\xB1\xE7\x94\xB0 \xE8\x8A\xB1\xE5\xAD\x90"),
                        "\xE5\xB1\xB1\xE7\x94\xB0 \xE8\x8A\xB1\xE5\xAD\x90"); /* 山田 花子 */
}

static void test_fold_replaces_malformed_bytes_and_never_cuts_a_character(void **state)
{
    (void)state;
    assert_string_equal(fold("a\xFF"
                             "b\xC3"),
                        "a?b?");
    char out[4];
    /* "ßx" folds to "ssx", which needs 4 bytes with the NUL: all fits. */
    assert_int_equal(cairn_text_fold("\xC3\x9Fx", out, sizeof out), 3);
    assert_string_equal(out, "ssx");
    /* 山 is 3 bytes: with room for 2 bytes of text it is left out whole. */
    assert_int_equal(cairn_text_fold("a\xE5\xB1\xB1", out, 3), 1);
    assert_string_equal(out, "a");
    assert_int_equal(cairn_text_fold("abc", out, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_accepts_well_formed_text),
        cmocka_unit_test(test_utf8_valid_refuses_malformed_sequences),
        cmocka_unit_test(test_utf8_valid_checks_only_the_given_length),
        cmocka_unit_test(test_utf8_decode_reports_length_and_replacement),
        cmocka_unit_test(test_has_control_finds_c0_c1_del_and_tab),
        cmocka_unit_test(test_width_counts_terminal_columns),
        cmocka_unit_test(test_width_counts_control_and_malformed_bytes_as_one_column),
        cmocka_unit_test(test_fit_keeps_text_that_fits),
        cmocka_unit_test(test_fit_truncates_with_ellipsis_at_character_boundary),
        cmocka_unit_test(test_fit_never_splits_a_wide_character),
        cmocka_unit_test(test_fit_never_splits_a_multibyte_character_when_buffer_is_short),
        cmocka_unit_test(test_fit_replaces_escape_and_control_characters),
        cmocka_unit_test(test_fit_replaces_malformed_utf8_with_question_mark),
        cmocka_unit_test(test_fit_to_one_column_is_just_the_ellipsis),
        cmocka_unit_test(test_fit_result_is_safe_and_within_limits_for_any_buffer),
        cmocka_unit_test(test_fold_lowercases_and_strips_latin_diacritics),
        cmocka_unit_test(test_fold_drops_combining_accents),
        cmocka_unit_test(test_fold_lowercases_greek_and_cyrillic_and_keeps_other_scripts),
        cmocka_unit_test(test_fold_replaces_malformed_bytes_and_never_cuts_a_character),
    };
    if (!setlocale(LC_CTYPE, "C.UTF-8")) {
        print_error("the C.UTF-8 locale is missing; display widths cannot be tested\n");
        return 1;
    }
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
