"""Plausible appeals and government replies for the demo, written from templates (no source texts needed).

Used when the public message-board data is not beside the repository (texts.py): each text is about one
concrete problem of one of the classifier's seven first-level categories, placed on a road and in a
community of the demo district, and the reply answers that problem (found, done, follow-up). The same
seed gives the same texts, so a demo loaded twice is the same demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import district as d


@dataclass(frozen=True)
class Problem:
    title: str  # what the appellant complains of, as a title would say it: "路灯不亮"
    detail: str  # the complaint, with {place} (road and spot), {duration}
    impact: str  # what it does to the residents
    request: str  # what they ask for
    finding: str  # what the unit found on site
    action: str  # what it did


# category -> (the unit that answers, its problems)
PROBLEMS: dict[str, tuple[str, list[Problem]]] = {
    "城乡建设": ("区城市管理和综合执法局", [
        Problem("路灯不亮", "{place}的路灯已经坏了{duration}，晚上一片漆黑", "居民夜间出行很不安全，老人小孩经常摔倒",
                "请尽快安排维修路灯", "该路段三盏路灯因线路老化损坏", "已更换线路和灯具，现已恢复照明"),
        Problem("井盖缺失", "{place}人行道上的井盖缺失{duration}了，只用一块木板盖着", "行人和电动车经过非常危险",
                "请尽快补装井盖", "该井盖属排水设施，因车辆碾压破损", "已当天设置围挡并补装新井盖"),
        Problem("人行道破损", "{place}小区旁的人行道地砖破损、坑洼不平，一下雨就积水", "居民出行不便，老人经常绊倒",
                "请市政部门修补人行道", "该路段沥青路面破损约二十平方米", "已安排施工队修补路面并疏通雨水口"),
        Problem("违章搭建", "{place}有住户在楼顶和天台违章搭建铁皮房，已经施工{duration}", "存在安全隐患，也影响邻居采光",
                "请城管部门依法拆除违章建筑", "现场确有未经规划许可的搭建", "已下达限期拆除通知书，当事人已自行拆除"),
        Problem("小区物业管理混乱", "{place}所在小区的物业管理混乱，电梯经常故障，小区楼道堆满杂物", "业主和住户生活受到很大影响",
                "请住建部门督促物业整改，加强小区管理", "该小区物业服务存在电梯维保不及时等问题", "已约谈物业公司，要求限期整改并加强电梯维保"),
        Problem("占道经营", "{place}的店铺和流动摊贩长期占道经营，城管来了就走，走了又来", "人行道被占满，行人只能走机动车道",
                "请城管部门依法整治占道经营", "现场有多家店铺超出门店经营", "已责令店铺清理占道物品，城管中队加强日常巡查"),
        Problem("房屋漏水开裂", "{place}的老旧小区楼房外墙开裂，楼道渗水{duration}", "住户担心房屋安全",
                "请相关部门检测房屋并安排维修", "该楼栋外墙及楼道防水层老化", "已纳入老旧小区微改造计划，先行修补防水层"),
        Problem("开发商延期交房", "我在{place}附近购买的商品房合同约定去年交房，开发商一再延期交房", "购房者还要同时承担房贷和房租",
                "请住建部门督促开发商尽快交房", "该项目因施工进度滞后未能按期交付", "已约谈开发商，督促制定交房计划并向业主公示"),
    ]),
    "环境保护": ("区生态环境分局", [
        Problem("工厂排放废气", "{place}附近的一家工厂每天晚上排放刺鼻废气，已经持续{duration}", "附近居民不敢开窗，很多人咳嗽、头晕",
                "请环保部门查处违法排污", "该企业废气处理设施未正常运行", "已责令停产整改，并立案处罚"),
        Problem("河涌污水发臭", "{place}旁边的河涌水体发黑发臭，有污水直排进河涌", "夏天臭味很大，蚊虫滋生",
                "请查清排污口并治理河涌污染", "河涌沿岸发现两处生活污水直排口", "已封堵直排口，污水接入市政管网，并开展河涌清淤"),
        Problem("夜间施工噪音扰民", "{place}的工地每天深夜还在施工，机器噪音很大", "居民晚上无法休息，严重影响睡眠",
                "请查处夜间违规施工噪声污染", "该工地未办理夜间施工许可", "已责令停止夜间施工，并对施工单位作出处罚"),
        Problem("餐馆油烟污染", "{place}楼下的几家餐馆油烟直排，没有安装油烟净化设施", "油烟飘进住户家里，气味刺鼻",
                "请督促餐馆安装油烟净化设备", "三家餐饮店油烟净化设施缺失或未运行", "已责令限期安装并正常使用油烟净化设施"),
        Problem("垃圾焚烧污染空气", "{place}附近经常有人露天焚烧垃圾和废旧电线", "浓烟和异味污染空气，影响居民健康",
                "请环保部门制止露天焚烧", "现场发现焚烧痕迹及堆放的废弃物", "已清理废弃物，联合街道加强巡查，制止露天焚烧"),
    ]),
    "劳动和社会保障": ("区人力资源和社会保障局", [
        Problem("公司拖欠工资", "我在{place}的一家公司上班，公司已经拖欠员工工资{duration}", "二十多名员工生活陷入困难",
                "请劳动监察部门帮助追讨工资", "该公司确实存在拖欠工资的情况", "已责令公司支付拖欠工资，目前工资已全部发放"),
        Problem("单位不缴社保", "{place}的一家企业入职至今没有给员工缴纳社会保险", "员工看病和养老都没有保障",
                "请社保部门责令单位依法缴纳社保", "该企业未为部分员工办理社会保险登记", "已责令企业限期为员工补缴社会保险费"),
        Problem("养老金待遇咨询", "我是{place}附近的退休职工，退休后养老金待遇核定有疑问，养老保险缴费年限计算不清楚",
                "多次到窗口咨询都没有说清楚", "请社保部门核实养老金计算", "经核查，缴费年限已按规定合并计算",
                "已向您详细解释养老金计算办法并出具核定表"),
        Problem("辞退不给补偿", "{place}的一家公司违法辞退员工，不签劳动合同也不给经济补偿", "员工合法权益受到侵害",
                "请劳动部门依法处理劳动纠纷", "该公司与员工未签订书面劳动合同", "已组织劳动争议调解，公司同意支付经济补偿"),
        Problem("失业保险金申领", "我在{place}居住，失业后申领失业保险金一直没有审核通过", "家里生活没有收入来源",
                "请尽快审核发放失业保险金", "您的申领材料缺少离职证明", "已指导您补齐材料，失业保险金已审核发放"),
    ]),
    "教育文体": ("区教育局", [
        Problem("学校违规收费", "{place}附近的一所学校以各种名义向学生收取补课费和资料费", "家长负担很重，意见很大",
                "请教育局查处学校乱收费", "该校确有违规收取资料费的情况", "已责令学校全额退还费用，并对相关负责人通报批评"),
        Problem("幼儿园学位紧张", "{place}所在片区只有一所公办幼儿园，学位严重不足", "很多适龄儿童无法就近入园",
                "请教育部门增加公办幼儿园学位", "该片区学前教育学位确实紧张", "已将新建幼儿园列入规划，今年秋季新增学位两百个"),
        Problem("课外培训机构无证办学", "{place}的一家课外培训机构没有办学许可证，违规给中小学生补课", "存在安全隐患，学生负担加重",
                "请教育部门查处无证办学", "该培训机构未取得办学许可", "已联合市场监管部门责令其停止办学并退费"),
        Problem("教师体罚学生", "我的孩子在{place}附近的小学读书，班主任经常体罚学生", "孩子不敢去上学，心理压力很大",
                "请教育局调查处理该教师", "经调查，该教师存在不当管教行为", "已对该教师作出处分并调离教学岗位，学校向家长道歉"),
        Problem("体育场馆不开放", "{place}附近学校的体育场馆节假日不对外开放，片区也没有公共体育场馆", "群众开展全民健身活动没有场地",
                "请文化体育部门推动学校体育场馆开放", "该片区公共体育设施配套不足", "已在社区公园新建篮球场一个，并增设健身器材"),
    ]),
    "商贸旅游": ("区市场监督管理局", [
        Problem("商家虚假宣传", "{place}的一家商店虚假宣传、以次充好，买到的商品和宣传的不一致", "消费者权益受到损害",
                "请市场监管部门查处", "该商店存在虚假宣传行为", "已立案调查，责令商家整改并为消费者退货"),
        Problem("预付卡商家跑路", "我在{place}的一家健身房办了预付卡，现在商家突然关门跑路", "几百名会员的钱无法退还",
                "请有关部门帮助会员退款", "该商家已停止经营，负责人失联", "已协助会员登记维权信息，并移交公安机关调查"),
        Problem("价格欺诈", "{place}的一家商店明码标价与结账价格不一致，结账时多收钱", "消费者多次被多收费用",
                "请市场监管部门查处价格欺诈", "该商店存在标价不实的行为", "已责令商店改正标价，退还多收款项并予以处罚"),
        Problem("超市销售过期食品", "在{place}附近的超市买到过期食品，超市拒绝退换", "担心食品安全问题",
                "请市场监管部门检查该超市", "该超市货架上发现少量过期食品", "已没收过期食品并对超市作出行政处罚"),
        Problem("景区门票乱收费", "{place}附近的景点门票价格上涨，还强制游客购买套票", "游客意见很大",
                "请旅游部门规范景区收费", "该景点存在捆绑销售套票的情况", "已责令景点取消强制套票并公示门票价格"),
    ]),
    "卫生计生": ("区卫生健康局", [
        Problem("医院服务态度差", "在{place}附近的医院看病，挂号排队很久，医生服务态度差", "病人看病难，意见很大",
                "请卫生部门督促医院改进服务", "该院门诊高峰期确实存在排队时间长的问题", "已要求医院增开门诊窗口并开展服务态度整改"),
        Problem("诊所无证行医", "{place}的一家私人诊所没有医疗机构执业许可证，给病人打针输液", "存在严重的医疗安全隐患",
                "请卫生监督部门取缔无证诊所", "该诊所未取得执业许可", "已依法取缔该诊所，没收药品和器械"),
        Problem("生育登记办理", "我家住在{place}，办理生育登记和准生证需要的材料太多，来回跑了好几次", "孕妇来回奔波很辛苦",
                "请简化生育登记手续", "生育登记已可网上办理", "已告知您网上办理的流程，并由社区卫生服务中心协助办理"),
        Problem("疫苗接种预约难", "{place}附近的社区卫生服务中心疫苗接种很难预约", "孩子的疫苗接种被耽误",
                "请增加疫苗接种名额", "该中心接种门诊排班不足", "已增加周末接种门诊，预约名额增加一倍"),
        Problem("医疗费用不合理", "在{place}的医院住院，医院收费不透明，医疗费用明细有重复收费", "病人家属难以承受",
                "请卫生部门核查医院收费", "经核查，医院存在一项重复收费", "已责令医院退还多收费用并规范收费公示"),
    ]),
    "交通运输": ("区交通运输局", [
        Problem("出租车拒载绕路", "在{place}打出租车经常被拒载，司机还故意绕路多收费", "乘客权益得不到保障",
                "请交通部门查处出租车违规行为", "根据车牌号查实该司机存在绕路行为", "已对司机作出处罚并责令退还多收车费"),
        Problem("网约车乱停放", "{place}的地铁站口每天有大量网约车和货车乱停乱放", "堵塞道路，影响交通秩序",
                "请加强网约车和道路运输管理", "该处确有车辆违规停放上下客", "已设置临时停靠点并联合交警加强执法"),
        Problem("驾驶员培训收费", "{place}的驾校收费后不安排练车，驾驶员培训考试一拖再拖", "学员迟迟拿不到驾照",
                "请交通部门监管驾培机构", "该驾校存在培训安排不及时的问题", "已约谈驾校负责人，责令限期安排学员培训考试"),
        Problem("货运车辆超载", "{place}经常有超载的泥头车和货车经过", "道路被压坏，沿途尘土飞扬也很危险",
                "请交通部门治理货车超载", "该路段确有超载运输车辆通行", "已在路口设置检查点，查处超载车辆十余辆"),
        Problem("快递包裹丢失", "寄往{place}的快递包裹丢失，快递公司互相推诿不肯赔偿", "消费者损失得不到赔偿",
                "请邮政管理部门督促快递公司赔偿", "该快递网点存在投递不规范的问题", "已督促快递公司按规定赔偿，并对网点进行约谈"),
    ]),
}

LABELS = tuple(PROBLEMS)
_DURATIONS = ["一个多月", "两个星期", "半年多", "很长时间", "三个多月", "快一年"]
_OPENINGS = ["您好！", "尊敬的领导：", "", "你好，", "各位领导好！"]
_WHO = ["我是{community}的居民，", "我住在{community}，", "", "本人是{street}的一名市民，"]
_HISTORY = ["此前已向社区和有关部门反映多次，一直没有得到解决。", "打过几次电话，至今没有答复。", "",
            "希望政府重视这个问题。"]
_THANKS = ["谢谢！", "恳请领导重视。", "望尽快答复。", ""]
_TITLES = ["{road}{title}", "关于{community}{title}的问题", "{title}，希望尽快处理", "{street}{title}",
           "反映{road}{title}"]
_SPOTS = ["路口", "公交站旁", "菜市场附近", "小区门口", "学校旁边", ""]


def _place(street: d.Street, rng: random.Random) -> dict[str, str]:
    community = rng.choice(street.communities)[0]
    road = rng.choice(street.roads)
    return {"street": f"海珠区{street.name}", "community": community, "road": road,
            "place": f"海珠区{street.name}{road}{rng.choice(_SPOTS)}"}


def appeal(label: str, rng: random.Random) -> tuple[str, str, Problem, dict[str, str]]:
    """(title, content, the problem, the place) of one appeal of first-level category `label`."""
    problem = rng.choice(PROBLEMS[label][1])
    place = _place(rng.choice(d.STREETS), rng)
    title = rng.choice(_TITLES).format(title=problem.title, **place)
    detail = problem.detail.format(duration=rng.choice(_DURATIONS), **place)
    content = (f"{rng.choice(_OPENINGS)}{rng.choice(_WHO).format(**place)}{detail}，{problem.impact}。"
               f"{rng.choice(_HISTORY)}{problem.request}。{rng.choice(_THANKS)}")
    return title, content, problem, place


def reply(label: str, problem: Problem, place: dict[str, str], rng: random.Random) -> str:
    """The answering unit's reply to that appeal."""
    unit = PROBLEMS[label][0]
    return (f"您好！您反映的{place['road']}{problem.title}问题已收悉。{unit}高度重视，立即安排工作人员到现场核查。"
            f"经查，{problem.finding}。{problem.action}。"
            f"{rng.choice(['下一步我局将加强日常巡查，防止问题反弹。', '我们将持续跟进，确保整改到位。', ''])}"
            f"如仍有问题，请致电 020-12345 与我们联系。感谢您对我们工作的理解与支持！")


def generated_appeals(n: int, seed: int, *, with_replies: bool) -> list[tuple[str, str, str, str]]:
    """n appeals as (title, content, level1, reply), the categories in turn; reply empty unless asked for."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        label = LABELS[i % len(LABELS)]
        title, content, problem, place = appeal(label, rng)
        out.append((title, content, label, reply(label, problem, place, rng) if with_replies else ""))
    return out
