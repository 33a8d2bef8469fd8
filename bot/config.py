"""Load config.yaml once; a bad file ends the command with one line and exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from handlers.settings import Config


class ConfigError(Exception):
    """One line that tells the user what is wrong with their config."""


def _where(err: dict[str, Any]) -> str:
    return ".".join(str(p) for p in err["loc"])  # empty for whole-config checks: they name it


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {path} cannot be read: {e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"config file {path} is not valid YAML{at}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {path} must be a mapping of settings")
    raw.setdefault("base_dir", str(path.resolve().parent))
    try:
        return Config.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        msg = str(err["msg"]).removeprefix("Value error, ")
        where = _where(err)
        if err["type"] == "missing":
            msg = "missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown setting"
        prefix = f"{where}: " if where and not msg.startswith(where) else ""
        raise ConfigError(f"config {path}: {prefix}{msg}") from None
