"""Rules that adjust the lexicon scores: notices, cancellations, acks, question form, priority."""

from __future__ import annotations

import re

from .lexicon import Lexicon
from .prefilter import compile_gated
from .urgency import Urgency, hypothetical_spans

_ONLY_PUNCT = re.compile(r"^[\s?.!,。、~…]*$")
_QUESTION_END = re.compile(r"(?:吗|么|呢|不|没|没有|啊|呀|吧)?\s*[?]\s*$|吗\s*$|吗\?")
# "是不是坏了?" asks; it does not report (LABELS.md: "plainly just asking").
_TENTATIVE = re.compile(r"是不是|会不会|是否|有没有坏")
# "A还是B" offers alternatives: an information question ("还是白乎乎的", "还是照样" mean "still").
_ALTERNATIVE = re.compile(r"还是(?![不没照一老那很挺好])[^的]{1,12}(?:[?吗呢啊]|$)")
# A fault stated as fact: a broken-state predicate, general over objects ("X打不开/关不严/不亮/堵了").
_FAULT = compile_gated(
    r"坏(?:了|掉|的)|怀了|失灵|不灵|(?:不|没)(?:亮|热|通|转|出水|反应|制冷)|"
    r"(?:打|关|锁|抬|拧|冲|合|刷|升|开)不(?:开|上|紧|严|下去|起来|动|了)|"
    r"漏(?:水|了|雨)|渗水|滴水|堵(?:了|住|死|塞)|不通|裂(?:了|开|缝)|碎了|断了|松了|生锈|锈了|发黄|浑|"
    r"反水|返水|反臭|返臭|异味|没水|又停|连不上|冲不下去|下不去|不动了|不走了"
    # water that is off-colour, a way blocked, a service that never came, a victim of someone
    r"|(?:自来)?水.{0,8}(?:黄|浑|黑|锈|红色)|锈味|挡(?:着|住)(?:我|了|路|道|门)"
    r"|(?:一直|迟迟|还|都)没(?:送|到|来|人)|被(?:人|谁)?(?:拿错|拿走|偷|撬|乱扔|占|划|砸|剪|顺走)"
)
# A fault talked about, not reported: "电梯坏了的话…", "万一漏水", "之前楼道灯坏了是找谁…".
_NOT_NOW_BEFORE = re.compile(r"(?:如果|万一|要是|假如|之前|以前|一般)[^ ,。]{0,8}$")
_NOT_NOW_AFTER = re.compile(r"[^ ,。]{0,4}的话|[^ ,。!?]{0,6}[吗么]")  # "…也是黄的吗?" asks
# Asking a neighbour (not the property office) to help or lend: "有没有会修的邻居", "谁能帮我…",
# "哪位能帮我查一下": a need, even when the thing concerned is broken (LABELS.md).
_NEIGHBOUR_REQUEST = compile_gated(
    r"(?:谁|哪位|哪个|有没有|有木有|好心人|小伙子|邻居).{0,12}(?:帮|借|教|打印|蹭|匀|修|换|看看)"
    r"|(?:有没有|找个?|求个?).{0,6}(?:会|懂|学).{0,6}的|(?:谁|谁家|有没有人|有木有人)有"
    r"|(?:有没有|有木有|有)(?:人|邻居)(?:会|懂|能)|谁(?:会|懂)(?![啊呀啦吧么])|(?:会|懂).{0,4}的(?:邻居|人|小伙子|朋友|师傅)"
)
_OFFICE = re.compile(r"物业|物页|管家|维修|报修|保洁|保安|客服")
# Explained as harmless: "水有点黄是正常的", "报警响是因为我家在炒辣椒", "放一会就清了".
_EXPLAINED = compile_gated(
    r"(?<![不])(?:是正常的|正常现象|属于正常|很正常)|是因为|原因是|放一会(?:儿)?就|不用担心|不是(?:坏|漏|着火)"
)
# A friendly alert to a neighbour about their own things: "车灯没关", "你家车窗没关 下雨了".
_FRIENDLY_ALERT = re.compile(
    r"(?:车灯|大灯|车窗|后备箱|车门|天窗|钥匙|车钥匙)[^ ,。]{0,3}"
    r"(?:没关|没锁|没拔|忘拔|忘关|还开着|开着|插在|挂在)"
)
# A business's offer: "团购价…截单", "要的私我", "开业打八折", "急售".
_AD = re.compile(
    r"团购价|截单|要的接龙|要的私我|私我|加我微信|加微信|开业|打[一二三四五六七八九]折|急售|有意私聊|到货|自提|包邮|特价"
    # services and lettings on offer: "疏通下水道 不通不收费", "房屋出租 拎包入住", "老人8折"
    r"|有意者|拎包入住|随叫随到|不通不收费|不.不收费|质保|小活|新客户|[0-9一二三四五六七八九]折|公安备案|接单|欢迎(?:咨询|来电|选购)"
    r"|(?:房屋|房子|单间|店面)(?:出租|出售)|上门(?:服务|回收)|(?:每件|每斤|每份)[0-9.]+元|[0-9.]+元(?:一|每)?(?:盒|斤|份|箱|件|袋)"
)
# A group-buy or sign-up list line: "5. 1103 赵 两份", "2单元801 鸡蛋1箱", "接龙 团购牛奶".
_ORDER_LINE = re.compile(
    r"^(?:[0-9]{1,3}[.、)] ?)?(?:[0-9]幢)?(?:[0-9]单元)?[0-9]{3,4}(?:室)?[^?,。]{0,10}?"
    r"(?:[0-9一二两三四五六七八九十]+ ?(?:箱|盒|份|斤|袋|瓶|个|只|提|桶|包|件|位|人)|已接龙)$"
    r"|^(?:[0-9]{1,3}[.、)] ?)|接龙"
)
# Praise for a neighbour or the property office: "物业这次修得挺快的", "阿姨好认真 点个赞".
_PRAISE = re.compile(r"辛苦了|人真好|真是好|点(?:个)?赞|好认真|挺快|真给力|太给力|靠谱|暖心|感动|好孩子|巴适")
# A sign explained as something harmless: "那不是烟 是水汽", "是航空障碍灯 不是火".
_NOT_WHAT_IT_SEEMED = re.compile(
    r"(?:^|[ ,。])(?:那|这)?不是(?:火|烟|报警|漏水|着火|咱|我们|警报)"
    r"|是.{1,14} 不是(?:火|烟|报警|漏|咱|我们|着火)"
    r"|以为.{1,10}(?:原来|其实)是|[是在]按着玩"
)
# A notice posted under its sender's name: "物业：1单元电梯暂停 请大家走楼梯".
_SPEAKER_NOTICE = re.compile(r"^(?:物业|社区|居委会?|楼道长|楼长|管家|物业服务中心|网格员)[^ ,。]{0,4}:")
_TO_ALL = re.compile(r"请|大家|各位|住户|居民|勿|注意|暂停|停用|正在")
# A captain relaying news: "跟大家同步一下", "通报一下".
_BRIEFING = compile_gated(r"(?:跟|和|向)大家(?:同步|说|汇报|通报|传达)一下|通报一下|传达一下")
# Done and reported: "换好了", "已经修过了", "止住了", "来看过了" (not "修好了又坏了").
# A remedy completed (verb + result + 了), by anyone: "全清掉了", "抽干了", "终于拉走了", "立管通了".
_DONE = compile_gated(
    r"(?:修|换|弄|装|清|通|处理|搞|疏通|清理|抽|拉|搬|收拾|补|消杀|灭)(?:好|完|掉|走|干|上|过)了"
    r"|已经(?:把.{1,6}|派人|找人|叫人|让人)?(?:修|换|清|处理|止住|来|通|抽|关|报|叫|联系|补|拉|搬|消杀)"
    r"|(?:来|看|修|换|测|查)过了|止住了|恢复(?:正常)?了|又能(?:用|坐)了|能用了|误报|(?<![不没打])通了"
    r"|(?:刚|终于)[^ ,。]{0,4}(?:关|修|换|清|拉|搬|通)(?:了|好|完|走|掉)|查到了|查清楚|找到了?(?:漏水点|原因)"
    r"|(?:测|查|检查|检测|看)过.{0,6}(?:没|安全|正常)|已经散|确认安全"
    # back to working: "楼道灯已经亮了", "来电了", "水来了", "电梯已经恢复运行"
    r"|已经(?:亮|好|能用|恢复|来电|来水)|(?<![不没])(?:亮了|来电了|来水了)|(?<![没不])(?:水|电)来了"
    r"|恢复(?:运行|供水|供电|通行|使用)"
)
_RELAPSE = re.compile(r"又|还是|没修好|没换好|不行|结果|没用")
# Being handled, or a repair visit arranged, by whoever is responsible ("物业的人正在拖地",
# "正在抢修", "维修工后天一早过来", "师傅说周三能来换"): a status update, not a new report.
_ACTOR = r"(?:物业|管家|师傅|维修工|工人|电工|厂家|公司|供电局|电力|他们|保洁|的人|吸污车|消防)"
_HANDLING = compile_gated(
    _ACTOR + r"[^?？]{0,12}(?:正在|在)(?:修|拖|清|处理|抢修|检修|弄|查|抽|换|排查|收拾)"
    r"|正在(?:抢修|处理|维修|修|清理|排查)"
    r"|"
    + _ACTOR
    + r"[^?？]{0,12}(?:明天|后天|今晚|下午|上午|晚上|周[一二三四五六日天末]|过两天|马上|大概|一早)"
    r"[^?？]{0,4}(?:能|会|就)?(?:来|过来|上门)"
)
# A broken promise is a complaint ("说明天来修 到现在也没来").
_PROMISE_BROKEN = re.compile(r"没来|没人|还没|人呢|到现在|都没|又|拖|推")
# Staff and captains' notices: an activity at a given time, or an instruction to every household.
_WHEN = (
    r"(?:明天|后天|今天|今晚|本周.?|下周.?|周[一二三四五六日天末]|下个?月|[0-9]{1,2}[:点号]|上午|下午|晚上)"
)
_SCHEDULE = compile_gated(
    _WHEN + r"[^?？]{0,16}(?:暂停|停用|停运|停水|停电|检修|维保|安检|上门|入户|消杀|清理|清洗|施工|作业|"
    r"发放|发门|换水表|换表|收旧|登记|演练|组织|统一|免费)"
)
_ADDRESS = re.compile(
    r"请(?:各户|各位|大家|提前|自行|关好|配合|留|走|带|注意|储水|接水|包涵|谅解)|家里(?:请)?留(?:个)?人"
    r"|另行通知|敬请|带来不便|不便之处|别慌|优先|带(?:好)?身份证"
)
# Something opened to every household: "物业费开始交了", "疫苗开始预约了".
_OPENED = re.compile(r"开始(?:交|缴|收|报名|登记|发放|接种|预约|领)")
# Asking what one should do: "应该先…", "能不能先扶", "先开窗还是先关阀".
_WHAT_TO_DO = re.compile(r"应该|该怎么|怎么办|能不能|可不可以|要不要|先.{0,8}还是|还是先|可以.{0,6}吗")
# A suspension announced: "停电检修 电梯暂停", "1号梯停用" (residents say "又停了", "坏了").
_SUSPEND = re.compile(r"暂停|停运|停用|(?:停电|停水)检修")
_HABITUAL = re.compile(r"总(?:是|有|在)|老是|天天|每晚|每天晚上|一直")
# Thanks as the opening: "谢谢张师傅 大晚上跑来修水管".
_THANKS_FIRST = re.compile(r"^(?:谢谢|感谢|多谢|辛苦)")
# Asking for a recommendation of a helper or service: "蹲一个靠谱的保姆…有推荐的吗", "求推荐搬家公司".
_RECOMMEND = compile_gated(
    r"求推荐|有(?:没有)?(?:人)?推荐|推荐(?:一下|个|一个)?(?:吗|呗|靠谱)|有推荐的|^蹲(?:一个|个|一)"
)
# Something lost, and the sender asks to be told or helped ("猫跑丢了…谁看见了告诉我").
_LOST_THING = re.compile(r"跑丢|跑出去|走丢|丢了|不见了|走失|找不到")
_LEND = re.compile(r"借|帮|匀|用一下|给我")
_ASK_TELL = re.compile(r"告诉我|联系我|帮忙找|帮.{0,2}留意|谁(?:看见|看到|见到)|线索|说一声")
# Help already given by the sender: "药我顺路给捎上楼了", "快递我给放门口了".
_GAVE = re.compile(r"我.{0,6}(?:给|帮|顺路|顺手).{0,8}(?:送|捎|拿|放|带|搬|扛|提).{0,6}了")
# A found thing announced: "钥匙在我这", "捡到一个…".
_FOUND = re.compile(r"在我这|捡到|捡的|谁(?:家)?的.{0,8}(?:在|放)|我(?:给|帮)?(?:放|搁|收)在")
# Rhetorical exasperation is a complaint, not a question: "这觉还睡不睡了", "还让不让人活了".
_RHETORICAL = compile_gated(
    r"还(?:让不让|睡不睡|活不活|管不管)|让不让人|这都几点了|还有没有王法|这是(?:干嘛|搞什么)|搞什么|(?:多久|几天|多少天)没"
)
# Asking for someone's phone number is a question, not a request for help.
_CONTACT = re.compile(r"电话|号码|联系方式|微信号")
# Request forms for a service: they outrank a wh-word ("要一袋土豆 钱咋给").
_REQUEST = compile_gated(
    r"帮我|帮忙|麻烦.{0,4}帮|代(?:买|取|拿|配|购)|(?:要|来|订)(?:一|两|几|[0-9])(?:袋|箱|份|盒|斤|瓶|个|桶)|给我(?:来|带|留)"
)
# Where or to whom one goes to get something done: "需要跟谁申请", "在哪办", "找谁报修".
_WHO_WHERE = re.compile(
    r"(?:找谁|跟谁|向谁|问谁|哪里|哪儿|在哪|去哪)(?:申请|办|交|报|登记|问|领|打印|报修|签|备案|开)"
)
# Wh-words of an information question.
_WH = re.compile(r"几点|几号|几月|什么|啥时候|哪|多少|多久|怎么|咋|如何|干嘛|是啥|啥")
# "三天了", "一个多月了": a fault that has lasted is a complaint about service.
_DURATION = re.compile(r"(?:好几|[一二两三四五六七八九十几半\d]+多?)(?:天|个月|个礼拜|个星期|周|次|回)了")
# Thanks for help already given ("谢谢王姐帮我拿的菜") is not a new request.
_THANKS_FOR_HELP = re.compile(r"(?:谢谢|感谢|多谢).{0,12}帮")
# "有没有邻居能…", "有没有会修的师傅": asking for a helper is a need.
_HELPER = re.compile(
    r"有没有.{0,5}(?:(?:邻居|人|志愿者|小伙子).{0,6}(?:能|会|可以|帮|有|借|愿意)|师傅|医生|电工)"
)
# "停不停水", "去不去": an A-not-A question ("能不能" is usually a request, so left out).
A_NOT_A = re.compile(r"([^能可])不\1")
_JUST_KNOW = re.compile(r"知道|听说")
# "1502的快递我帮拿上去了": reporting help already given.
_HELP_GIVEN = re.compile(r"我(?:已经)?帮.{0,10}了")


