"""Synthetic but realistic workload for the benchmark: a 200-group config and chat traffic.

Texts come from the labelled corpus shipped in nlp/data, varied with rooms, names, emoji and
fillers so that few messages repeat exactly. Everything is drawn from one seeded Random.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from nlp.corpus import training_records
from storage import Message

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "config.yaml"
PROPERTY = "wxid_wuye_xiaozhang"

# Share of each kind of message; chatter dominates, as in real stairwell groups.
MIX = (("chatter", 0.72), ("need", 0.08), ("complaint", 0.07), ("question", 0.07),
       ("urgent", 0.02), ("command", 0.04))

_CHATTER_EXTRA = (
    "好的", "收到", "谢谢", "谢谢燕姐", "辛苦了", "早上好", "晚安", "哈哈哈", "👍", "[抱拳]",
    "大家注意安全", "今天天气不错", "我也是", "同意", "楼上说得对", "知道了", "好嘞", "明白",
    "刚回来", "出去一趟", "有人在吗", "感谢志愿者", "辛苦大家了", "今天核酸排队好长",
)
_NAMES = ("李阿姨", "张叔", "王姐", "小陈", "刘奶奶", "赵师傅", "孙老师", "周大哥", "吴阿姨", "郑叔叔")
_TAILS = ("", "", "", "！", "。", "～", " 谢谢", " 麻烦了", " 🙏", "[抱拳]", " 急", "啊")


@dataclass(frozen=True)
class GroupSpec:
    topic: str
    building: str
    captain_id: str


def make_config(tmp: Path, n_groups: int = 200) -> tuple[Path, list[GroupSpec]]:
    """The demo config with `n_groups` stairwell groups (2 units per building)."""
    raw: dict[str, Any] = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    groups: list[GroupSpec] = []
    for i in range(n_groups):
        b, u = i // 2 + 1, i % 2 + 1
        groups.append(GroupSpec(f"新宜{b}幢{u}单元楼道群", f"{b}幢", f"wxid_cap_{b}_{u}"))
    raw["groups"] = [{"topic": g.topic, "building": g.building,
                      "captain": {"id": g.captain_id, "name": f"楼道长{g.building}{i % 2 + 1}"}}
                     for i, g in enumerate(groups)]
    raw["database"] = str(tmp / "stairbot.db")
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, groups


def demo_groups() -> list[GroupSpec]:
    raw = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    return [GroupSpec(g["topic"], g["building"], g["captain"]["id"]) for g in raw["groups"]]


def _pools() -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {"chatter": list(_CHATTER_EXTRA), "need": [], "complaint": [],
                                   "question": [], "urgent": []}
    for r in training_records():
        if r.urgent and r.label != "other":
            pools["urgent"].append(r.text)
        elif r.label == "other":
            pools["chatter"].append(r.text)
        else:
            pools[r.label].append(r.text)
    return pools


def _vary(rng: random.Random, text: str, kind: str) -> str:
    if kind in ("need", "complaint") and rng.random() < 0.4:
        text += f" {rng.randint(1, 18)}0{rng.randint(1, 4)}"
    if rng.random() < 0.15:
        text = f"@{rng.choice(_NAMES)} {text}"
    return text + rng.choice(_TAILS)


def messages(n: int, groups: list[GroupSpec], seed: int, start: datetime,
             gap: float, jitter: bool = True) -> Iterator[Message]:
    """`n` messages spread over `groups`, one every `gap` seconds on average, in time order."""
    rng = random.Random(seed)
    pools = _pools()
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    actionable = 0  # roughly how many items exist so far, for plausible "#id" commands
    t = start
    for i in range(n):
        g = rng.choice(groups)
        kind = rng.choices(kinds, weights)[0]
        sender = f"wxid_r{rng.randint(1, 60)}_{g.building}"
        name = rng.choice(_NAMES)
        if kind == "command" and actionable:
            item = rng.randint(max(1, actionable - 40), actionable)
            if rng.random() < 0.5:
                sender, name = g.captain_id, "楼道长"
            else:
                sender, name = PROPERTY, "物业小张"
            text = f"#{item} " + rng.choice(("收到", "认领", "好了", "已处理", "完成"))
        else:
            if kind == "command":
                kind = "chatter"
            text = _vary(rng, rng.choice(pools[kind]), kind)
            if kind != "chatter":
                actionable += 1
        yield Message(id=f"b{seed}-{i}", ts=t, room=g.topic, sender_id=sender,
                      sender_name=name, text=text)
        t += timedelta(seconds=rng.expovariate(1 / gap) if jitter else gap)


def write_jsonl(path: Path, msgs: Iterator[Message]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for m in msgs:
            f.write(json.dumps({"id": m.id, "ts": m.ts.isoformat(), "room": m.room,
                                "sender_id": m.sender_id, "sender_name": m.sender_name,
                                "text": m.text, "mentions": list(m.mentions)},
                               ensure_ascii=False) + "\n")
            n += 1
    return n
