from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from storage import open_repository
from tests.support import Harness, demo_config

# The real wechaty client against a local npm puppet gateway (tests/gateway/).
pytest_plugins = ["tests.gateway_fixture"]

# A Saturday morning, outside quiet hours.
START = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def cfg():
    return demo_config()


@pytest.fixture
async def stairbot(cfg, tmp_path) -> AsyncIterator[Harness]:
    async with open_repository(tmp_path / "bot.db") as repo:
        yield Harness(cfg, repo, START)