# Rules saying the matter is over, handled or announced (see Analyzer.scores).
RESOLVING = frozenset(
    {
        "done", "handling", "over", "notice-form", "notice", "explained", "friendly-alert",
        "briefing", "opened", "not-what-it-seemed", "speaker-notice",
    }
)


def is_notice(lexicon: Lexicon, text: str) -> bool:
    """Captains' and staff notices: 【通知】, 【温馨提示】, forwarded articles, etc."""
    head = text[:8]
    if lexicon.has("notice_prefix", head) is None:
        return False  # no notice phrase anywhere in the head (the usual case)
    prefixes = lexicon.phrases["notice_prefix"]
    return head.startswith(prefixes) or any(len(p) > 2 and p in head for p in prefixes)


def _question_end(text: str) -> bool:
    # Every branch of _QUESTION_END holds a "?" or a "吗": skip the search without either.
    return ("?" in text or "吗" in text) and _QUESTION_END.search(text) is not None


def is_question_form(lexicon: Lexicon, text: str) -> bool:
    return _question_end(text) or lexicon.has("question_opening", text) is not None


def rule_adjustments(lexicon: Lexicon, text: str, urgency: Urgency) -> tuple[dict[str, float], list[str]]:
    """Score offsets per category and the names of the rules that fired."""
    adj = {"need": 0.0, "complaint": 0.0, "question": 0.0, "other": 0.5}
    fired: list[str] = []

    def fire(name: str, category: str, amount: float) -> None:
        adj[category] += amount
        fired.append(name)

    if _ONLY_PUNCT.match(text):
        # A bare "？" asks something; nothing or only dots says nothing.
        fire("empty", "question" if "?" in text else "other", 5)
        return adj, fired
    notice = is_notice(lexicon, text)
    if notice:
        fire("notice", "other", 8)
    if lexicon.has("greeting_only", text) and len(text) <= 8:
        fire("greeting", "other", 6)
    if lexicon.has("cancel", text):
        fire("cancel", "other", 4)
    done = _DONE.search(text)
    resolved = bool(done and not _RELAPSE.search(text, done.end()))
    if resolved:
        fire("done", "other", 4)
    handling = _HANDLING.search(text)
    impatient = lexicon.has("demand", text)  # "说明天来 能不能快点" presses; it reports no progress
    rhetorical = _RHETORICAL.search(text)
    if handling and not (_PROMISE_BROKEN.search(text, handling.end()) or rhetorical or impatient):
        fire("handling", "other", 4)
        resolved = True
    if urgency.over:
        # A danger named and then called off: "焦味是炒辣椒 不是着火", "人已经救出来了".
        fire("over", "other", 4)
        resolved = True
    if _EXPLAINED.search(text) and not urgency.urgent:
        # The fault or alarm is explained away: no complaint is left.
        fire("explained", "other", 4)
        resolved = True
    if _FRIENDLY_ALERT.search(text):
        fire("friendly-alert", "other", 4)
        resolved = True
    if _AD.search(text) and not _REQUEST.search(text) and "车位" not in text:
        fire("ad", "other", 3)
    order = _ORDER_LINE.search(text)
    if order and not (_question_end(text) or lexicon.has("question_opening", text)):
        fire("order-line", "other", 5 if order.group(0) != "接龙" else 3)
    if _PRAISE.search(text) and not (
        _RELAPSE.search(text) or lexicon.has("demand", text) or _question_end(text) or _REQUEST.search(text)
    ):
        fire("praise", "other", 3)
    if _NOT_WHAT_IT_SEEMED.search(text) and not urgency.urgent:
        fire("not-what-it-seemed", "other", 4)
        resolved = True
    if _SPEAKER_NOTICE.search(text) and _TO_ALL.search(text):
        fire("speaker-notice", "other", 5)
        resolved = True
    if _BRIEFING.search(text):
        fire("briefing", "other", 3)
        resolved = True
    if _THANKS_FIRST.search(text) and not _RELAPSE.search(text):
        fire("thanks-first", "other", 3)
    if _GAVE.search(text):
        fire("gave", "other", 5)
    if _FOUND.search(text):
        fire("found", "other", 3)
    if rhetorical:
        fire("rhetorical", "complaint", 5)
    if _THANKS_FOR_HELP.search(text):
        fire("thanks-for-help", "other", 3)
    if _HELP_GIVEN.search(text):
        fire("help-given", "other", 3)
    # Each computed once: several rules below ask the same questions of the text.
    opening = lexicon.has("question_opening", text)
    question_form = _question_end(text) or opening is not None  # is_question_form
    a_not_a = A_NOT_A.search(text) if "不" in text else None  # the pattern needs a 不
    if question_form:
        fire("question-form", "question", 2)
    demand = impatient if not resolved else None  # "已经来修过了" demands nothing
    if demand:
        fire("demand", "complaint", 1.5)
    tentative = _TENTATIVE.search(text)
    # "又不亮了, 是不是没修好" reports first; "是不是又坏了?" only asks.
    if tentative and not demand and "又" not in text[: tentative.start()]:
        fire("tentative", "question", 3)
    alternative = _ALTERNATIVE.search(text)
    if alternative:
        fire("alternative", "question", 2.5)
    # LABELS.md priority: a fault stated as fact, then "什么时候修?", is a complaint; but a
    # question that comes first ("请问电梯是不是坏了") is just asking.
    fault = _FAULT.search(text)
    asks = [m.start() for m in (tentative,) if m]
    if alternative:  # "是坏了还是在保养": the question starts at its "是"
        alt_from = text.rfind("是", max(0, alternative.start() - 8), alternative.start())
        asks.append(alt_from if alt_from >= 0 else alternative.start())
    if opening:
        asks.append(text.find(opening))
    neighbour = _NEIGHBOUR_REQUEST.search(text)
    if neighbour and (_OFFICE.search(text, 0, neighbour.end()) or _CONTACT.search(text)):
        neighbour = None  # "物业谁能来修一下" asks the office; "谁有他电话" asks a number
    recommend = _RECOMMEND.search(text)
    if neighbour and opening and not _LEND.search(text):
        neighbour = None  # "谁家有小孩上育才的 想问下接送时间" asks for information
    if neighbour:
        fire("neighbour-request", "need", 3)
    person = urgency.urgent and urgency.kind == "person"  # "叫她没反应" is no fault of a thing
    if fault and alternative:
        fault = None  # "水是黄的 是水管锈了还是在检修?" asks which cause
    elif fault and (
        _NOT_NOW_BEFORE.search(text, max(0, fault.start() - 10), fault.start())
        or any(a <= fault.start() < b for a, b in hypothetical_spans(text))
        or _NOT_NOW_AFTER.match(text, fault.end())
    ):
        fault = None  # "电梯坏了的话 一般多久能修好" talks about a fault, reports none
        fire("talked-fault", "question", 3)
    schedule = _SCHEDULE.search(text) or _SUSPEND.search(text)
    address = _ADDRESS.search(text)
    asks_which = a_not_a or "到底" in text  # "明天到底停不停水啊"
    asks_which = asks_which or _HABITUAL.search(text)  # "晚上总有车停在消防通道" is a grievance
    if _OPENED.search(text) and not (question_form or demand or rhetorical or "又" in text):
        fire("opened", "other", 3)
        resolved = True
    if (
        (schedule or address)
        and not (question_form or demand or rhetorical or asks_which)
        and "又" not in text
    ):
        # A notice: an activity at a given time, or an instruction to every household.
        fire("notice-form", "other", 4.5 if schedule and address else 3)
        resolved = True
    asked_first = asks and min(asks) < fault.start() if fault else False
    if fault and not (neighbour or recommend) and not asked_first and not resolved and not person:
        fire("stated-fault", "complaint", 4)
        if question_form:
            # LABELS.md: a stated fault then a question ("电梯坏了，什么时候修？") is a complaint.
            fire("fault-then-ask", "complaint", 2)
    if recommend:
        fire("recommend", "need", 3)
    if _LOST_THING.search(text) and _ASK_TELL.search(text) and not _OFFICE.search(text):
        fire("lost-thing", "need", 3)
    if a_not_a and not rhetorical:
        fire("a-not-a", "question", 2)
    asks_what = question_form or _WH.search(text) or _WHAT_TO_DO.search(text)
    reported = demand or "stated-fault" in fired  # "太阳能板吹歪了 要是掉下来怎么办 请物业检查"
    if asks_what and not (urgency.urgent or reported) and hypothetical_spans(text):
        # "着火的话 逃生通道是哪边", "如果电梯困人 应该打哪个电话": asking what to do if...
        fire("hypothetical-question", "question", 4)
    plain = not (fault or demand or neighbour or urgency.urgent)
    if plain and _WH.search(text) and not _REQUEST.search(text):
        fire("wh-question", "question", 1.5)
    if _WHO_WHERE.search(text):
        fire("who-where", "question", 2)
    if _DURATION.search(text):
        fire("duration", "complaint", 2)
    if _HELPER.search(text) and not _JUST_KNOW.search(text):
        fire("helper", "need", 2.5)
    if urgency.urgent and not notice:
        # LABELS.md settled cases: hazards are complaints, people in danger are needs.
        if urgency.kind == "hazard":
            # ... unless it opens by asking ("谁知道燃气公司电话? 家里有煤气味").
            fire("urgent-hazard", "complaint", 3 if opening and text.startswith(opening) else 6)
        elif urgency.kind == "person":
            fire("urgent-person", "need", 6)
    return adj, fired
