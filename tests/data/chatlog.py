"""A long, realistic and partly hostile chat log for replay tests, generated from a fixed seed.

Two days across the three demo stairwell groups, the staff group, an unknown group and private
chats: chatter, needs, complaints, questions, emergencies, captains' commands (right and wrong
ids), residents forging commands, WeChat's redeliveries and echoes, and hostile lines (broken
JSON, missing fields, time running backwards, NUL, 50,000 characters, RTL and zero-width text,
SQL and format-string fragments).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
GROUPS = {
    "新宜1幢1单元楼道群": ("wxid_yexiaoyan", "叶笑燕"),
    "新宜1幢2单元楼道群": ("wxid_wangxia", "王霞"),
    "新宜2幢1单元楼道群": ("wxid_chenjianguo", "陈建国"),
}
STAFF = "新宜社区工作群"
UNKNOWN = "隔壁小区闲聊群"
WUYE = ("wxid_wuye_xiaozhang", "物业小张")
ZHOU = ("wxid_zhouhaifang", "周海芳")
RESIDENTS = [(f"wxid_r{i:02d}", n) for i, n in enumerate(
    ["李阿姨", "张叔", "王阿婆", "赵大哥", "孙姐", "周老师", "吴奶奶", "郑师傅", "冯阿姨", "陈小妹", "褚大爷", "卫姐"])]

CHATTER = ["早上好各位", "哈哈好的", "谢谢燕姐！", "👍👍", "收到收到", "今天天气不错", "吃了吗",
           "好的谢谢", "辛苦了", "晚安", "🙏🙏🙏", "哈哈哈哈", "明白", "好嘞", "大家注意保暖"]
NEEDS = ["燕姐能帮我取个快递吗 我家{room}", "我在居家隔离，谁能帮忙买点菜，{room}",
         "家里老人需要买降压药，能帮忙代购吗", "帮忙拿一下外卖，放{room}门口就行",
         "谁有多余的退烧药，家里孩子发烧了", "老人腿脚不便，想请人帮忙扛一袋米上楼"]
COMPLAINTS = ["{floor}楼楼道的灯坏了好几天了，晚上黑乎乎的", "楼下的水管漏水了，麻烦物业看看",
              "电梯又坏了，困了好久", "楼道里堆了好多杂物，过不去", "有人在楼道里给电瓶车充电",
              "楼上装修太吵了，中午都不停", "下水道堵了，反味", "{room}门口的墙在渗水"]
QUESTIONS = ["请问这周六的疫苗接种在哪里打？几点开始？", "明天停水吗？几点到几点？",
             "物业电话多少啊？", "核酸检测点今天开吗", "请问垃圾分类的桶放哪里了？"]
URGENT = ["楼道里好大的煤气味！！快来人", "{room}冒烟了！着火了！", "有老人摔倒在{floor}楼楼梯上，叫不醒",
          "电梯里有人被困，快来人啊"]
NOT_FIXED = ["还没好", "灯还是坏的，没修好", "又坏了"]
HOSTILE_TEXT = [
    "", "   ", "\u200b\u200b\u200b", "\u202e楼道灯坏了\u202c", "مرحبا جيران", "\x00\x01\x02楼道灯\x07坏了",
    "'; DROP TABLE items; --", "1' OR '1'='1", "{id}{reporter}{0}%s%d{{}}", "{__class__.__mro__}",
    "#1 已处理", "#999999999 收到", "#0 完成", "# 12 认领", "＃3 转物业", "待办", "😀" * 40,
    "楼道灯坏了" + "啊" * 50_000, "\t\r\n", "$(rm -rf /)", "`reboot`", "<script>alert(1)</script>",
    "我家电话13812345678，身份证110101199003071234，灯坏了",
]


def _room(rnd: random.Random) -> str:
    return f"{rnd.randint(1, 6)}0{rnd.randint(1, 4)}"


def generate(path: Path, n: int = 2000, seed: int = 20261128) -> Path:
    """Write about n lines spanning ~2 days; returns path."""
    rnd = random.Random(seed)
    t = datetime(2026, 11, 28, 6, 50, tzinfo=TZ)
    step = timedelta(days=2) / n
    lines: list[str] = []
    recent: list[dict] = []
    item_guess = 0
    for i in range(n):
        t += step * rnd.uniform(0.2, 1.8)
        topic = rnd.choice(list(GROUPS))
        captain = GROUPS[topic]
        who = rnd.choice(RESIDENTS)
        r = rnd.random()
        fill = {"room": _room(rnd), "floor": rnd.randint(1, 18)}
        room = topic
        if r < 0.50:
            text = rnd.choice(CHATTER)
        elif r < 0.58:
            text = rnd.choice(NEEDS).format(**fill)
            item_guess += 1
        elif r < 0.66:
            text = rnd.choice(COMPLAINTS).format(**fill)
            item_guess += 1
        elif r < 0.71:
            text = rnd.choice(QUESTIONS)
            item_guess += 1
        elif r < 0.73:
            text = rnd.choice(URGENT).format(**fill)
            item_guess += 1
        elif r < 0.82:  # a captain, a unit or staff closes the loop (right or wrong id)
            who = rnd.choice([captain, captain, WUYE, ZHOU])
            target = rnd.randint(1, max(1, item_guess + 2))
            word = rnd.choice(["收到", "认领", "已处理", "好了", "完成", "转物业", "转社区", "转楼道长",
                               "改 需求", "改 投诉", "改 其他"])
            text = f"#{target} {word}" if rnd.random() > 0.1 else "待办"
            if who == ZHOU and rnd.random() < 0.5:
                room = STAFF
        elif r < 0.85:
            text = rnd.choice(NOT_FIXED)
        elif r < 0.88:
            room = UNKNOWN
            text = rnd.choice(COMPLAINTS + CHATTER).format(**fill)
        elif r < 0.89:
            room = ""  # a private chat with the bot
            text = rnd.choice(QUESTIONS + CHATTER)
        elif r < 0.90:
            room = STAFF
            who = ZHOU
            text = rnd.choice(CHATTER)
        else:
            text = rnd.choice(HOSTILE_TEXT)
        msg = {"id": f"m{i:05d}", "ts": t.isoformat(timespec="seconds"), "room": room,
               "sender_id": who[0], "sender_name": who[1], "text": text, "mentions": []}
        if rnd.random() < 0.02:
            msg["kind"] = "image"
        lines.append(json.dumps(msg, ensure_ascii=False))
        recent.append(msg)
        x = rnd.random()
        if x < 0.02 and recent:  # WeChat redelivers an old id
            lines.append(json.dumps(rnd.choice(recent[-20:]), ensure_ascii=False))
        elif x < 0.04:  # the same text again under a new id, seconds later
            echo = dict(msg, id=f"m{i:05d}e", ts=(t + timedelta(seconds=2)).isoformat(timespec="seconds"))
            t += timedelta(seconds=2)
            lines.append(json.dumps(echo, ensure_ascii=False))
        elif x < 0.06:
            lines.append(rnd.choice([
                "{not json", "[1, 2, 3]", '{"id": "x"}', "",
                json.dumps(dict(msg, id=f"bad{i}", ts="yesterday")),
                json.dumps(dict(msg, id=f"old{i}", ts="2020-01-01T00:00:00+08:00")),  # runs backwards
                json.dumps(dict(msg, id=f"naive{i}", ts="2026-11-28T10:00:00")),
                json.dumps(dict(msg, id=f"int{i}", text=12345)),
                json.dumps(dict(msg, id=f"men{i}", mentions="wxid_yexiaoyan")),
                "\x00\x00\x00",
            ]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # python -m tests.data.chatlog OUT
    import sys

    print(generate(Path(sys.argv[1])))
