#!/usr/bin/env python3
"""schemas/program-template.schema.json agrees with the C validator.

Every template in examples/templates and tests/data/templates/{good,bad} is
judged twice: by `cairn template check` (the C loader and validator), and by
a Python loader that applies the C loader's YAML rules (size, UTF-8, no
anchors, aliases, tags, directives, second documents, duplicate keys or
plain YAML 1.1 booleans, the caps on depth, list length and scalar size),
types scalars by the YAML 1.2 core schema, and hands the result to the JSON
Schema. The two verdicts must agree, except for the fixtures in
CROSS_FIELD_ONLY, which break only rules the schema cannot express (its
$comment lists them): the schema accepts those and C refuses them.

Needs PyYAML and jsonschema (Debian: python3-yaml, python3-jsonschema;
scripts/install-deps installs them); skipped without them.
"""

import glob
import json
import math
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

try:
    import jsonschema
    import yaml
    MISSING = None
except ImportError as e:  # the whole file is skipped
    jsonschema = yaml = None
    MISSING = "needs PyYAML and jsonschema (%s)" % e

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCHEMA = os.path.join(ROOT, "schemas", "program-template.schema.json")
DATA = os.path.join(ROOT, "tests", "data", "templates")
CORPUS_DIRS = [os.path.join(ROOT, "examples", "templates"),
               os.path.join(DATA, "good"),
               os.path.join(DATA, "bad")]

# Broken templates whose only fault is a rule the schema cannot express
# (see its $comment): the schema accepts them, the C validator refuses them.
CROSS_FIELD_ONLY = frozenset({
    "min-above-max-hours.yaml",        # min_hours_per_week > max_hours_per_week
    "schedule-below-minimum.yaml",     # sessions * hours_per_session < min_hours_per_week
    "ladder-steps-out-of-order.yaml",  # a step's suds below the step before
    "duplicate-ladder-name.yaml",      # two ladders with one name
})

# The C loader's caps (include/cairn/template.h).
MAX_BYTES = 262144
MAX_DEPTH = 8
MAX_ITEMS = 100
MAX_SCALAR = 1024

YAML11_BOOLEANS = {"yes", "no", "on", "off"}

# Plain scalars under the YAML 1.2 core schema; anything else is a string.
CORE_NULL = re.compile(r"|~|null|Null|NULL")
CORE_TRUE = re.compile(r"true|True|TRUE")
CORE_FALSE = re.compile(r"false|False|FALSE")
CORE_INT = re.compile(r"[-+]?[0-9]+")
CORE_OCT = re.compile(r"0o([0-7]+)")
CORE_HEX = re.compile(r"0x([0-9a-fA-F]+)")
CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
CORE_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


def corpus():
    """(label, path) of every template the two validators must agree on."""
    files = []
    for d in CORPUS_DIRS:
        for path in sorted(glob.glob(os.path.join(d, "*.yaml"))):
            files.append((os.path.relpath(path, ROOT), path))
    return files


