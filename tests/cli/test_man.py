#!/usr/bin/env python3
"""The man page: clean roff, and in step with the binary's command table.

Every command in `cairn --help` and every option in each command's --help
must be documented in man/cairn.1, so adding a command or option to
commands[] in src/cli/main.c without documenting it fails here.
"""

import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

MAN_PAGE = os.environ.get("CAIRN_MAN") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "man", "cairn.1")


def roff_to_text(source):
    """The man page source with comments dropped and the escapes it uses
    turned back into plain text, enough to search for command and option
    names regardless of font changes."""
    lines = [ln for ln in source.splitlines() if not ln.startswith('.\\"')]
    text = "\n".join(lines)
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)  # font changes
    text = text.replace("\\-", "-").replace("\\&", "").replace("\\%", "").replace("\\e", "\\")
    text = re.sub(r"^\.(?:B|I|BR|RB|BI|IB|IR|RI|OP|SY|TP|SS|SH)\b ?", "", text, flags=re.M)
    text = text.replace('"', "")
    return re.sub(r"\s+", " ", text)


class ManPageTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        with open(MAN_PAGE, encoding="ascii") as f:  # roff source stays ASCII
            self.source = f.read()
        self.text = roff_to_text(self.source)

    @unittest.skipIf(shutil.which("groff") is None, "groff is not installed")
    def test_groff_reports_no_warnings(self):
        proc = subprocess.run(["groff", "-man", "-ww", "-z", MAN_PAGE], capture_output=True,
                              text=True, timeout=60)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))

    @unittest.skipIf(shutil.which("man") is None, "man is not installed")
    def test_man_renders_every_section(self):
        env = dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="80", LANG="C.UTF-8")
        proc = subprocess.run(["man", "-l", MAN_PAGE], capture_output=True, text=True,
                              env=env, timeout=60)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "FILES",
                        "ENVIRONMENT", "EXIT STATUS", "SECURITY", "EXAMPLES", "SEE ALSO"):
            self.assertRegex(proc.stdout, r"(?m)^%s$" % section)

    def commands(self):
        res = self.run_cairn("--help", db=False)
        self.assertEqual(res.rc, 0)
        body = res.out.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
        commands = []
        for line in body.splitlines():
            left = re.split(r"\s{2,}", line.strip())[0]
            commands.append(" ".join(w for w in left.split() if not w.isupper()))
        self.assertIn("patient edit", commands)
        return commands

    def test_every_command_is_documented(self):
        for command in self.commands():
            with self.subTest(command=command):
                # The source writes a hyphen in a command name as \- (roff).
                name = re.escape(command).replace("\\-", r"\\?-")
                self.assertRegex(self.source, r"(?m)^\.B %s\b" % name,
                                 "a .TP entry under COMMANDS")

    def test_every_option_of_every_command_is_documented(self):
        options = {"--db", "--help", "--version"}
        for command in self.commands():
            out = self.ok(*command.split(), "--help", db=False).out
            options |= set(re.findall(r"(?m)^  (--[a-z-]+)", out))
        self.assertIn("--if-version", options)
        for option in sorted(options):
            with self.subTest(option=option):
                self.assertRegex(self.text, r"%s\b(?!-)" % re.escape(option))

    def test_environment_files_and_exit_codes_are_documented(self):
        for word in ("CAIRN_DB", "XDG_DATA_HOME", "CAIRN_TODAY",
                     "$XDG_DATA_HOME/cairn/caseload.db", "~/.local/share/cairn/caseload.db",
                     "0600", "0700", "umask", "symbolic link", "Core dumps", "append-only",
                     "Encryption at rest"):
            self.assertIn(word, self.text)
        exit_status = self.source.split(".SH EXIT STATUS", 1)[1].split(".SH ", 1)[0]
        self.assertEqual(re.findall(r"(?m)^\.B (\d)$", exit_status), list("012345"))


if __name__ == "__main__":
    main()
