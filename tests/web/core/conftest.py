import pytest


@pytest.fixture(autouse=True)
def _english(english):  # type: ignore[no-untyped-def]
    """This package's assertions read English messages."""
