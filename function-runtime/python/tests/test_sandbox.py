"""Local mode's sandbox for forked functions, klambda_sandbox.parse: it reads the options the local cluster writes for
bwrap, and refuses any it does not implement, a relative path, or a sandbox without a user namespace, naming what."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import klambda_sandbox  # noqa: E402 - beside the runtime package, not in it

# as Sandbox.java writes them (a few of each kind)
OPTIONS = ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
           "--unshare-cgroup-try", "--hostname", "function", "--unshare-user", "--uid", "65534", "--gid", "65534",
           "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--ro-bind-try", "/etc/hosts", "/etc/hosts",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--ro-bind", "/srv/fn/a-00001/function",
           "/srv/fn/a-00001/function", "--chdir", "/srv/fn/a-00001/function"]


class ParseTest(unittest.TestCase):

    def test_the_local_clusters_options_become_the_steps_in_their_order(self):
        spec = klambda_sandbox.parse(OPTIONS)
        self.assertEqual((spec["uid"], spec["gid"], spec["hostname"]), (65534, 65534, "function"))
        self.assertEqual(spec["chdir"], "/srv/fn/a-00001/function")
        self.assertEqual(spec["steps"], [
            ("--ro-bind", "/usr", "/usr"), ("--symlink", "usr/bin", "/bin"), ("--ro-bind-try", "/etc/hosts", "/etc/hosts"),
            ("--proc", None, "/proc"), ("--dev", None, "/dev"), ("--tmpfs", None, "/tmp"),
            ("--ro-bind", "/srv/fn/a-00001/function", "/srv/fn/a-00001/function")])

    def test_an_option_it_does_not_implement_is_refused_by_name(self):
        for option in (["--bind", "/", "/host"], ["--dev-bind", "/dev", "/dev"], ["--share-net"], ["--cap-add", "ALL"]):
            with self.subTest(option=option[0]):
                with self.assertRaisesRegex(ValueError, "does not implement '%s'" % option[0]):
                    klambda_sandbox.parse(OPTIONS + option)

    def test_a_relative_or_dotted_path_is_refused_or_normalised(self):
        with self.assertRaisesRegex(ValueError, "not an absolute path"):
            klambda_sandbox.parse(OPTIONS + ["--ro-bind", "etc", "/etc"])
        spec = klambda_sandbox.parse(OPTIONS + ["--ro-bind", "/srv/fn/b/../a-00001", "/x/./y"])
        self.assertEqual(spec["steps"][-1], ("--ro-bind", "/srv/fn/a-00001", "/x/y"))

    def test_an_option_missing_its_value_is_refused(self):
        with self.assertRaisesRegex(ValueError, "--ro-bind needs 2 value"):
            klambda_sandbox.parse(OPTIONS + ["--ro-bind", "/usr"])

    def test_a_sandbox_without_a_user_namespace_is_refused(self):
        without = [o for o in OPTIONS if o != "--unshare-user"]
        with self.assertRaisesRegex(ValueError, "needs --unshare-user"):
            klambda_sandbox.parse(without)


if __name__ == "__main__":
    unittest.main()
