"""The broken submissions here are data for tests/test_grading_cli.py, not notebooks for nbval to run."""

collect_ignore_glob = ["*.ipynb", "make_fixtures.py"]
