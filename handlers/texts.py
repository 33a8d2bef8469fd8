"""Every sentence a resident, captain or staff member reads, in one place for tone and length.

Mentions are added by the transport as "@Name " before the text, so each line reads on from them.
"""

from __future__ import annotations

CATEGORY_LABELS = {"need": "求助", "complaint": "报修", "question": "咨询", "other": "其他"}
STATUS_LABELS = {"open": "待处理", "claimed": "处理中", "resolved": "已处理", "closed": "已关闭"}

ACK = {
    "need": "#{id} 收到{reporter}的求助{where}，已登记，麻烦帮忙跟进。",
    "complaint": "#{id} 收到{reporter}的报修{where}，已登记，麻烦尽快处理。",
    "question": "#{id} 收到{reporter}的咨询，麻烦帮忙解答。",
}
URGENT_ACK = "🚨#{id} 紧急{where}：{summary} 请立即处理！{reporter}，如有危险请先拨打119/120。"
URGENT_STAFF = "🚨#{id} {group}紧急情况：{summary}"
FORWARD = "#{id} {group}的{label}：{summary}"
GUESS = "（自动判断，不准请回复 #{id} 改 需求/投诉/咨询/其他）"
WHERE = "（{room}）"

DUPLICATE = "这个问题已在处理中（#{id}），已记下您也遇到了，谢谢反馈。"

CLAIMED = "#{id} 已由{name}认领，谢谢！"
RESOLVED = "#{id} 已处理好了。如果还有问题，直接回复“还没好”就行。"
TRANSFERRED = "#{id} 转给{unit}：{summary} 麻烦处理一下。"
RECATEGORIZED = "#{id} 已改为{label}，谢谢指正。"
CLOSED_AS_OTHER = "#{id} 已改为{label}并关闭，谢谢指正。"
REOPENED = "#{id} {reporter}说还没解决，已重新打开，麻烦再看看。"
NOT_FOUND = "#{id} 没有找到这条记录。"
ALREADY = "#{id} 现在是{status}，无需重复操作。"
NOT_YOURS = "#{id} 不在您负责的楼道，请联系社区转办。"

TODO_HEAD = "您的待办（{n}条）："
TODO_LINE = "#{id} {building}{room} {label}：{summary}（{age}）"
TODO_EMPTY = "您目前没有待办，辛苦了！"

REMIND = "#{id} 还没有人认领，麻烦看一下：{summary}"
ESCALATE = "#{id} {group}的{label}已超过{hours}小时未解决，请协调：{summary}"

PRIVATE_HINT = "您好，我是楼道管家。有事请在您所在的楼道群里说，楼道长和物业都能看到。"

DIGEST_HEAD = "【{community}日报】{date}"
DIGEST_BUILDING = "{building}：新增{new}（求助{need} 报修{complaint} 咨询{question}） 未结{open} 已办{resolved} 紧急{urgent} 超时{overdue}"
DIGEST_OLDEST_HEAD = "最早未结："
DIGEST_OLDEST = "#{id} {building}{room} {label}：{summary}（{age}）"
DIGEST_NONE = "昨日无新事项，辛苦大家了。"

STORAGE_DOWN = "楼道管家暂时无法保存新消息（{reason}），请值班人员尽快处理。"
STORAGE_REASONS = {"full": "磁盘已满", "read-only": "数据库只读", "busy": "数据库被占用",
                   "I/O error": "磁盘读写出错", "corrupt": "数据库文件损坏"}


def age(hours: float) -> str:
    if hours < 1:
        return "不到1小时"
    if hours < 48:
        return f"{int(hours)}小时"
    return f"{int(hours // 24)}天"
