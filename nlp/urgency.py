"""Urgency: danger to people or property now, unless the context says it is over or hypothetical.

Two independent detectors, either suffices:
- the weighted lexicon (class "urgent" of lexicon.json), summed against a threshold;
- compositional patterns below: a danger *object* next to a danger *predicate*
  (煤气/燃气/gas … 味/漏; 水管 … 爆/裂; 电梯 … 卡/困/停 … 里面/人; 摔/晕/躺 …), so that new
  wordings of the same situation are caught without listing every phrase.
Then cancellation: past/over/drill/false-alarm markers, negated danger ("没人被困"),
and hypothetical talk ("万一着火") turn it off, unless it is a staff's urgent notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Hits, Lexicon
from .prefilter import GatedPattern, compile_gated

URGENT_THRESHOLD = 3.0
# Staff's urgent notices are terse; one danger cue is enough there.
NOTICE_THRESHOLD = 1.5
VULNERABLE_BONUS = 1.5

# --- hazards to property and people: fire, smoke, gas, sparks, flooding, trapped in a lift
_FIRE = compile_gated(
    r"(?:着|起|失|冒|窜|蹿)火|火(?:苗|光|灾|势|很大|挺大|好大)|着伙|烧(?:起来|着了|焦)"
    r"|(?:冒|出|钻出|飘出).{0,2}(?:黑|白|浓)?烟|(?:黑|白|浓)烟|烟(?:雾(?!报警|探测)|很大|好大|老大|太大)"
    r"|全是烟|好呛|烟雾报警(?:器)?.{0,4}(?:响|叫|鸣)|什么东西烧着"
    # a thing caught fire: "被子晾在外面着了", "电线好像着了"
    r"|(?:被子|衣服|窗帘|纸|箱|柜|沙发|床|车|电线|线|木头|杂物|垃圾|东西)[^。]{0,8}(?<![睡找点打没])着了"
    # a pan or oil caught and the sender cannot put it out
    r"|(?:锅|油锅|锅里).{0,4}着(?:了|火|起来)|扑不灭|灭不(?:了|掉|下去)"
    # flames coming out, vehicles or things burning, smoke everywhere
    r"|火.{0,4}(?:往外|窜|蹿)|(?:电瓶车|电动车|车|电池).{0,4}(?:炸了|自燃|烧着|烧了)|自燃|烧了好几"
    r"|(?:到处|都)是烟(?![味头])|呛得|烧成(?:一片|一团|了|灰|这样)|(?:窗帘|被子|沙发|纸箱|衣服).{0,2}烧着|(?<!没)烧着了"
    # something set alight ("被人点了", "给点着了") with smoke or flames; smoke rising or pouring
    r"|(?:被(?:人|谁)?|给|让人)点(?:了|着)[^。]{0,20}[烟火]|[烟火][^。]{0,20}(?:被(?:人|谁)?|给|让人)点(?:了|着)"
    r"|(?<![没不打])点着了[^。]{0,12}[烟火]|[烟火][^。]{0,12}(?<![没不打])点着了|引着了"
    r"|(?<![抽吸油])烟.{0,4}(?:往上|往外|直往|一直往|不停地?)(?:冒|窜|蹿|涌|滚)|浓烟滚滚"
    # smoke coming through a door, a door or wall hot to the touch, open flames still burning
    r"|烟(?:从|往).{0,8}(?:钻|冒|出来|飘|涌|窜)|(?:钻|飘|涌|窜)(?:出来?)?.{0,2}(?:黑|白|浓)?烟(?![味头])"
    r"|(?:门|门把手|把手|墙|墙面)[^。]{0,4}(?:烫手|发烫|滚烫|是烫的|烫得)"
    r"|明火|火(?:还在|一直在|在)烧|着起来|(?:把|将).{1,6}点(?:了|着)|火情"
    # a stove left burning with nobody there
    r"|(?:灶上|锅|火)[^。]{0,6}(?:坐着|烧着|炖着|煮着|开着)[^。]{0,12}(?:出门|不在家|没人|人走了|睡着)"
)
_GAS = compile_gated(
    r"(?:煤气|燃气|天然气|液化气|煤汽|天然汽|gas)(?!公司|费|卡|报警器|灶|安检|入户|改造|检查|缴费|开户)"
    r"[^。!?]{0,14}(?:味|漏|泄|嘶|呲)|漏气|(?:味|闻着|闻到|闻起来|气味).{0,8}(?:像|跟|似)(?:是)?(?:煤气|燃气|天然气|液化气)"
    r"|(?:像|跟|似)(?:是)?(?:煤气|燃气|天然气|液化气)[^。]{0,12}(?:头晕|晕|恶心|想吐|头疼|头痛|难受|喘)"
    r"|(?:煤气|燃气|天然气|液化气)[^。]{0,16}(?:味|气味)[^。]{0,8}(?:头.{0,3}(?:晕|昏|疼|痛)|晕|恶心|想吐)|(?:燃气|煤气|气)管.{0,4}(?:漏|嘶|破|断|裂)|嘶嘶|臭鸡蛋味"
    r"|(?:燃气|煤气|天然气|可燃气体)报警器?.{0,6}(?:响|叫|鸣|报警)"
)
_SPARK = compile_gated(
    r"火花|火星|打火花|(?<!打不着)(?<!热水器)(?<!灶)(?:一直|在)打火|噼里?啪|冒了火|蓝光|电线.{0,3}(?:在)?烧|线烧|烧(?:塑料|电线|胶皮)|被电了|电了一下|短路|漏电|触电|(?:插排|插线板|排插|插座|插头|充电器|充电头|电源线|电线)(?:都)?.{0,2}(?:烧(?:了|起来|着|焦|黑|化)|炸了|化了)|带电|手.{0,2}(?:麻了|发麻)|电箱.{0,2}(?:炸|爆)|配电.{0,3}(?:炸|爆|冒)"
    r"|电流声|(?:墙|插座|开关|电线|电箱|电表|电表箱|配电箱)[^。]{0,8}(?:发烫|烫手|闪光|冒火|啪啪|滋滋|冒烟)"
)
_FLOOD = compile_gated(
    r"(?:水管|管道|管子|水箱).{0,3}(?:爆|裂|破)|爆管|淹|进水(?:了|严重)|严重进水|发大水|到膝盖|没过(?:脚|膝|小腿)|漫到|漫进"
    r"|(?:暖气|暖气片|暖气管|接头).{0,3}(?:爆|裂|断)|全是水|水.{0,10}(?:往外涌|往里进|喷|往外(?:流|冒|滋)|止不住|漫)|(?<![就总常])返水|水帘洞|小河|漫过|滋水"
    r"|水.{0,8}(?:往外涌|往里进|喷)|往下灌|往下淌|喷水|水.{0,8}往.{0,4}(?:家|屋|里)?灌"
    # flooding metaphors: water like a waterfall, a river, rain indoors, pouring down
    r"|(?:水管|进水管|管子|软管|水龙头|接头).{0,3}(?:脱|崩|掉|断)(?:开|落|了)"
    # water through a ceiling light, socket or switch box: flooding and electricity together
    r"|(?:灯|灯罩|灯座|浴霸|插座|开关|电箱|电表箱|配电箱)(?:里|里面|上|口)?.{0,3}(?:滴水|漏水|进水|渗水|往下滴|在滴|流水|冒水|往下掉水)"
    r"|水.{0,8}(?:从|顺着|进|流进|滴进|渗进|漏进).{0,6}(?:灯|浴霸|插座|开关|电箱|电表箱|配电)"
    r"|(?:漏|滴|渗|流(?!浪)|往下掉|往下滴).{0,10}越(?:来越)?(?:多|大|快|猛|厉害)|越(?:滴|漏|流|渗)越(?:多|快|大|猛)"
    r"|(?:电梯井|井道|底坑|电梯坑).{0,6}(?:进水|有水|灌水|积水|全是水|淹|水)|水.{0,8}(?:流|灌|漏|渗|进)(?:进|到)?(?:了)?电梯(?:井|间|坑)"
    r"|水[^。]{0,8}往里(?:流|淌|灌|涌)|往上(?:涌|翻)水|水[^。]{0,6}(?:半米|一米|齐腰|齐膝|过膝|到腰)"
    r"|(?:马桶|厕所|水池|浴缸|洗手池).{0,4}(?:满出来|溢出来|漫出来)"
    r"|水箱.{0,3}溢|溢(?:水|出来).{0,8}(?:往下|顺着?)|往下冲|顺着?楼梯.{0,4}(?:流|冲|淌)"
    r"|跑水|倒灌|(?:流|淌|漫|淹)到(?:了)?(?:走廊|楼道|楼梯|电梯|门外|门口|楼下|客厅|卧室)|(?:在|往外)淌水"
    r"|(?:天花板|吊顶|屋顶|顶上).{0,8}(?:鼓|塌|掉下来)|(?:快|要)塌了"
    r"|瀑布|成(?:了)?河|水漫金山|(?:跟|像)下(?:雨|大雨)(?:一样|似的)|(?:哗哗|哗啦啦?)(?:地|的)?(?:流|淌|往|灌|冒)"
)
_TRAPPED = compile_gated(
    r"(?:(?:被困|困在|困住)(?!在?(?:公司|单位|外地|老家|学校|路上|高速|机场|车站|国外|酒店))|被关|关在.{0,3}梯|电梯困人(?!应急|电话|的事|演练)|困电梯)"
    r"|(?:电梯|轿厢|梯).{0,12}(?:卡|停|掉|坠|不动).{0,14}(?:里面|里头|有人(?![搬在用占])|在里|人在)"
    r"|(?:电梯|梯)里.{0,6}(?:出不来|打不开)"
    r"|(?:我|我们|人|孩子|小孩|老人)(?:还)?在(?:电梯|梯|轿厢)(?:里|里面|里头)[^。]{0,16}(?:不动|停|卡|打不开|出不来|掉)"
    r"|卡在(?:了)?(?:电梯|梯|轿厢)(?:里|里面|里头|中间)|在(?:电梯|梯|轿厢)(?:里|里面|里头).{0,3}卡(?:了|住|着)"
    # someone still inside a lift that stopped or fell; a person locked in
    r"|(?:电梯|梯|电提).{0,24}(?:里面有人|里头有|里面好像有|人出不来|出不去|里面关|拍门|在里面哭)"
    r"|(?:电梯|梯|电提).{0,24}(?:停|卡|掉|坠|滑|不动|打不开|坏).{0,16}(?:还在里|在里面|在里头)"
    r"|(?:电梯|梯|电提)(?:里|里头|里面)?.{0,3}关了?(?:个|一个)人|(?:自己|被|人)(?:反)?(?:锁|关)在.{0,4}(?:阳台|屋|家|卫生间|厕所|房间|车|里)"
    r"|(?:人|孩子|小孩|老人|手|腿|脚|头|我|他|她).{0,2}被.{0,6}(?:压住|夹住|卡住|压在下面)"
    r"|锁死了.{0,6}出不去|(?:夹|卡)(?:进去|在.{0,6}里)[^。]{0,8}(?:拔不出|出不来|弄不出)|拔不出来"
    # "出不去" because of a door, lock, fire or smoke; not stuck at home in isolation asking for errands
    r"|(?:门|锁|火|烟|困|卡).{0,8}(?:我们|我).{0,4}出不去|(?:我们|我).{0,4}出不去.{0,6}(?:门|锁|火|烟|救|快来)"
    # trapped with the people after the verb: "电梯里困了两个小孩", "梯里头关着个老人"
    r"|(?:电梯|梯|轿厢)(?:里|里头|里面)?.{0,4}(?:困|关)(?:着|了|住)?"
    r"(?:[一两三四五几俩]?个|[两俩]|人|孩|小|老|孕|外卖|快递)|困(?:在)?里(?:头|面)"
)
# Something about to fall on people, an order to get out now: "广告牌随时会掉", "请立即撤到广场".
_IMMINENT = compile_gated(
    r"随时(?:会|可能|都会)(?:掉|塌|倒|断|砸|垮)|(?:立即|立刻|马上|迅速|尽快|赶紧|赶快)[^。?]{0,10}"
    r"(?:撤|疏散|转移|(?:到|去)[^。]{0,8}集合|断电|关闭燃气|(?:把车)?(?:挪|开)(?:走|出))"
)
_STRANDED = compile_gated(r"(?:被困|困在|困住)在?(?:公司|单位|外地|老家|学校|路上|高速|机场|车站|国外|酒店)")
# --- people in danger: fallen, unconscious, acutely ill (alone), lost
_PERSON = compile_gated(
    r"晕(?:倒|过去|了过去)|昏(?:倒|迷|过去)|躺(?:在)?地上|一动不动|(?:躺|趴|倒)(?:着|在.{0,4})不动"
    r"|叫(?:他|她|也|了)?(?:不醒|不答应|没反应)|不省人事|抽(?:搐|起来|风)|口吐白沫|胸口.{0,3}(?:闷|疼|痛)"
    r"|喘不上|呼吸困难|心脏病(?:犯|发)|中风(?![后了以之])|嘴歪|说不出话|流血|头破|站不住|爬不起来"
    r"|(?<!白天)(?<!早上)起不来|扶不(?:动|起)"
    r"|救命|没人应|不应门|(?:几|两|三)天没(?:开门|露面|见)|快来人"
    # stroke, seizure, no response, cyanosis, bleeding, choking, labour
    r"|(?:高烧|发烧|烧).{0,4}抽筋|(?:宝宝|孩子|小孩|娃|婴儿).{0,6}抽筋|嘴角.{0,2}歪|半边身子|不听使唤|(?:浑身|身体)(?:发抖|抽)|(?:嘴唇|脸).{0,2}(?:发紫|紫了|憋)|啥也不说|不吭声|没动静|喊不醒|不醒(?!目)"
    r"|呼吸(?:很弱|微弱)|身上冰凉|血止不住|满脸(?:是)?血|骨头.{0,3}断|腿.{0,3}变形|羊水破|噎住|喘不上|心口疼|冷汗"
    r"|(?:吞|误食|误服|喝)(?:了|下)?.{0,6}(?:药|电池|农药|消毒|洗洁精|老鼠药|纽扣|硬币|磁|百草枯)"
    r"|(?:药|电池|纽扣|硬币|磁铁|农药|消毒液|洗洁精|老鼠药)(?:给)?(?:吞|咽|喝)(?:下去|进去|了)"
    r"|癫痫|羊癫疯|眼睛(?:往上)?翻|翻白眼|叫不(?:太)?醒|(?:烫|烧)伤|烫(?:了|得).{0,12}(?:起泡|脱皮|一大片)"
    r"|呛(?:着|到)了.{0,8}(?:咳不出|脸|喘)|咳不出来|脸(?:都)?发青|(?:孩子|宝宝|娃|小孩).{0,8}(?:卡|噎)(?:住|着)"
    r"|昏昏沉沉|说话含糊|头先着地|栽倒|(?:突然|一下)倒(?:了|地|下)|倒地|躺着(?:个|一个)人|(?:一直|都)?叫(?:他|她)?(?:名字)?也?没反应"
)
_CHILD = r"(?:孩子|小孩|娃|小朋友|男孩|女孩|宝宝|儿子|女儿|闺女|小子)"
_LEDGE = (
    r"(?:窗台上|爬上窗|楼顶边|天台边|楼顶上|楼顶的?边|没(?:有)?(?:装)?(?:防护栏|护栏|防盗窗)|窗外|窗户外"
    r"|窗台外|阳台外|空调外机|空调架|外机(?:架)?上|窗沿|护栏外|栏杆外|围栏外|防盗窗外)"
)
_CHILD_OUT = compile_gated(
    _CHILD + r"[^。把]{0,12}(?:" + _LEDGE + r"|(?:爬|翻)(?:到|上|出)(?:了)?(?:窗|阳台|护栏|栏杆|围栏))"
    r"|" + _LEDGE + r"[^。]{0,12}" + _CHILD
)
# A fall is urgent when the person is still down or hurt now ("摔了 起不来", "滑了一跤 流血了"),
# not when it is history ("腿摔了下不了楼 帮忙买菜", "我摔了一跤了" about a dark stairwell).
_FALL = re.compile(r"摔(?:倒|了|伤|跤|下来|在|地)|滑了一跤|滑倒|跌倒|跌了一跤|掉下来|跌低|跌咗|崴了")
_DISTRESS = re.compile(
    r"起不来|爬不起来|站不起来|动不了|流血|头破|扶不|叫不醒|没反应|快来|救命|来人|120|疼得|不会动|在地上"
    r"|断|不敢动|变形|血|抽不出|压在|抬不动|抱不动|含糊|着地|哼哼|没动|直叫|磕破|一动就疼|不能动|动弹不得"
    r"|起唔到|郁唔到|上不去|下不来|帮帮忙"
)
# "出门到现在没回" (but not "没回复/没回消息").
_LOST = compile_gated(
    r"走(?:丢|失|散)|找不(?:着|到|见)|没找着|没回(?![复答应话消信微电])|(?:还)?没到家|人没了|不见了|跑出去|跑丢"
    r"|没影|跟丢|就没了|没上来|人没到|联系不上|认不得路|不认得路|不知道自己在哪|说不(?:清|上来)|转悠|念叨着回家|往外走|自己(?:开门)?出去"
    r"|迷路|找不着(?:回家的)?路|(?:不晓得|不知道|唔知)(?:自己)?(?:在|喺)哪|(?:还)?没找到|没(?:看到|看见|有)(?:家长|大人)"
)
_VULNERABLE = re.compile(
    r"孩子|小孩|娃|弟弟|妹妹|孙子|孙女|外孙|小子|老二|双胞胎|放学|男孩|女孩|闺女|女儿|儿子|宝宝|小朋友|\d岁|[一二三四五六七八九十]岁|老人|老头|老太|老爷|"
    r"奶奶|爷爷|大爷|阿婆|婆婆|外婆|外公|姥姥|姥爷|老伴|我爸|我妈|老妈|老爸|母亲|父亲|老母|阿爷|阿嫲|俺娘|俺爹|糊涂|痴呆|记性不好|独居|一个人在家"
)
_ANIMAL = re.compile(r"猫|狗|鸟|鹦鹉|仓鼠|兔|柯基|泰迪|金毛|宠物")
_UNSEEN_ALONE = compile_gated(
    r"(?:独居|一个人住|孤老|自己住)[^。]{0,40}(?:没拿|没收|还挂|还在门口|堆在门口|没出门|没见(?:人|他|她|着)|没开门"
    r"|(?:电话|手机)[^。]{0,10}(?:不接|没人接|打不通)|都不接|不接电话|没人应|不应|没动静)"
)
_ILL_ALONE = re.compile(
    r"(?:一个人在家|独居|家里没人|一个人|就我一个).{0,16}(?:烧到|发烧|头晕|没劲|起不来|爬不起来|站不住|疼|低血糖|手抖|胸闷)"
    r"|(?:头(?:很|好|特别)?晕|一直吐|吐了好几|烧到|没劲|起不来|站不住|疼得|喘不|低血糖|手抖|胸闷).{0,16}"
    r"(?:一个人在家|家里没(?:别)?人|就我一个|独居|没人在家|家里没别人)"
)

# --- cancellations: over, false alarm, drill, past, negated, hypothetical
_OVER = compile_gated(
    r"救出来|已经(?:救|灭|送|没事|醒|确认|处理|修|出来|回)|扑灭|找着了|找到了|回来了|没事了|虚惊|误报|"
    r"误会|演练|演习|原来是|(?<!不)是我家|不是(?:着火|漏气|真的|火)|扶回|扶起来了|火.{0,4}灭了|昨晚|昨天|前天|上周|上次|那事|处理完|(?:味|烟|味道|现在)散了|醒过来|"
    r"送医院了|送去医院了|确认安全|已修复|平安"
    # fixed, faded, checked, or explained: "来修好了", "味没了", "测过说没泄漏", "响是因为在炒辣椒"
    r"|修好了|修过了|来修过|(?:味|烟|味道|气味)(?:也|都)?(?:没了|淡了)|已经散|(?:测|查|检查|检测)过.{0,6}(?:没|安全)"
    r"|是因为|在测试|是测试|是在(?:测试|检修|演练)"
    # earlier events asked about, relief, the child or elder already safe, mess cleaned up
    r"|[几两三四]?(?:周|个月|天)前|前几天|上个月|后来怎么样|那次|(?:困人|着火|起火|摔倒|晕倒|漏水|停电)的事|缓过来|不用担心|好多了"
    r"|(?:汤|粥|奶|锅|壶|饭).{0,3}(?:溢|扑)出来|(?:孩子|人|他|她)在我(?:家|这)|领回|接走|接回|收拾干净|清理干净|收拾好了|(?:物业|师傅|保安|消防|燃气公司)(?:说|讲)(?:是|没事|不是)"
    # the smoke or smell explained by cooking or burning something harmless ("是楼下在烤串")
    r"|是.{0,6}在?(?:炒|煎|炸|烤|熏|炖|熬|烧纸|烧香|做饭|蒸(?!汽))|(?<!不)是正常的|正常现象"
    # a smell explained by something rotten ("是垃圾桶里的臭鸡蛋", "其实是下水道的味")
    r"|(?<!不)是.{0,6}(?:垃圾|下水道|化粪池|臭鸡蛋|坏鸡蛋|榴莲|臭豆腐|螺蛳粉)|其实是|(?:鸡蛋|东西|肉|菜)(?:坏|烂|臭|馊)了"
    # not here, not that danger, no longer, nobody hurt; an alarm whose battery is flat; history
    r"|不是(?:我们|咱们?)(?:这|楼|小区|单元|家)|(?<!是)不是.{0,4}(?:着火|起火|漏气|爆|晕倒|摔倒|困)"
    r"|已经不(?:冒|漏|响|烧|冒烟)|(?:无|没)人受伤|(?:人员|人都)安全|说(?:是)?正常"
    r"|(?:报警器|烟感|警报).{0,16}(?:没电|电池)|(?:没电|电池).{0,10}(?:报警器|烟感)"
    r"|(?:中风|骨折|手术|出院|住院|摔伤)(?:后|以后|之后)"
)
_NEGATED = compile_gated(
    r"没(?:有)?人被困|里面没人|里面是空的|空梯|(?:还)?没(?:到)?(?:淹|那么严重)|倒是没|没着火|没起火|(?<!是)不是漏|没漏|没(?:有)?(?:泄漏|漏气|冒烟)"
    r"|(?:别|小心|以免|避免|当心|谨防)(?:引起|造成|发生)?(?:着火|起火|失火|火灾|漏电|触电)"
)
# Emergency services named, not an emergency: "请问打了120 救护车多久能到", "紧急按钮按了打到哪".
_SERVICE = compile_gated(r"^(?:打了?|叫|快打|拨打)?(?:120|119|110)$|救护车|急救|报警|紧急")
# Asking about them: a question form (opening, ending, or hypothetical).
_ASKING = re.compile(
    r"请问|问一下|问下|想问|咨询|如果|万一|要是|假如|的话|吗|\?|多久|哪里|哪个|是否|怎么(?!办)"
)
# A condition opens a hypothetical clause that runs to the next sentence break ("如果家里有人摔倒了
# 先扶还是先打120"); "…的话" closes one that began at the previous break ("燃气泄漏的话…").
_HYP_OPEN = compile_gated(
    r"真(?:要|的要)?(?=(?:着火|起火|失火|烧起来|着起来|漏气|出事)了?.{0,6}(?:谁|都|全|就|肯定|后果|怎么|咋))|如果|假如|假设|万一|(?<![主只就还不])要是|若是|倘若|一旦")
_HYP_CLOSE = compile_gated(
    r"(?<![说讲听句])的话|的时候(?=[^。]{0,8}(?:应该|该|怎么|咋|往哪|要不要|能不能|先))"
)
_BREAK = re.compile(r"[。!?;]")
# A hypothetical marker cancels only the danger words right after it ("万一着火", "会不会漏电").
_HYPOTHETICAL = re.compile(
    r"(?:万一|如果|要是|会不会|防止|预防|注意防|严禁|容易|怕|打不着|点不着|差点|差一点|险些|迟早|早晚|就会|(?:肯定|又)要)"
    r".{0,6}$"
    r"|(?:别|小心|以免|避免|当心|谨防)(?:引起|造成|发生)?$"  # a warning: "注意安全 别着火"
)
_HYPOTHETICAL_CANCEL = re.compile(
    r"差点|打不着|点不着|没点着|万一|防|严禁|会不会|怕|容易|会着火|不要|提醒|提示|知识"
)
# Weaker signals, each not enough alone, that add up ("一股焦味 + 烟感在叫 + 敲门没人开",
# "头晕得厉害 + 家里就我一个人"): (pattern, weight, kind); urgent at WEAK_THRESHOLD.
_WEAK = (
    (
        re.compile(r"焦味|糊味|烧焦|烧糊|焦糊|烧塑料|塑料.{0,2}烧|烧着的味|橡胶味|冒烟|烟味|(?:烟|雾)蒙蒙"),
        1.5,
        "hazard",
    ),
    (re.compile(r"(?:报警器|烟感|警报|警铃).{0,4}(?:响|叫|鸣)"), 1.5, "hazard"),
    (
        re.compile(r"敲门.{0,4}(?:没人|不开|不应)|没人开|没人应|家里(?:好像)?没人|没大人|电话.{0,3}(?:打不通|不接|没人接)|联系不上"),
        1.0,
        "person",
    ),
    (
        re.compile(r"一个人在(?:家|里面|屋里|里头)|独居|一个人住|就(?:我|她|他)一个|家里没别人|我一个人"),
        1.0,
        "person",
    ),
    (re.compile(r"人(?:出门|不在家|没在家|走)了|人不在家"), 1.0, "person"),
    (
        re.compile(r"高烧|烧到(?:四十|39|40|三十九)|迷糊|说胡话|听不懂|头(?:越来越)?晕.{0,3}厉害|头越来越晕|浑身无力|心慌|胸闷|吐了|高血压|心脏|低血糖|手抖"),
        1.5,
        "person",
    ),
    (re.compile(r"要倒|站不住|站不稳|走不了路|动不了"), 1.5, "person"),
    (re.compile(r"快来|赶紧|救命|怎么办|求助|快点|危险|别碰"), 0.5, None),
)
WEAK_THRESHOLD = 3.0
# The model's urgency opinion that counts as a detector; chosen by cross-validation.
LEARNED_THRESHOLD = 1.0
# No weak signal is worth the threshold alone: one pass finds whether two might be present.
_WEAK_ANY = compile_gated("|".join(f"(?:{p.pattern})" for p, _, kind in _WEAK if kind))


def weak_signals(text: str) -> tuple[str | None, tuple[str, ...]]:
    """Kind and cues when the weaker signals of `text` add up to an emergency."""
    first = _WEAK_ANY.search(text)  # two matches needed: stop looking after the second
    if first is None or _WEAK_ANY.search(text, first.end()) is None:
        return None, ()
    total, kinds, cues = 0.0, [], []
    for pattern, weight, kind in _WEAK:
        m = pattern.search(text)
        if m and _live(text, m.start()):
            total += weight
            cues.append(m.group(0))
            if kind:
                kinds.append(kind)
    if total < WEAK_THRESHOLD or not kinds:
        return None, ()
    return ("hazard" if "hazard" in kinds else "person"), tuple(cues)


# Cues that only name emergency services ("119是火警 120是急救 大家存一下").
_SERVICE_ONLY = frozenset(("120", "119", "110", "急救", "救护车", "报警", "紧急", "快", "急"))
_HAZARDS = (
    ("fire", _FIRE),
    ("gas", _GAS),
    ("spark", _SPARK),
    ("flood", _FLOOD),
    ("trapped", _TRAPPED),
    ("imminent", _IMMINENT),
)
# The patterns `danger` tries, in order, by the kind of danger they find.
_KINDS = (
    ("hazard", tuple(p for _, p in _HAZARDS)),
    ("person", (_PERSON, _ILL_ALONE, _UNSEEN_ALONE, _CHILD_OUT)),
)


@dataclass(frozen=True, slots=True)
class Urgency:
    urgent: bool
    cues: tuple[str, ...]
    # What is in danger: "hazard" (fire, gas, water, power, lift) or "person" (fallen, lost...).
    kind: str | None
    # A danger was named but it is over, a drill, a false alarm or negated.
    over: bool = False


def hypothetical_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that talk about a danger as a condition, not a fact."""
    spans = []
    for m in _HYP_OPEN.finditer(text):
        end = _BREAK.search(text, m.end())
        spans.append((m.start(), end.start() if end else len(text)))
    for m in _HYP_CLOSE.finditer(text):
        start = max((b.end() for b in _BREAK.finditer(text, 0, m.start())), default=0)
        spans.append((start, m.end()))
    return spans


