"""The console: one person plays every role from a terminal, on the real pipeline.

In-band commands switch the group (/group TOPIC) and the speaker (/as CONTACT_ID NAME).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime
from typing import IO

from storage.models import Message, Outgoing

HELP = """可用命令：
  /group 群名        切换到某个群说话
  /as 联系人ID 名字   切换说话的人（如 /as wxid_liayi 李阿姨）
  /help              显示本帮助
其他任何一行都是当前这个人在当前群里发的消息。"""

BOT_NAME = "楼道管家"


class ConsoleTransport:
    name = "console"
    simulated = False
    flush_held_at_end = True  # a console session ends with its person gone: say everything

    def __init__(self, *, groups: list[str], names: Mapping[str, str],
                 now: Callable[[], datetime], inp: IO[str] | None = None,
                 out: IO[str] | None = None) -> None:
        self.groups = groups
        self.names = dict(names)
        self.now = now
        self.inp = inp or sys.stdin
        self.out = out or sys.stdout
        self.room = groups[0]
        self.sender_id, self.sender_name = "wxid_console_resident", "居民"
        self._ids = itertools.count(1)
        self._run = f"{int(now().timestamp())}"

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    async def _readline(self) -> str:
        return await asyncio.get_running_loop().run_in_executor(None, self.inp.readline)

    async def messages(self) -> AsyncIterator[Message]:
        interactive = self.inp.isatty()
        if interactive:
            self._say(f"楼道管家控制台。当前群：{self.room}，当前身份：{self.sender_name}。"
                      "输入 /help 查看命令。")
        while True:
            line = await self._readline()
            if not line:
                return
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            if text.startswith("/") and self._command(text.strip()):
                continue
            self.names.setdefault(self.sender_id, self.sender_name)
            yield Message(id=f"console-{self._run}-{next(self._ids)}", ts=self.now(),
                          room=self.room, sender_id=self.sender_id,
                          sender_name=self.sender_name, text=text)

    def _command(self, line: str) -> bool:
        cmd, _, arg = line.partition(" ")
        arg = arg.strip()
        if cmd == "/help":
            self._say(HELP)
        elif cmd == "/group":
            if not arg:
                self._say("请写上群名，例如：/group " + self.groups[0])
            else:
                self.room = arg
                self._say(f"（现在在：{arg}）")
        elif cmd == "/as":
            cid, _, name = arg.partition(" ")
            if not cid:
                self._say("请写上联系人ID和名字，例如：/as wxid_liayi 李阿姨")
            else:
                self.sender_id, self.sender_name = cid, name.strip() or cid
                self.names[cid] = self.sender_name
                self._say(f"（现在的身份：{self.sender_name}）")
        else:
            return False  # not ours: a message that starts with "/"
        return True

    async def send(self, out: Outgoing) -> None:
        at = " ".join(f"@{self.names.get(m, m)}" for m in out.mentions)
        where = f"私聊 {self.names.get(out.direct_to, out.direct_to)}" if out.direct_to else out.room
        self._say(f"[{where}] {BOT_NAME}: {at + ' ' if at else ''}{out.text}")

    async def close(self) -> None:
        pass
