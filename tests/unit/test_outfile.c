/* Whole-or-nothing private files (cairn/outfile.h): created 0600 whatever
 * the umask, never over a file or through a symbolic link, kept only when
 * every write and the sync succeeded, removed otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "helpers.h"

static void test_outfile_kept_is_0600_and_whole(void **state)
{
    (void)state;
    char dir[PATH_MAX], path[PATH_MAX];
    unit_make_tempdir(dir);
    unit_path(path, dir, "report.txt");
    mode_t old = umask(0);
    struct cairn_outfile f;
    assert_int_equal(cairn_outfile_open(&f, path), 0);
    umask(old);
    assert_int_equal(cairn_outfile_write("abc", 3, &f), 0);
    assert_int_equal(cairn_outfile_write("def\n", 4, &f), 0);
    assert_int_equal(cairn_outfile_finish(&f, path, true), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 7);
    unit_remove_tree(dir);
}

static void test_outfile_never_replaces_a_file_or_follows_a_link(void **state)
{
    (void)state;
    char dir[PATH_MAX], path[PATH_MAX], link_path[PATH_MAX];
    unit_make_tempdir(dir);
    unit_path(path, dir, "there.txt");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("keep me", fp);
    fclose(fp);
    struct cairn_outfile f;
    assert_int_equal(cairn_outfile_open(&f, path), EEXIST);
    unit_path(link_path, dir, "link.txt");
    assert_int_equal(symlink("/tmp/cairn-outfile-nowhere", link_path), 0);
    assert_int_equal(cairn_outfile_open(&f, link_path), EEXIST);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 7);                                  /* untouched */
    assert_int_equal(access("/tmp/cairn-outfile-nowhere", F_OK), -1); /* not created */
    unit_remove_tree(dir);
}

static void test_outfile_not_kept_or_failed_is_removed(void **state)
{
    (void)state;
    char dir[PATH_MAX], path[PATH_MAX];
    unit_make_tempdir(dir);
    unit_path(path, dir, "half.txt");
    struct cairn_outfile f;
    /* The caller's work failed: the half-written file goes. */
    assert_int_equal(cairn_outfile_open(&f, path), 0);
    assert_int_equal(cairn_outfile_write("half", 4, &f), 0);
    assert_int_equal(cairn_outfile_finish(&f, path, false), 0);
    assert_int_equal(access(path, F_OK), -1);
    /* A write that fails (here: to a descriptor open for reading) is
     * reported, stops later writes, and the file goes even when kept. */
    assert_int_equal(cairn_outfile_open(&f, path), 0);
    int fd = f.fd;
    f.fd = open("/dev/null", O_RDONLY);
    assert_int_equal(cairn_outfile_write("x", 1, &f), -1);
    assert_int_equal(f.error, EBADF);
    assert_int_equal(cairn_outfile_write("y", 1, &f), -1);
    close(f.fd);
    f.fd = fd;
    assert_int_equal(cairn_outfile_finish(&f, path, true), EBADF);
    assert_int_equal(access(path, F_OK), -1);
    unit_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outfile_kept_is_0600_and_whole),
        cmocka_unit_test(test_outfile_never_replaces_a_file_or_follows_a_link),
        cmocka_unit_test(test_outfile_not_kept_or_failed_is_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
