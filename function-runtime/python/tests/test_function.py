"""function: which file is the function, and loading its handler (one or two parameters)."""
import os
import shutil
import sys
import tempfile
import unittest

from klambda_runtime.errors import ConfigError
from klambda_runtime.function import find_function_file, load_handler, takes_two_arguments


class FindTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="klambda-fn-")
        self.addCleanup(shutil.rmtree, self.dir)

    def touch(self, *names):
        for name in names:
            open(os.path.join(self.dir, name), "w").close()

    def test_function_file_names_the_file(self):
        self.touch("a.py", "b.py")
        self.assertEqual(find_function_file(self.dir, "b.py"), os.path.join(self.dir, "b.py"))
        with self.assertRaisesRegex(ConfigError, "FUNCTION_FILE c.py not found"):
            find_function_file(self.dir, "c.py")

    def test_the_single_py_file_else_the_single_extension_less_file(self):
        self.touch("parser.py", "README.md", ".hidden.py")
        self.assertEqual(find_function_file(self.dir), os.path.join(self.dir, "parser.py"))
        os.remove(os.path.join(self.dir, "parser.py"))
        self.touch("my-parser-1")
        self.assertEqual(find_function_file(self.dir), os.path.join(self.dir, "my-parser-1"))

    def test_anything_ambiguous_or_missing_is_refused(self):
        self.touch("a.py", "b.py")
        with self.assertRaisesRegex(ConfigError, r"found a.py, b.py\); set FUNCTION_FILE"):
            find_function_file(self.dir)
        with self.assertRaisesRegex(ConfigError, "is not a folder"):
            find_function_file(os.path.join(self.dir, "missing"))


class LoadTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="klambda-fn-")
        self.addCleanup(shutil.rmtree, self.dir)
        self.addCleanup(sys.modules.pop, "klambda_function", None)
        self.addCleanup(lambda: self.dir in sys.path and sys.path.remove(self.dir))

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_the_file_is_loaded_as_klambda_function_never_as_main_and_its_helpers_import(self):
        self.write("helper.py", "VALUE = 41\n")
        path = self.write("fn", "import helper\nran_main = False\n"
                                "def handler(event):\n    return helper.VALUE + 1\n"
                                "if __name__ == '__main__':\n    ran_main = True\n")
        handler, wants = load_handler(path, "handler", self.dir)
        self.assertEqual((handler({}), wants), (42, False))
        self.assertFalse(sys.modules["klambda_function"].ran_main)

    def test_a_missing_handler_is_refused(self):
        path = self.write("fn.py", "handle = 1\n")
        with self.assertRaisesRegex(ConfigError, "fn.py has no callable 'handler'"):
            load_handler(path, "handler", self.dir)

    def test_a_second_parameter_asks_for_the_attributes(self):
        class Bound:
            def one(self, event):
                return event

            def two(self, event, attributes):
                return event
        self.assertTrue(takes_two_arguments(lambda event, attributes: None))
        self.assertTrue(takes_two_arguments(lambda *args: None))
        self.assertFalse(takes_two_arguments(lambda event: None))
        self.assertFalse(takes_two_arguments(Bound().one))
        self.assertTrue(takes_two_arguments(Bound().two))


if __name__ == "__main__":
    unittest.main()
