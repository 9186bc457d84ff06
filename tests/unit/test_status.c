/* Unit tests for status codes and the error record (src/core/status.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "cairn/status.h"

static void test_null_error_record_is_accepted_everywhere(void **state)
{
    (void)state;
    cairn_error_clear(NULL);
    assert_int_equal(cairn_error_set(NULL, CAIRN_ERR_IO, "disk %d", 1), CAIRN_ERR_IO);
    assert_int_equal(cairn_error_field(NULL, CAIRN_ERR_INVALID, "dob", "bad %s", "date"),
                     CAIRN_ERR_INVALID);
}

static void test_out_of_range_status_has_fallback_text(void **state)
{
    (void)state;
    assert_string_equal(cairn_status_str(CAIRN_STATUS__COUNT), "unknown status");
    assert_string_equal(cairn_status_name((enum cairn_status) - 1), "CAIRN_STATUS_UNKNOWN");
}

static void test_every_status_has_distinct_nonempty_text_and_name(void **state)
{
    (void)state;
    for (int i = 0; i < CAIRN_STATUS__COUNT; i++) {
        const char *text = cairn_status_str(i), *name = cairn_status_name(i);
        assert_non_null(text);
        assert_non_null(name);
        assert_true(strlen(text) > 0);
        assert_true(strncmp(name, "CAIRN_", 6) == 0);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(text, cairn_status_str(j));
            assert_string_not_equal(name, cairn_status_name(j));
        }
    }
    assert_string_equal(cairn_status_str(CAIRN_OK), "ok");
    assert_string_equal(cairn_status_name(CAIRN_ERR_NOT_FOUND), "CAIRN_ERR_NOT_FOUND");
    assert_string_equal(cairn_status_str(CAIRN_ERR_CONFLICT), "changed by someone else");
}

static void test_error_set_fills_status_and_message_and_clears_location(void **state)
{
    struct cairn_error err;
    (void)state;
    memset(&err, 0x55, sizeof err);
    assert_int_equal(cairn_error_set(&err, CAIRN_ERR_NOT_FOUND, "no patient with id %d", 42),
                     CAIRN_ERR_NOT_FOUND);
    assert_int_equal(err.status, CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.message, "no patient with id 42");
    assert_string_equal(err.pointer, "");
    assert_string_equal(err.file, "");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.col, 0);
}

static void test_error_field_fills_message_and_pointer(void **state)
{
    struct cairn_error err;
    (void)state;
    assert_int_equal(cairn_error_field(&err, CAIRN_ERR_INVALID, "/ladders/0/steps/2/suds",
                                       "must be %d-%d", 0, 100),
                     CAIRN_ERR_INVALID);
    assert_int_equal(err.status, CAIRN_ERR_INVALID);
    assert_string_equal(err.message, "must be 0-100");
    assert_string_equal(err.pointer, "/ladders/0/steps/2/suds");
}

static void test_overlong_message_is_truncated_and_terminated(void **state)
{
    struct cairn_error err;
    char big[CAIRN_ERROR_MESSAGE_MAX * 2];
    (void)state;
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cairn_error_set(&err, CAIRN_ERR_DB, "%s", big);
    assert_int_equal(strlen(err.message), CAIRN_ERROR_MESSAGE_MAX - 1);
}

static void test_error_clear_resets_to_ok(void **state)
{
    struct cairn_error err;
    (void)state;
    cairn_error_field(&err, CAIRN_ERR_INVALID, "mrn", "bad");
    cairn_error_clear(&err);
    assert_int_equal(err.status, CAIRN_OK);
    assert_string_equal(err.message, "");
    assert_string_equal(err.pointer, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_error_record_is_accepted_everywhere),
        cmocka_unit_test(test_out_of_range_status_has_fallback_text),
        cmocka_unit_test(test_every_status_has_distinct_nonempty_text_and_name),
        cmocka_unit_test(test_error_set_fills_status_and_message_and_clears_location),
        cmocka_unit_test(test_error_field_fills_message_and_pointer),
        cmocka_unit_test(test_overlong_message_is_truncated_and_terminated),
        cmocka_unit_test(test_error_clear_resets_to_ok),
    };
    return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