def mask_hypothetical(text: str) -> str:
    """`text` with its hypothetical clauses blanked out (same length)."""
    if not (_HYP_OPEN.search(text) or "的话" in text or "的时候" in text):
        return text
    chars = list(text)
    for start, end in hypothetical_spans(text):
        chars[start:end] = "_" * (end - start)
    return "".join(chars)


def _live(text: str, start: int) -> bool:
    """A danger word not just after a hypothetical marker."""
    return not _HYPOTHETICAL.search(text, max(0, start - 10), start)


def _live_danger_word(lexicon: Lexicon, text: str, cues: tuple[str, ...], person: str | None) -> bool:
    """Some word of danger in `text` that no hypothetical marker just before it takes back."""
    words = [*cues, person, lexicon.has("hazard", text)]
    weak = _WEAK_ANY.search(text)
    if weak is not None:
        words.append(weak.group(0))
    return any(w and w not in _SERVICE_ONLY and _live(text, text.find(w)) for w in words)


def danger(text: str) -> tuple[str | None, tuple[str, ...]]:
    """The kind of danger the compositional patterns find in normalised `text`, and the cues."""
    for kind, patterns in _KINDS:
        for pattern in patterns:
            # finditer without the generator (most searches find nothing); matches are never
            # empty, so resuming at the end of the last one is what finditer does.
            m = pattern.search(text)
            while m is not None:
                if _live(text, m.start()):
                    return kind, (m.group(0),)
                m = pattern.search(text, m.end())
    m = _FALL.search(text)
    if m and _DISTRESS.search(text):
        return "person", (m.group(0),)
    m = _LOST.search(text)
    # "圆规找不到了 谁家有借一下": a thing lost, not a child
    if m and _VULNERABLE.search(text) and not _ANIMAL.search(text) and "借" not in text:
        return "person", (m.group(0),)
    return None, ()


