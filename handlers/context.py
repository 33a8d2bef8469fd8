"""What every handler is given: the event, and the repository, settings and time it acts with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.settings import Config
from nlp import Analysis
from storage import Message, Repository


@dataclass(frozen=True, slots=True)
class Ctx:
    repo: Repository
    cfg: Config
    now: datetime  # aware; only bot/ reads the wall clock, handlers get it from here


@dataclass(frozen=True, slots=True)
class Incoming:
    msg: Message
    analysis: Analysis
    answer: bool = True  # False for backlog after a restart: record, do not ping
