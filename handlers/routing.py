"""Who is reached for an item, and where, from the routing table in config."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.settings import Config, Group


@dataclass(frozen=True, slots=True)
class Route:
    stairwell: tuple[str, ...]  # contact ids @-mentioned in the item's own group
    elsewhere: dict[str, tuple[str, ...]]  # other group topic -> contact ids
    unit: str  # the unit first responsible: captain or a unit name

    @property
    def assignees(self) -> tuple[str, ...]:
        seen: list[str] = list(self.stairwell)
        for ids in self.elsewhere.values():
            seen.extend(i for i in ids if i not in seen)
        return tuple(seen)


def contact_for(cfg: Config, group: Group, unit: str) -> tuple[str, str | None]:
    """The contact id of a unit and the group it is reached in (None: the stairwell)."""
    if unit == "captain":
        return group.captain.id, None
    u = cfg.units[unit]
    return u.id, u.group


def route(cfg: Config, group: Group, category: str, urgent: bool) -> Route:
    targets = cfg.routing["urgent" if urgent else category]
    here: list[str] = []
    there: dict[str, list[str]] = {}
    for target in targets:
        cid, where = contact_for(cfg, group, target)
        bucket = here if where is None or where == group.topic else there.setdefault(where, [])
        if cid not in bucket:
            bucket.append(cid)
    return Route(tuple(here), {k: tuple(v) for k, v in there.items()}, targets[0])


def unit_label(cfg: Config, unit: str) -> str:
    return "楼道长" if unit == "captain" else cfg.units[unit].label
