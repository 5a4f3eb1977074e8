"""Runs the Python package's tests (ctest ember_python_tests):
`python3 run_pytest.py TESTS_DIR [pytest args...]`. Exits 77 (ctest's skip
code here) with a message when pytest or the built module is missing."""
import sys

try:
    import pytest
except ImportError:
    print("ember_python_tests skipped: pytest is not installed for %s (apt-get install python3-pytest)"
          % sys.executable)
    sys.exit(77)
try:
    import ember._ember  # noqa: F401
except ImportError as e:
    print("ember_python_tests skipped: the module ember._ember cannot be imported (%s); "
          "build it with `make python` and put <build>/python on PYTHONPATH" % e)
    sys.exit(77)

sys.exit(pytest.main(["-q", "-p", "no:cacheprovider"] + sys.argv[1:]))