# The source already shut off ("1302已经把阀门关了"): over, unless help is still called for
# ("我已经把闸拉了 物业快来人") or it is still going on ("还在").
_SHUT_OFF = re.compile(
    r"已经把.{1,6}(?:关|拉|拔|停|堵住)|(?:关|关掉|拧紧|拉)了(?:总)?(?:阀|闸|水阀|阀门|气阀|电闸)"
    r"|(?:总阀|阀门|总闸|水阀|气阀|电闸).{0,3}(?:已经)?(?:关|拉)(?:了|掉|好|上)"
)
_STILL = re.compile(r"快来|来人|救命|赶紧|快点|还在|正在|还是|但是|抢修|(?:很|好|特别|非常)(?:重|大|浓|冲)")


# Only the sender's own part checked and fine ("我检查了自己家没事"): the danger elsewhere is not
# over, so these spans are blanked before looking for cancellations.
_OWN_FINE = re.compile(
    r"(?:(?:检查|查|看|闻|找)(?:了|过)?(?:一下|一圈|了一下)?)?(?:自己家|自家|我家|我们家|咱家|我这边|我屋)(?:里)?(?:的)?"
    r".{0,4}(?:没事|没问题|没有|正常|没着|没漏|没味|不是)"
)
# A danger elsewhere, in the news, asked about for our building: "新闻说别的小区着火了 咱楼消防栓有水吗".
_ELSEWHERE = compile_gated(r"新闻|报道|热搜|视频里|电视上|网上|别的小区|其他小区|外地|别的城市")


