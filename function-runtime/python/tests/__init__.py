"""Unit tests of the Python runtime's pure parts (python3 -m unittest, run by the build: function-runtime/python/pom.xml)."""