def pointer(path):
    """A JSON pointer (RFC 6901) from a jsonschema error path; "/" for the root."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts)


class Refused(Exception):
    """The Python loader refuses the file, as the C loader would."""

    def __init__(self, mark, message):
        where = "%d:%d: " % (mark.line + 1, mark.column + 1) if mark else ""
        super().__init__(where + message)


if yaml is not None:

    class StrictLoader(yaml.SafeLoader):
        """PyYAML's parser with the C loader's rules. The instance is built
        from parse events here, not by PyYAML's resolver and constructors,
        which follow YAML 1.1 (yes is true, 2026-01-01 a date, 017 octal)."""

        def template(self):
            self.get_event()  # stream start
            if self.check_event(yaml.StreamEndEvent):
                raise Refused(None, "the file is empty")
            start = self.get_event()
            if start.version or start.tags:
                raise Refused(start.start_mark, "directives (%YAML, %TAG) are not allowed")
            value = self.node(0)
            self.get_event()  # document end
            if not self.check_event(yaml.StreamEndEvent):
                raise Refused(self.peek_event().start_mark, "a second document")
            return value

        def properties(self, ev):
            if isinstance(ev, yaml.AliasEvent):
                raise Refused(ev.start_mark, "aliases (*%s) are not allowed" % ev.anchor)
            if ev.anchor is not None:
                raise Refused(ev.start_mark, "anchors (&%s) are not allowed" % ev.anchor)
            if ev.tag is not None:
                raise Refused(ev.start_mark, "tags (%s) are not allowed" % ev.tag)

        def node(self, depth):
            ev = self.get_event()
            self.properties(ev)
            if isinstance(ev, yaml.ScalarEvent):
                return self.scalar(ev)
            if depth == MAX_DEPTH:
                raise Refused(ev.start_mark, "nested more than %d levels deep" % MAX_DEPTH)
            if isinstance(ev, yaml.SequenceStartEvent):
                items = []
                while not self.check_event(yaml.SequenceEndEvent):
                    if len(items) == MAX_ITEMS:
                        raise Refused(self.peek_event().start_mark,
                                      "more than %d items in a list" % MAX_ITEMS)
                    items.append(self.node(depth + 1))
                self.get_event()
                return items
            mapping = {}
            while not self.check_event(yaml.MappingEndEvent):
                key_ev = self.get_event()
                self.properties(key_ev)
                if not isinstance(key_ev, yaml.ScalarEvent):
                    raise Refused(key_ev.start_mark, "a key must be plain text")
                if len(mapping) == MAX_ITEMS:
                    raise Refused(key_ev.start_mark,
                                  "more than %d entries in a mapping" % MAX_ITEMS)
                self.scalar(key_ev)  # the checks; a key is its text, whatever it looks like
                key = key_ev.value
                if key in mapping:
                    raise Refused(key_ev.start_mark, "duplicate key %r" % key)
                mapping[key] = self.node(depth + 1)
            self.get_event()
            return mapping

        @staticmethod
        def scalar(ev):
            """The scalar's value under the YAML 1.2 core schema."""
            s = ev.value
            if len(s.encode("utf-8")) > MAX_SCALAR:
                raise Refused(ev.start_mark, "a scalar over %d bytes" % MAX_SCALAR)
            if "\0" in s:
                raise Refused(ev.start_mark, "a NUL character")
            if ev.style is not None:  # quoted or block: always a string
                return s
            if s.lower() in YAML11_BOOLEANS:
                raise Refused(ev.start_mark, "%r is a YAML 1.1 boolean" % s)
            if CORE_NULL.fullmatch(s):
                return None
            if CORE_TRUE.fullmatch(s):
                return True
            if CORE_FALSE.fullmatch(s):
                return False
            if CORE_INT.fullmatch(s):
                return int(s)
            m = CORE_OCT.fullmatch(s) or CORE_HEX.fullmatch(s)
            if m:
                return int(m.group(1), 8 if s[1] == "o" else 16)
            if CORE_NOT_FINITE.fullmatch(s):
                raise Refused(ev.start_mark, "%s: JSON has no such number" % s)
            if CORE_FLOAT.fullmatch(s):
                v = float(s)
                if not math.isfinite(v):
                    raise Refused(ev.start_mark, "%s: JSON has no such number" % s)
                return v
            return s

    def ecma_pattern(validator, pattern, instance, schema):
        """`pattern` as JSON Schema means it (ECMA-262): `$` matches at the
        very end only. Python's `$` also matches before a final newline, so
        "text\\n" would pass ^...$ here while C refuses it."""
        if validator.is_type(instance, "string") and \
                not re.search(re.sub(r"\$$", r"\\Z", pattern), instance):
            yield jsonschema.ValidationError("%r does not match %r" % (instance, pattern))

    SchemaValidator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                                   {"pattern": ecma_pattern})


def load_template(data):
    """The JSON instance of a template's bytes, or Refused."""
    if len(data) > MAX_BYTES:
        raise Refused(None, "the file is over %d bytes" % MAX_BYTES)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused(None, "invalid UTF-8 at byte %d" % e.start)
    loader = StrictLoader(data)
    try:
        return loader.template()
    except yaml.YAMLError as e:
        raise Refused(None, " ".join(str(e).split()))
    finally:
        loader.dispose()