# A sound likened to a danger: "冲马桶的声音跟瀑布一样", "叫得跟小孩哭似的".
_LIKENED = compile_gated(
    r"(?:声音?|响声?|叫得?|吵得?)[^。]{0,4}(?:跟|像|和|好像)[^。]{0,8}(?:一样|似的|一般)"
)
# Words that look like a cue but are none: sleeping in ("白天起不来"), 120 inside a room or
# phone number ("1203"), "救命" as a sigh ("救命 这个噪音", "救命 谁能借我个开瓶器").
_NOT_DANGER = compile_gated(
    r"(?:白天|早上|早晨|早)起不来|\d+(?:110|119|120)\d*|(?:110|119|120)\d+"
    r"|救命(?:啊|呀)?(?= ?(?:这|那|谁能借|谁有|有没有|家人们))|(?<=[^。!?]{4} )救命$"
)
# Spans that are evidence of a danger, whatever time words they hold ("昨天的奶还挂在门上").
_EVIDENCE_SPANS = (_UNSEEN_ALONE,)


def _blank(pattern: re.Pattern[str] | GatedPattern, text: str) -> str:
    """`text` with each match of `pattern` turned into underscores (same length)."""
    chars = list(text)
    for m in pattern.finditer(text):
        chars[m.start() : m.end()] = "_" * (m.end() - m.start())
    return "".join(chars)


