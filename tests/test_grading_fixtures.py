"""The broken and dishonest submissions of tests/grading_fixtures/ are what their generator writes.

The threat tests (tests/test_grading_threats.py) grade the committed files; these fast checks make
sure those files are the generator's output, each one belongs to a threat class and has an exact
expected score, so that a change to the generator cannot leave the graded files behind.
"""


from grading_support import FIXTURES, load_fixture_generator

make_fixtures = load_fixture_generator()


def test_every_fixture_belongs_to_a_threat_and_has_an_expected_score():
    files = sorted(path.name for path in FIXTURES.glob("*.ipynb"))
    assert sorted(name for threats in make_fixtures.THREATS.values() for name in threats) == files
    assert sorted(make_fixtures.EXPECTED) == files


def test_committed_fixtures_are_what_the_generator_writes():
    stale = [name for name, text in make_fixtures.render().items()
             if (FIXTURES / name).read_text(encoding="utf-8") != text]
    assert stale == [], "run python tests/grading_fixtures/make_fixtures.py and commit the result"


def test_the_broader_threat_classes_have_several_variants():
    """Broken code, malformed files, in-process patching, leftovers and resource exhaustion come in many forms."""
    sizes = {threat: len(files) for threat, files in make_fixtures.THREATS.items()}
    assert sizes["broken"] >= 8 and sizes["malformed"] >= 6 and sizes["patching the grader in its own process"] >= 6
    assert sizes["leaving something behind for later submissions"] >= 3 and sizes["exhausting resources"] >= 3
