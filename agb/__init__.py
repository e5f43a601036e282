"""AGB cloud sessions SDK."""
