#!/usr/bin/env python3
"""End to end: what a new user gets wrong, and what cairn says back.

Every mistake exits with the documented code, says so in exactly one line on
stderr starting "cairn:", prints nothing on stdout, and leaves the database
exactly as it was (every patient, staff and program row, and the number of
audit rows: a refused command writes nothing, not even an audit row).
"""

import json
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

MRN = "A1234567"
NAME = "Zoë Ångström"

USAGE, FAILED, INVALID = 2, 1, 3


class BadInputTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.init_caseload()
        self.ok("patient", "add", "--mrn", MRN, "--name", NAME, "--dob", "1990-04-05",
                "--therapist", "tkeller")

    def assert_refused(self, args, code, pattern, **kw):
        before = self.snapshot()
        res = self.run_cairn(*args, **kw)
        line = self.assert_error(res, code, pattern)
        self.assertNotIn(NAME, line, "no names in error messages")
        self.assertEqual(self.snapshot(), before, "the database is unchanged")
        return line

    def check_cases(self, cases):
        for args, code, pattern in cases:
            with self.subTest(args=args):
                self.assert_refused(args, code, pattern)

    def test_usage_errors_exit_2(self):
        self.check_cases([
            (["frobnicate"], USAGE,
             r"^cairn: unknown command 'frobnicate' \(see `cairn --help`\)$"),
            (["--frobnicate", "patient", "list"], USAGE, r"^cairn: unknown option '--frobnicate'"),
            (["patient", "show"], USAGE,
             r"^cairn: patient show: missing MRN \(see `cairn patient show --help`\)$"),
            (["patient", "show", MRN, "extra"], USAGE, r"unexpected argument 'extra'"),
            (["patient", "list", "--bogus"], USAGE,
             r"^cairn: patient list: unknown option '--bogus' "
             r"\(see `cairn patient list --help`\)$"),
            (["patient", "list", "-x"], USAGE, r"unknown option '-x'"),
            (["patient", "list", "--format"], USAGE, r"--format needs a value \(FORMAT\)"),
            (["patient", "discharge", MRN, "--reason"], USAGE, r"--reason needs a value \(TEXT\)"),
            (["patient", "add", "--mrn", "--name", "X", "--dob", "2000-01-01"], USAGE,
             r"--mrn needs a value \(MRN\)"),
            (["patient", "show", MRN, "--format", "csv"], USAGE, r"--format must be text or json"),
            (["patient", "edit", MRN, "--phone", "1", "--format", "tsv"], USAGE,
             r"--format must be text or json"),
            (["patient", "list", "--format", "xml"], USAGE,
             r"--format must be text, tsv, csv or json"),
            (["patient", "list", "--format="], USAGE, r"--format must be"),
            (["patient", "list", "--format", "json", "--format", "csv"], USAGE,
             r"--format given twice"),
            (["patient", "list", "--sort", "age"], USAGE,
             r"--sort must be name, mrn, program, status, risk or admitted"),
            (["staff", "list", "--all=yes"], USAGE, r"--all takes no value"),
            (["patient", "add", "--mrn", "B1"], USAGE, r"--mrn, --name and --dob are required"),
            (["staff", "add", "--login", "x"], USAGE, r"--login, --name and --role are required"),
            (["patient", "edit", MRN], USAGE, r"nothing to change"),
            (["patient", "discharge", MRN], USAGE, r"--reason is required"),
            (["tui", "--lock-after", "soon"], USAGE,
             r"--lock-after must be a duration such as 90s, 10m or 1h \(0: never\), not 'soon'"),
            (["tui", "--lock-after", "5x"], USAGE, r"--lock-after must be a duration"),
            (["tui", "--lock-after", "10m"], USAGE, r"needs a terminal"),
            (["template", "show", "adolescent-iop", "--format", "xml"], USAGE,
             r"--format must be text, json or yaml"),
        ])

    def test_missing_global_db_value_exits_2(self):
        res = self.run_cairn("--db", db=False)
        self.assert_error(res, USAGE, r"^cairn: --db needs a PATH")
        res = self.run_cairn("patient", "list", "--db", db=False)
        self.assert_error(res, USAGE, r"^cairn: patient list: --db needs a PATH")

    def test_unknown_or_missing_subcommand_shows_that_groups_commands(self):
        for args, first in ((["patient", "frob"], "cairn: patient: unknown subcommand 'frob'"),
                            (["patient"], "cairn: patient: missing subcommand")):
            with self.subTest(args=args):
                before = self.snapshot()
                res = self.run_cairn(*args)
                self.assertEqual((res.rc, res.out), (USAGE, ""))
                lines = res.err.splitlines()
                self.assertEqual(lines[0], first)
                self.assertEqual(lines[1], "", "a blank line, then the overview")
                self.assertTrue(lines[2].startswith("usage: cairn"))
                listed = [ln.split()[:2] for ln in lines if ln.startswith("  ")]
                self.assertIn(["patient", "show"], listed)
                self.assertEqual({w[0] for w in listed}, {"patient"}, "only this group")
                self.assertEqual(self.snapshot(), before)

    def test_invalid_values_exit_3(self):
        self.check_cases([
            (["patient", "add", "--mrn", "B1", "--name", "X", "--dob", "1990-13-45"], INVALID,
             r"^cairn: patient add: --dob: "),
            (["patient", "add", "--mrn", "B1", "--name", "X", "--dob", "1990-1-1"], INVALID,
             r"--dob: not a date; expected YYYY-MM-DD"),
            (["patient", "add", "--mrn", "B1", "--name", "X", "--dob", "2026-11-24"], INVALID,
             r"--dob: is in the future \(today is 2026-11-23\)"),
            (["patient", "edit", MRN, "--dob", "1990-02-30"], INVALID, r"--dob: "),
            (["patient", "add", "--mrn", "B1", "--name", "", "--dob", "1990-01-01"], INVALID,
             r"--name: is required"),
            (["patient", "add", "--mrn", "B1", "--name", "X" * 300, "--dob", "1990-01-01"],
             INVALID, r"--name: too long"),
            (["patient", "add", "--mrn", "B1", "--name", "X\x1b[2JY", "--dob", "1990-01-01"],
             INVALID, r"--name: contains a control character"),
            (["patient", "add", "--mrn", "B1", "--name", b"X\xffY", "--dob", "1990-01-01"],
             INVALID, r"--name: not valid UTF-8"),
            (["patient", "add", "--mrn", "B1", "--name", "X", "--dob", "1990-01-01", "--phone",
              "call me"], INVALID, r"--phone: "),
            (["patient", "edit", MRN, "--risk", "extreme"], INVALID, r"--risk: unknown risk level"),
            (["patient", "edit", MRN, "--phone", "555", "--if-version", "abc"], INVALID,
             r"--if-version: expected a whole number"),
            (["staff", "add", "--login", "x", "--name", "X", "--role", "boss"], INVALID,
             r"^cairn: staff add: --role: unknown role; expected therapist, case_manager, "),
            (["patient", "list", "--limit", "0"], INVALID, r"--limit: expected a whole number"),
            (["patient", "list", "--status", "bogus"], INVALID, r"--status: unknown status"),
            (["patient", "admit", MRN, "--date", "2026-12-01"], INVALID,
             r"--date: is in the future"),
            (["audit", "--since", "2026-02-30"], INVALID, r"^cairn: audit: --since: "),
            (["demo", "--patients", "0"], INVALID, r"--patients: expected a whole number"),
        ])

    def test_operations_that_cannot_be_done_exit_1(self):
        self.check_cases([
            (["patient", "show", "NOPE"], FAILED,
             r"^cairn: patient show: NOPE: no patient with that MRN$"),
            (["patient", "edit", "NOPE", "--phone", "555"], FAILED, r"no patient with that MRN"),
            (["patient", "admit", "NOPE"], FAILED, r"no patient with that MRN"),
            (["audit", "--patient", "NOPE"], FAILED, r"no patient with that MRN"),
            (["patient", "add", "--mrn", MRN, "--name", "Someone Else", "--dob", "1990-01-01"],
             FAILED, r"--mrn: another patient already has this MRN"),
            (["staff", "add", "--login", "tkeller", "--name", "T", "--role", "therapist"], FAILED,
             r"--login: a staff member with this login already exists"),
            (["patient", "edit", MRN, "--therapist", "nobody"], FAILED,
             r"--therapist: no staff member with login 'nobody'"),
            (["patient", "admit", MRN, "--program", "nope"], FAILED, r"--program: no program"),
            (["demo"], FAILED, r"already holds patients"),
        ])

    def test_bad_CAIRN_TODAY_is_a_usage_error(self):
        self.assert_refused(["patient", "list"], USAGE, r"^cairn: CAIRN_TODAY: ",
                            env=self.env(CAIRN_TODAY="next tuesday"))

    # --- the database file ---------------------------------------------------

    def test_a_directory_is_not_a_database(self):
        d = os.path.join(self.tmp, "dir.db")
        os.mkdir(d)
        for cmd in (["patient", "list"], ["init"]):
            res = self.run_cairn(*cmd, db=d)
            self.assert_error(res, FAILED, r"is a directory")
        self.assertEqual(os.listdir(d), [])

    def test_a_symlink_to_a_real_database_is_refused(self):
        link = os.path.join(self.tmp, "link.db")
        os.symlink(self.db, link)
        before = self.snapshot()
        for cmd in (["patient", "list"], ["init"],
                    ["patient", "edit", MRN, "--phone", "555"]):
            with self.subTest(cmd=cmd):
                res = self.run_cairn(*cmd, db=link)
                self.assert_error(res, FAILED, r"symbolic link")
        self.assertEqual(self.snapshot(), before)

    def test_a_missing_database_is_not_created_by_other_commands(self):
        missing = os.path.join(self.tmp, "nowhere", "deeper", "caseload.db")
        plain = os.path.join(self.tmp, "missing.db")
        cases = [dict(db=missing), dict(db=plain),
                 dict(db=False, env=self.env(CAIRN_DB=plain)),
                 dict(db=False)]  # the default under XDG_DATA_HOME
        for kw in cases:
            with self.subTest(**{k: v for k, v in kw.items() if k != "env"}):
                res = self.run_cairn("patient", "list", **kw)
                self.assert_error(res, FAILED, r"^cairn: no database at .*`cairn init`")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nowhere")))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "xdg")))
        self.assertEqual(sorted(f for f in os.listdir(self.tmp) if "missing" in f), [])

    def test_an_empty_file_is_not_silently_turned_into_a_database(self):
        empty = os.path.join(self.tmp, "empty.db")
        open(empty, "w").close()
        res = self.run_cairn("patient", "list", db=empty)
        self.assert_error(res, FAILED, r"`cairn init`")
        self.assertEqual(os.path.getsize(empty), 0)

    def test_a_file_that_is_not_sqlite_is_refused_and_untouched(self):
        junk = os.path.join(self.tmp, "notes.db")
        with open(junk, "w") as f:
            f.write("Shopping list: milk, eggs, bread.\n" * 200)
        digest = self.sha256(junk)
        for cmd in (["patient", "list"], ["init"]):
            with self.subTest(cmd=cmd):
                res = self.run_cairn(*cmd, db=junk)
                self.assert_error(res, FAILED, r"is not a cairn database")
        self.assertEqual(self.sha256(junk), digest)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["caseload.db", "notes.db"])

    def test_another_applications_sqlite_file_is_refused_and_untouched(self):
        other = os.path.join(self.tmp, "other.db")
        con = sqlite3.connect(other)
        con.execute("CREATE TABLE t (x)")
        con.commit()
        con.close()
        digest = self.sha256(other)
        for cmd in (["patient", "list"], ["init"]):
            res = self.run_cairn(*cmd, db=other)
            self.assert_error(res, FAILED, r"another application")
        self.assertEqual(self.sha256(other), digest)

    def test_a_database_from_a_newer_cairn_is_refused_and_untouched(self):
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA user_version = 999")
        con.commit()
        con.close()  # the last connection: the WAL is checkpointed and removed
        digest = self.sha256(self.db)
        files = sorted(os.listdir(self.tmp))
        for cmd in (["patient", "list"], ["init"], ["patient", "show", MRN],
                    ["patient", "edit", MRN, "--phone", "555"]):
            with self.subTest(cmd=cmd):
                res = self.run_cairn(*cmd)
                self.assert_error(res, FAILED, r"newer")
        self.assertEqual(self.sha256(self.db), digest)
        self.assertEqual(sorted(os.listdir(self.tmp)), files)

    def test_escape_sequences_in_stored_text_never_reach_the_terminal(self):
        # Input with control characters is refused; a database written by
        # something else may still hold them.
        con = sqlite3.connect(self.db)
        con.execute("INSERT INTO patient (mrn, legal_name, preferred_name, dob, name_key, "
                    "created_at, updated_at) VALUES ('ESC-1', ?, ?, '1990-01-01', 'evil', "
                    "'2026-11-23T00:00:00Z', '2026-11-23T00:00:00Z')",
                    ("Evil\x1b]0;pwned\x07\x1b[2JName", "\x1b[31mRed\x7f"))
        con.commit()
        con.close()
        outputs = [self.ok("patient", "list", "--format", f).out for f in ("text", "tsv", "csv")]
        outputs.append(self.ok("patient", "show", "ESC-1").out)
        for out in outputs:
            self.assertFalse(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", out), repr(out))
        self.assertIn("ESC-1,Evil?]0;pwned??[2JName,?[31mRed?,", outputs[2])
        # JSON escapes every C0 control (DEL, harmless to a terminal, is valid JSON as is).
        outputs = [self.ok("patient", "list", "--format", "json").out,
                   self.ok("patient", "show", "ESC-1", "--format", "json").out]
        for out in outputs:
            self.assertFalse(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", out), repr(out))
        # JSON keeps the exact value, escaped as JSON does.
        rec = json.loads(outputs[-1])
        self.assertEqual(rec["legal_name"], "Evil\x1b]0;pwned\x07\x1b[2JName")

    def test_a_truncated_database_is_refused_with_a_clear_message(self):
        db = os.path.join(self.tmp, "big.db")
        self.ok("init", db=db)
        self.ok("demo", "--patients", "200", "--today", "2026-11-23", db=db)
        size = os.path.getsize(db)
        for keep in (size // 2, 4096, 50):
            with self.subTest(bytes_left=keep):
                os.truncate(db, keep)
                for cmd in (["patient", "list", "--status", "all"],
                            ["patient", "show", "DEMO-000150"],
                            ["patient", "edit", "DEMO-000150", "--phone", "555"]):
                    res = self.run_cairn(*cmd, db=db)
                    self.assert_error(res, FAILED, r"is not a cairn database \(not SQLite, or "
                                      r"damaged\)|the database file is damaged")
                self.assertEqual(os.path.getsize(db), keep, "nothing written to it")

    # --- help ---------------------------------------------------------------

    def overview_commands(self):
        res = self.run_cairn("--help", db=False)
        self.assertEqual((res.rc, res.err), (0, ""))
        body = res.out.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
        commands = []
        for line in body.splitlines():
            left = re.split(r"\s{2,}", line.strip())[0]
            commands.append([w for w in left.split() if not w.isupper()])
        return commands

    def test_every_command_has_help_that_exits_0_and_touches_no_database(self):
        absent = os.path.join(self.tmp, "absent.db")
        commands = self.overview_commands()
        self.assertIn(["patient", "edit"], commands)
        self.assertIn(["init"], commands)
        for words in commands:
            for flag in ("--help", "-h"):
                with self.subTest(command=words, flag=flag):
                    res = self.run_cairn(*words, flag, db=absent)
                    self.assertEqual((res.rc, res.err), (0, ""))
                    self.assertTrue(res.out.startswith("usage: cairn %s" % " ".join(words)),
                                    res.out)
                    self.assertIn("--db PATH", res.out)
            res = self.run_cairn("help", *words, db=False)
            self.assertEqual(res.rc, 0)
            self.assertTrue(res.out.startswith("usage: cairn %s" % " ".join(words)))
        self.assertFalse(os.path.exists(absent))
        group = self.run_cairn("patient", "--help", db=False)
        self.assertEqual((group.rc, group.err), (0, ""))
        self.assertIn("patient discharge MRN", group.out)
        self.assertNotIn("staff add", group.out)


if __name__ == "__main__":
    main()
