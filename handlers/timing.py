"""Quiet hours: when a non-urgent message may go out."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from handlers.settings import Config


def _in_window(t: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= t < end
    return t >= start or t < end  # the window wraps midnight


def release_time(cfg: Config, now: datetime, urgent: bool) -> datetime | None:
    """None: send now. Otherwise the end of the quiet hours this moment falls in."""
    if urgent:
        return None
    q = cfg.schedule.quiet_hours
    local = now.astimezone(cfg.tz)
    if not _in_window(local.time(), q.start, q.end):
        return None
    release = local.replace(hour=q.end.hour, minute=q.end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release
