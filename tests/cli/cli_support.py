"""Shared helpers for cairn's end-to-end CLI tests.

Every test drives the real binary (CAIRN_BIN, set by ctest) on a database in
its own 0700 temporary directory. The child environment is built from
scratch: no locale variables (cairn must handle UTF-8 without one), HOME and
XDG_DATA_HOME inside the temporary directory (so a mistake can never touch a
real caseload), and CAIRN_TODAY fixed so dates are reproducible.

CAIRN_WRAPPER, when set, is a command line put in front of every cairn run
(ctest's cli.valgrind runs the workflow and bad-input suites under
valgrind this way).
"""

import hashlib
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
import unittest
from collections import namedtuple

sys.dont_write_bytecode = True

TODAY = "2026-11-23"

Result = namedtuple("Result", "rc out err")


def cairn_bin():
    path = os.environ.get("CAIRN_BIN")
    if not path or not os.access(path, os.X_OK):
        raise SystemExit("CAIRN_BIN must name the cairn binary (ctest sets it; "
                         "by hand: CAIRN_BIN=build/cairn python3 %s)" % sys.argv[0])
    return os.path.abspath(path)


def display_width(text):
    """Terminal columns of text: combining marks take 0, East Asian wide and
    fullwidth characters 2, everything else 1."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def header_columns(header):
    """(title, start column) of each column of a text-format header; titles
    may hold single spaces ("CASE MANAGER"), columns are 2+ spaces apart."""
    return [(m.group(0), m.start()) for m in re.finditer(r"\S+(?: \S+)*", header)]


def cells_by_display_column(line, starts):
    """Cuts a text-format row at the display columns in `starts` and returns
    the raw (unstripped) cells. Fails (AssertionError) when a character
    straddles a column start, i.e. the row is not aligned with the header."""
    cells = [""] * len(starts)
    col = 0
    idx = 0
    for ch in line:
        w = display_width(ch)
        while idx + 1 < len(starts) and col >= starts[idx + 1]:
            idx += 1
        if idx + 1 < len(starts) and col < starts[idx + 1] < col + w:
            raise AssertionError("%r straddles column %d in %r" % (ch, starts[idx + 1], line))
        cells[idx] += ch
        col += w
    return cells


class CairnTestCase(unittest.TestCase):
    """A test with its own 0700 directory and database path (self.db)."""

    def setUp(self):
        self.bin = cairn_bin()
        self.tmp = tempfile.mkdtemp(prefix="cairn-cli-")
        os.chmod(self.tmp, 0o700)
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.db = os.path.join(self.tmp, "caseload.db")
        self.stderr_seen = []
        # Runs before the directory is removed (cleanups run last-in first-out).
        self.addCleanup(self.assert_no_patient_detail_on_stderr)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if k not in ("LANG", "LANGUAGE", "CAIRN_DB", "XDG_DATA_HOME")
               and not k.startswith("LC_")}
        env["HOME"] = self.tmp
        env["XDG_DATA_HOME"] = os.path.join(self.tmp, "xdg")
        env["CAIRN_TODAY"] = TODAY
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def run_cairn(self, *args, db=True, env=None, umask=None):
        """Runs cairn with `args` (str or bytes). db=True puts `--db self.db`
        before the command, a string puts `--db` that path, False gives none.
        Output is decoded as strict UTF-8: anything else is a failure."""
        argv = shlex.split(os.environ.get("CAIRN_WRAPPER", "")) + [self.bin]
        if db is True:
            argv += ["--db", self.db]
        elif db:
            argv += ["--db", db]
        argv += list(args)
        preexec = (lambda: os.umask(umask)) if umask is not None else None
        proc = subprocess.run(argv, capture_output=True, env=env or self.env(), timeout=60,
                              preexec_fn=preexec)
        res = Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
        self.stderr_seen.append(res.err)
        return res

    def ok(self, *args, **kw):
        """Runs cairn and requires success with nothing on stderr."""
        res = self.run_cairn(*args, **kw)
        self.assertEqual((res.rc, res.err), (0, ""),
                         "cairn %s failed:\n%s" % (" ".join(map(str, args)), res.err))
        return res

    def assert_error(self, res, code, pattern=None, stdout_empty=True):
        """An error: exit `code`, exactly one stderr line starting "cairn:"
        (matching `pattern` when given) and, by default, nothing on stdout."""
        self.assertEqual(res.rc, code, "exit status; stderr: %r" % res.err)
        self.assertTrue(res.err.endswith("\n"), "stderr must end with a newline: %r" % res.err)
        lines = res.err.splitlines()
        self.assertEqual(len(lines), 1, "stderr must be exactly one line: %r" % res.err)
        self.assertTrue(lines[0].startswith("cairn: "), lines[0])
        if pattern:
            self.assertRegex(lines[0], pattern)
        if stdout_empty:
            self.assertEqual(res.out, "", "nothing on stdout after an error")
        return lines[0]

    def assert_no_patient_detail_on_stderr(self):
        """Every test: nothing cairn wrote to stderr names a patient of the
        test's database (names, date of birth, phone, emergency contact)."""
        if not os.path.exists(self.db) or not self.stderr_seen:
            return
        try:
            con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
            rows = con.execute("SELECT legal_name, preferred_name, dob, phone, "
                               "emergency_contact FROM patient").fetchall()
            con.close()
        except sqlite3.Error:
            return  # not a cairn database: the test made it so on purpose
        errors = "\n".join(self.stderr_seen)
        leaked = sorted({v for row in rows for v in row if v and len(v) > 2 and v in errors})
        self.assertEqual(leaked, [], "patient details on stderr")

    # --- the database, seen from outside ---------------------------------

    def snapshot(self, path=None):
        """Everything a failed command must leave alone: every row of
        patient and staff, and the number of audit rows."""
        con = sqlite3.connect(path or self.db)
        try:
            snap = {t: con.execute("SELECT * FROM %s ORDER BY id" % t).fetchall()
                    for t in ("patient", "staff", "program")}
            snap["audit_rows"] = con.execute("SELECT count(*) FROM audit").fetchone()[0]
        finally:
            con.close()
        return snap

    def query(self, sql, *params):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    @staticmethod
    def sha256(path):
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    # --- a small caseload --------------------------------------------------

    def init_caseload(self):
        """init, then a therapist, a case manager and a supervisor."""
        self.ok("init")
        self.ok("staff", "add", "--login", "tkeller", "--name", "Tess Keller", "--role",
                "therapist")
        self.ok("staff", "add", "--login", "cmorales", "--name", "Cruz Morales", "--role",
                "case_manager")
        self.ok("staff", "add", "--login", "sadeyemi", "--name", "Sade Adeyemi", "--role",
                "supervisor")


def main():
    unittest.main(verbosity=2)