# Smoke from something burnt on purpose or cooking ("有人在楼下烧垃圾 烟太大了"): a nuisance,
# unless the fire has spread or caught something ("火烧到电线了").
_NUISANCE_SMOKE = compile_gated(
    r"烧纸|烧香|烧垃圾|烧树叶|烧秸秆|烧烤|烤串|熏腊|抽烟|油烟(?!机)|在炒|炒辣椒|炝锅"
)
_SPREAD = compile_gated(
    r"着火|起火|失火|火苗|火很大|火势|烧到|蔓延|烧着了|烧起来|引着|着了|爆炸|炸了|冒火|火花"
    r"|煤气|燃气|天然气|液化气|漏气|火星|明火|都是烟|全是烟|看不清|往楼上飘"
)


def cancelled(text: str) -> bool:
    """Over, a drill, a past event, or a negated danger."""
    if _OVER.search(text) or _NEGATED.search(text):
        return True
    if _NUISANCE_SMOKE.search(text) and not _SPREAD.search(text):
        return True
    return bool(_SHUT_OFF.search(text) and not _STILL.search(text))


def urgency(lexicon: Lexicon, text: str, hits_all: Hits | None = None, learned: float = 0.0) -> Urgency:
    """Urgency of normalised `text` (pass `hits_all` if the lexicon was already matched).

    `learned` is the model's opinion (see NaiveBayes.evidence): at LEARNED_THRESHOLD it counts
    as one more detector, but only where some word of danger stands and nothing calls it off."""
    for pattern in (_LIKENED, _NOT_DANGER):
        if pattern.search(text):
            text = _blank(pattern, text)
            hits_all = None
    full = text
    text = mask_hypothetical(text)  # "如果电梯困人 应该先打哪个电话" reports no danger
    if text is not full:
        hits_all = None
    hits = (hits_all or lexicon.hits_all(text))["urgent"]
    # A cue right after a hypothetical or a warning ("会不会起火", "差点被电到") reports nothing.
    hits = [(c, w) for c, w in hits if _live(text, text.find(c))]
    if "借" in text:  # "圆规找不到了 谁家有借一下": a thing is lost, not a child
        hits = [(c, w) for c, w in hits if not _LOST.match(c)]
    # "紧急通知…" heads a notice; its own heading word is not a danger cue.
    heading = lexicon.has("urgent_notice", text[:8])
    notice = heading is not None and text.lstrip("【[ ").startswith(heading)
    person = lexicon.has("person_danger", text)
    if notice:
        # An urgent notice about a danger ("【紧急通知】地下室进水"), not any fault ("电梯故障").
        hits = [(c, w) for c, w in hits if c not in lexicon.phrases["urgent_notice"]]
        if person or any(p in text for p in lexicon.phrases["hazard"] if p != "电梯"):
            hits.append((heading, NOTICE_THRESHOLD))
    # A device named, not a danger ("烟雾报警器能不能装一个"); stranded somewhere, not trapped
    # ("被困在公司加班"): those words are no cue (a sounding alarm is the weak signal's to find).
    if "报警器" in text:
        hits = [(c, w) for c, w in hits if c not in ("报警", "烟雾")]
    if _STRANDED.search(text):
        hits = [(c, w) for c, w in hits if c not in ("被困", "困在", "困住")]
    score = sum(w for _, w in hits)
    cues = tuple(c for c, _ in hits)
    if person and lexicon.has("vulnerable", text):
        score += VULNERABLE_BONUS  # a lost child or a fallen elder needs help now
    kind, pattern_cues = danger(text)
    if kind is None:
        kind, pattern_cues = weak_signals(text)
    # A pet lost ("狗走丢了") or services only named: no danger to people.
    if (
        kind is None
        and hits
        and not notice
        and (
            all(c in _SERVICE_ONLY for c in cues)
            or (_ANIMAL.search(text) and not _VULNERABLE.search(text) and not lexicon.has("hazard", text))
        )
    ):
        return Urgency(False, cues, None)
    lexical = score >= (NOTICE_THRESHOLD if notice else URGENT_THRESHOLD)
    learned_fires = learned >= LEARNED_THRESHOLD and _live_danger_word(lexicon, text, cues, person)
    if not lexical and kind is None and not learned_fires:
        return Urgency(False, cues, None)
    # Over, a drill, a past event or a false alarm: not urgent (an urgent notice still is).
    scope = _blank(_OWN_FINE, full) if _OWN_FINE.search(full) else full
    scope = scope.replace("是不是", "___")  # "是不是漏气了" asks; its "不是漏气" calls nothing off
    for pattern in _EVIDENCE_SPANS:
        scope = _blank(pattern, scope)
    called_off = lexicon.has("urgent_cancel", scope)
    if called_off and scope.count(called_off) == scope.count("不" + called_off):
        # "不是我家 是隔壁" negates the all-clear "是我家"
        negated = "不" + called_off
        called_off = lexicon.has("urgent_cancel", scope.replace(negated, "_" * len(negated)))
    if not notice and (called_off or cancelled(scope)):
        # "over" only for a danger called off, not a hypothetical one ("万一淹了怎么办").
        over = cancelled(scope) or not _HYPOTHETICAL_CANCEL.search(called_off or "")
        return Urgency(False, cues, None, over=over)
    if not notice and _ELSEWHERE.search(full) and _ASKING.search(full):
        return Urgency(False, cues, None)  # news of a danger elsewhere, and a question about ours
    if kind is None and not notice and _ASKING.search(full):
        # Only emergency services named, in a question: asking about them is no emergency.
        rest = sum(w for c, w in hits if not _SERVICE.search(c))
        if rest < URGENT_THRESHOLD:
            return Urgency(False, cues, None)
    if kind is None:
        kind = "hazard" if lexicon.has("hazard", text) else ("person" if person else None)
    return Urgency(True, tuple(dict.fromkeys(cues + pattern_cues)), kind)