def load_schema():
    with open(SCHEMA, encoding="utf-8") as f:
        return json.load(f)


class VerdictTestCase(CairnTestCase):
    """Judges a template on both sides."""

    @classmethod
    def setUpClass(cls):
        cls.schema = load_schema()
        cls.validator = SchemaValidator(cls.schema)

    def python_verdict(self, path):
        """(valid, first problem): the Python loader, then the schema."""
        with open(path, "rb") as f:
            data = f.read()
        try:
            instance = load_template(data)
        except Refused as e:
            return False, "loader: %s" % e
        error = jsonschema.exceptions.best_match(self.validator.iter_errors(instance))
        if error is None:
            return True, ""
        message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        return False, "schema: %s: %s" % (pointer(error.absolute_path), message)

    def c_verdict(self, path):
        """(valid, first stderr line) from `cairn template check`."""
        res = self.run_cairn("template", "check", path, db=False)
        self.assertIn(res.rc, (0, 3), "cairn template check %s: exit %d\n%s"
                      % (path, res.rc, res.err))
        first = res.err.split("\n")[0]
        if res.rc == 0:
            self.assertEqual(res.err, "", "a valid template prints nothing on stderr")
        else:
            self.assertNotEqual(first, "", "an invalid template says why on stderr")
        return res.rc == 0, first

    def disagreements(self, files, cross_field_only=frozenset()):
        """One line per file whose verdicts are not as expected: equal, or
        for names in cross_field_only, schema valid and C invalid."""
        problems = []
        for label, path in files:
            py_ok, py_why = self.python_verdict(path)
            c_ok, c_why = self.c_verdict(path)
            if os.path.basename(path) in cross_field_only:
                if py_ok and not c_ok:
                    continue
                expected = "the schema accepts and C refuses (CROSS_FIELD_ONLY)"
            elif py_ok == c_ok:
                continue
            else:
                expected = "the same verdict"
            problems.append("%s: expected %s, got python %s%s; C %s%s" % (
                label, expected, "valid" if py_ok else "invalid",
                " (%s)" % py_why if py_why else "", "valid" if c_ok else "invalid",
                " (%s)" % c_why if c_why else ""))
        return problems


@unittest.skipIf(MISSING, MISSING)
class TemplateSchemaTest(VerdictTestCase):
    """The schema, and its agreement with C on the template corpus."""

    # --- the schema itself --------------------------------------------------

    def test_schema_is_a_valid_2020_12_schema_whose_defaults_are_valid(self):
        jsonschema.Draft202012Validator.check_schema(self.schema)
        self.assertEqual(self.schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
        self.assertEqual(self.schema["$id"],
                         "https://cairn.invalid/schemas/program-template.schema.json")
        for key in ("title", "description", "$comment"):
            self.assertTrue(self.schema.get(key), key)
        defaults = []

        def walk(node, where):
            if isinstance(node, dict):
                if "default" in node:
                    defaults.append(where)
                    sub = {k: v for k, v in node.items() if k != "default"}
                    self.assertEqual(list(SchemaValidator(sub).iter_errors(node["default"])),
                                     [], "the default at %s breaks its own schema" % where)
                for k, v in node.items():
                    walk(v, "%s/%s" % (where, k))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, "%s/%d" % (where, i))

        walk(self.schema, "#")
        self.assertGreaterEqual(len(defaults), 12)

    # --- the corpus ---------------------------------------------------------

    def test_the_cross_field_fixtures_exist(self):
        bad = os.path.join(DATA, "bad")
        missing = sorted(n for n in CROSS_FIELD_ONLY if not os.path.isfile(os.path.join(bad, n)))
        if missing:
            self.fail("CROSS_FIELD_ONLY names fixtures missing from %s: %s; restore them "
                      "or update the set" % (os.path.relpath(bad, ROOT), ", ".join(missing)))

    def test_every_example_and_good_template_is_valid_on_both_sides(self):
        files = [(label, path) for label, path in corpus() if "/bad/" not in label]
        self.assertGreaterEqual(len([f for f in files if f[0].startswith("examples/")]), 3)
        problems = []
        for label, path in files:
            py_ok, py_why = self.python_verdict(path)
            c_ok, c_why = self.c_verdict(path)
            if not py_ok:
                problems.append("%s: python invalid (%s)" % (label, py_why))
            if not c_ok:
                problems.append("%s: C invalid (%s)" % (label, c_why))
        if problems:
            self.fail("\n" + "\n".join(problems))

    def test_schema_and_c_validator_agree_on_every_template(self):
        self.test_the_cross_field_fixtures_exist()
        files = corpus()
        self.assertGreaterEqual(len([f for f in files if "/bad/" in f[0]]), 25)
        problems = self.disagreements(files, CROSS_FIELD_ONLY)
        if problems:
            self.fail("the schema and `cairn template check` disagree on %d of %d templates:\n%s"
                      % (len(problems), len(files), "\n".join(problems)))


