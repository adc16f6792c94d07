from pathlib import Path

import pytest

from tests.reliability.helpers import finished_run


@pytest.fixture(scope="session")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with a finished run directory `run/`, made once: tests work on copies
    (helpers.copy_workspace) and never change it."""
    return finished_run(tmp_path_factory.mktemp("finished"))
