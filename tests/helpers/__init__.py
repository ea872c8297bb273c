"""Helpers shared by the tests: the project's paths, config and codebook, hand-made raw tables,
end-to-end runs of a copy of the project, and the test data of the indicator, comparison, report
and statistics tests. Tests import them from here, never from ``conftest`` or from each other."""