# Edits of good/minimal.yaml, each with the verdict both sides must give:
# (name, [(old, new) replacements, or a line to append], valid).
EDGE_CASES = [
    # YAML 1.2 core typing
    ("plus-sign-integer", [("sessions_per_week: 3", "sessions_per_week: +3")], True),
    ("hex-integer", [("sessions_per_week: 3", "sessions_per_week: 0x3")], True),
    ("octal-integer", [("length_weeks: 8", "length_weeks: 0o10")], True),
    ("leading-zero-is-decimal", [("length_weeks: 8", "length_weeks: 010")], True),
    ("integer-with-zero-fraction", [("sessions_per_week: 3", "sessions_per_week: 3.0")], True),
    ("integer-as-exponent", [("sessions_per_week: 3", "sessions_per_week: 3e0")], True),
    ("fraction-where-integer-belongs", [("sessions_per_week: 3", "sessions_per_week: 3.5")],
     False),
    ("date-is-text", [("name: Minimal IOP", "name: 2026-01-01")], True),
    ("number-is-not-text", [("name: Minimal IOP", "name: 1.5")], False),
    ("true-is-not-text", [("name: Minimal IOP", "name: TRUE")], False),
    ("quoted-yes-is-text", [("name: Minimal IOP", "name: 'yes'")], True),
    ("plain-y-is-text", [("name: Minimal IOP", "name: y")], True),
    ("plain-yes-any-case", [("name: Minimal IOP", "name: YeS")], False),
    ("plain-off", ["lapse_log: off"], False),
    ("quoted-yes-is-not-a-boolean", ['lapse_log: "yes"'], False),
    ("capital-true-is-a-boolean", ["lapse_log: True"], True),
    ("null-is-not-text", [("name: Minimal IOP", "name: Null")], False),
    ("tilde-is-null", ["lapse_log: ~"], False),
    ("nan", [("hours_per_session: 3", "hours_per_session: .nan")], False),
    ("infinity", [("hours_per_session: 3", "hours_per_session: .inf")], False),
    ("overflowing-exponent", [("hours_per_session: 3", "hours_per_session: 1e400")], False),
    # YAML structure
    ("explicit-document-markers", [("template: minimal-iop", "---\ntemplate: minimal-iop"),
                                   "..."], True),
    ("byte-order-mark", [("# The", "\ufeff# The")], True),
    ("directive", [("template: minimal-iop", "%YAML 1.1\n---\ntemplate: minimal-iop")],
     False),
    ("non-specific-tag", [("name: Minimal IOP", "name: ! Minimal IOP")], False),
    ("quoted-key", [("name: Minimal", '"name": Minimal')], True),
    ("duplicate-quoted-key", ['"name": Other'], False),
    ("merge-key", ["<<: {lapse_log: true}"], False),
    ("list-as-key", ["? [a]\n: b"], False),
    ("yaml11-boolean-key", ["on: 1"], False),
    ("nul-escape", [("name: Minimal IOP", 'name: "Minimal\\0IOP"')], False),
    # text
    ("one-line-literal-block", [("name: Minimal IOP", "name: |\n  Minimal IOP")], False),
    ("stripped-folded-block", [("name: Minimal IOP", "name: >-\n  Minimal IOP")], True),
    ("tab-in-quoted-text", [("name: Minimal IOP", 'name: "Minimal\\tIOP"')], False),
    ("blank-text", [("name: Minimal IOP", 'name: "   "')], False),
    ("empty-text", [("name: Minimal IOP", "name: ''")], False),
    ("utf8-text", [("name: Minimal IOP", "name: Zoë 山田 IOP")], True),
    ("code-of-64", [("template: minimal-iop", "template: " + "a" * 64)], True),
    ("code-of-65", [("template: minimal-iop", "template: " + "a" * 65)], False),
    ("code-starting-with-dash", [("template: minimal-iop", "template: -iop")], False),
    ("name-of-200", [("name: Minimal IOP", "name: " + "n" * 200)], True),
    ("name-of-201", [("name: Minimal IOP", "name: " + "n" * 201)], False),
    ("checklist-item-of-200-accented",
     [("- Attendance discussed with patient", "- " + "é" * 200)], True),
    ("duplicate-checklist-item", ["  - Attendance discussed with patient"], False),
    ("crisis-line-as-number", ["crisis_line: 988"], False),
    # keys and rules
    ("version", ["version: 1"], False),
    ("hours-above-8", [("hours_per_session: 3", "hours_per_session: 8.5")], False),
    ("asam-2.1-max-20", [("length_weeks: 8", "length_weeks: 8\n  max_hours_per_week: 20")],
     False),
    ("asam-2.5-20-hours", [("asam-2.1", "asam-2.5"),
                           ("sessions_per_week: 3", "sessions_per_week: 5"),
                           ("hours_per_session: 3", "hours_per_session: 4"),
                           ("min_hours_per_week: 9",
                            "min_hours_per_week: 20\n  max_hours_per_week: 30")], True),
    ("adolescent-6-hours", [("adult", "adolescent"), ("hours_per_session: 3",
                                                       "hours_per_session: 2"),
                            ("min_hours_per_week: 9", "min_hours_per_week: 6")], True),
    ("adolescent-5-hours", [("adult", "adolescent"), ("min_hours_per_week: 9",
                                                       "min_hours_per_week: 5")], False),
    ("adult-asam-1.0-3-hours", [("asam-2.1", "asam-1.0"), ("min_hours_per_week: 9",
                                                            "min_hours_per_week: 3")], True),
    ("empty-ladders", ["ladders: []"], True),
    ("null-ladders", ["ladders:"], False),
    ("scale-10-as-10.0", ["ladders:\n  - {name: A, scale: 10.0, steps: [{text: a, suds: 10}]}"],
     True),
    ("scale-10-suds-11", ["ladders:\n  - {name: A, scale: 10, steps: [{text: a, suds: 11}]}"],
     False),
    ("scale-100-suds-11", ["ladders:\n  - {name: A, scale: 100, steps: [{text: a, suds: 11}]}"],
     True),
    ("scale-50", ["ladders:\n  - {name: A, scale: 50, steps: [{text: a, suds: 11}]}"], False),
    ("empty-mastery", ["mastery: {}"], True),
    ("unknown-alert", ["alerts: {phq9_rises: 5}"], False),
]


@unittest.skipIf(MISSING, MISSING)
class EdgeCaseTest(VerdictTestCase):
    """The Python loader's typing and refusals, and agreement with C, on
    small edits of good/minimal.yaml written to a temporary directory."""

    def setUp(self):
        super().setUp()
        with open(os.path.join(DATA, "good", "minimal.yaml"), encoding="utf-8") as f:
            self.minimal = f.read()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def edit(self, edits):
        text = self.minimal
        for e in edits:
            if isinstance(e, tuple):
                self.assertIn(e[0], text)
                text = text.replace(e[0], e[1], 1)
            else:
                text += e + "\n"
        return text

    def test_edge_cases_get_the_expected_verdict_on_both_sides(self):
        problems = []
        for name, edits, valid in EDGE_CASES:
            path = self.write(name + ".yaml", self.edit(edits))
            for side, (ok, why) in (("python", self.python_verdict(path)),
                                    ("C", self.c_verdict(path))):
                if ok != valid:
                    problems.append("%s: %s says %s%s" % (name, side,
                                                          "valid" if ok else "invalid",
                                                          " (%s)" % why if why else ""))
        if problems:
            self.fail("\n" + "\n".join(problems))

    def test_file_size_cap_on_both_sides(self):
        body = self.minimal.encode("utf-8")
        for size, valid in ((MAX_BYTES, True), (MAX_BYTES + 1, False)):
            pad = size - len(body)
            data = body + b"#" * (pad - 1) + b"\n"
            self.assertEqual(len(data), size)
            path = self.write("size-%d.yaml" % size, data)
            self.assertEqual(self.python_verdict(path)[0], valid, size)
            self.assertEqual(self.c_verdict(path)[0], valid, size)

    def test_invalid_utf8_is_refused_but_a_literal_replacement_character_is_not(self):
        good = self.write("fffd.yaml", self.edit([("name: Minimal IOP", "name: Minimal \ufffd")]))
        bad = self.write("latin1.yaml",
                         self.edit([("name: Minimal IOP", "name: Caf\xe9")]).encode("latin-1"))
        self.assertEqual((self.python_verdict(good)[0], self.c_verdict(good)[0]), (True, True))
        self.assertEqual((self.python_verdict(bad)[0], self.c_verdict(bad)[0]), (False, False))

    def test_scalars_load_as_yaml_1_2_core_types(self):
        doc = ("a: 2026-01-01\nb: +3\nc: 0x1F\nd: 0o17\ne: 017\nf: 1.5e1\ng: ~\nh:\n"
               "i: TRUE\nj: 'no'\nk: y\nl: '25'\nm: 12:30\nn: -.5\no: 1_000\n")
        self.assertEqual(load_template(doc.encode()), {
            "a": "2026-01-01", "b": 3, "c": 31, "d": 15, "e": 17, "f": 15.0, "g": None,
            "h": None, "i": True, "j": "no", "k": "y", "l": "25", "m": "12:30", "n": -0.5,
            "o": "1_000"})

    def test_loader_refusals_and_caps(self):
        def refused(text):
            try:
                load_template(text.encode("utf-8"))
            except Refused as e:
                return str(e)
            return None

        def nest(n):
            return "[" * n + "1" + "]" * n

        self.assertIsNone(refused("a: " + nest(7)))  # 8 collections with the root
        self.assertIn("nested more than 8", refused("a: " + nest(8)))
        self.assertIsNone(refused("a: [%s]" % ", ".join(["1"] * MAX_ITEMS)))
        self.assertIn("more than 100 items", refused("a: [%s]" % ", ".join(["1"] * 101)))
        self.assertIsNone(refused("a: " + "x" * MAX_SCALAR))
        self.assertIn("over 1024 bytes", refused("a: " + "é" * 513))
        for text, why in (("a: &x 1", "anchors"), ("a: *x", "aliases"), ("a: !!str 1", "tags"),
                          ("a: !x 1", "tags"), ("%YAML 1.1\n---\na: 1", "directives"),
                          ("%TAG !e! tag:example.com,2026:\n---\na: 1", "directives"),
                          ("a: 1\n---\nb: 2", "second document"), ("a: 1\na: 2", "duplicate"),
                          ("a: 1\n'a': 2", "duplicate"), ("a: oN", "YAML 1.1 boolean"),
                          ("? [a]\n: 1", "plain text"), ("# nothing", "empty"), ("", "empty"),
                          ("a:\n\t- 1", "found character"), ("a: [1", "expected")):
            self.assertIn(why, refused(text) or "(accepted)", text)


if __name__ == "__main__":
    main()
