"""The demo district's reference data: Haizhu (海珠区), its 18 streets and their communities, the
district's departments, how the category tree routes to them, and the demo users.

Coordinates are approximate office locations in GCJ-02 (as on Chinese web maps), the same street
points as the dispatch gazetteer, so that street shapes derived from them agree. Each community lies
nearer its own street's point than any other street's, inside the district outline (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

DISTRICT_NAME = "海珠区"
DISTRICT_ADCODE = 440105
# Every demo account has this password; `youhu demo logins` prints them.
DEMO_PASSWORD = "demo1234"
ADMIN_PASSWORD = "admin1234"


@dataclass(frozen=True)
class Street:
    seq: int
    short: str  # "琶洲"
    slug: str  # "pazhou": the street office's login
    aliases: list[str]
    lon: float
    lat: float
    roads: list[str]
    communities: list[tuple[str, float, float]]

    @property
    def name(self) -> str:
        return f"{self.short}街道"

    @property
    def code(self) -> str:
        return f"{DISTRICT_ADCODE}{self.seq:03d}"

    def community_code(self, index: int) -> str:
        return f"{self.code}{index + 1:03d}"


STREETS: list[Street] = [
    Street( 1, '赤岗', 'chigang', ['赤岗', '赤岗街'], 113.33, 23.1,
           roads=['艺苑东路', '赤岗路', '新港中路'],
           communities=[('赤岗社区', 113.3357, 23.1016), ('珠江帝景社区', 113.3301, 23.1055), ('金碧社区', 113.3243, 23.1018), ('赤岗北社区', 113.3264, 23.0956), ('石榴岗社区', 113.3335, 23.0955)]),
    Street( 2, '新港', 'xingang', ['新港', '新港街'], 113.3, 23.1,
           roads=['新港西路', '艺苑西路', '晓港东路'],
           communities=[('康乐社区', 113.3038, 23.1011), ('鹭江社区', 113.2988, 23.1035), ('中大社区', 113.2962, 23.0989), ('新港西社区', 113.3012, 23.0965)]),
    Street( 3, '滨江', 'binjiang', ['滨江', '滨江街'], 113.292, 23.106,
           roads=['滨江东路', '前进路', '同福东路'],
           communities=[('滨江东社区', 113.2956, 23.1052), ('红卫社区', 113.2912, 23.1066), ('前进社区', 113.2885, 23.105), ('海珠桥社区', 113.2931, 23.1028)]),
    Street( 4, '素社', 'sushe', ['素社', '素社街'], 113.283, 23.104,
           roads=['素社直街', '滨江中路', '宝岗大道北'],
           communities=[('素社社区', 113.2865, 23.105), ('龙骧社区', 113.2803, 23.1063), ('宝岗社区', 113.2822, 23.1007)]),
    Street( 5, '海幢', 'haizhuang', ['海幢', '海幢街'], 113.272, 23.108,
           roads=['同福中路', '南华中路', '福场路'],
           communities=[('海幢社区', 113.2755, 23.109), ('同福社区', 113.2709, 23.1112), ('南华中社区', 113.2685, 23.107), ('洪德社区', 113.2731, 23.1048)]),
    Street( 6, '南华西', 'nanhuaxi', ['南华西', '南华西街'], 113.257, 23.108,
           roads=['南华西路', '洪德路', '洲头咀路'],
           communities=[('南华西社区', 113.2612, 23.1086), ('龙导尾社区', 113.2584, 23.1074), ('福场社区', 113.2536, 23.1054), ('洲头咀社区', 113.2582, 23.1045)]),
    Street( 7, '龙凤', 'longfeng', ['龙凤', '龙凤街'], 113.265, 23.102,
           roads=['宝岗大道', '南田路', '宝业路'],
           communities=[('龙凤社区', 113.2685, 23.103), ('南田社区', 113.2623, 23.1043), ('宝业社区', 113.2642, 23.0987)]),
    Street( 8, '沙园', 'shayuan', ['沙园', '沙园街'], 113.255, 23.097,
           roads=['工业大道北', '沙园大街', '革新路'],
           communities=[('沙园社区', 113.2593, 23.0982), ('广纸社区', 113.2537, 23.1009), ('工业大道社区', 113.2507, 23.0958), ('沙园新村社区', 113.2563, 23.0931)]),
    Street( 9, '南石头', 'nanshitou', ['南石头', '南石头街'], 113.258, 23.083,
           roads=['南箕路', '革新路', '工业大道中'],
           communities=[('南石头社区', 113.2624, 23.0842), ('南箕社区', 113.2567, 23.087), ('信和社区', 113.2538, 23.082), ('江南新村社区', 113.2593, 23.079)]),
    Street(10, '凤阳', 'fengyang', ['凤阳', '凤阳街'], 113.28, 23.082,
           roads=['石岗路', '南洲路', '凤阳路'],
           communities=[('凤阳社区', 113.2857, 23.0836), ('五凤社区', 113.2782, 23.0873), ('南洲北社区', 113.2743, 23.0804), ('晓港社区', 113.2818, 23.0767)]),
    Street(11, '瑞宝', 'ruibao', ['瑞宝', '瑞宝街'], 113.268, 23.072,
           roads=['瑞宝路', '石溪路', '泰沙路'],
           communities=[('瑞宝社区', 113.2737, 23.0736), ('泰宁社区', 113.2662, 23.0772), ('石溪社区', 113.2623, 23.0704), ('泰沙社区', 113.2698, 23.0668)]),
    Street(12, '江海', 'jianghai', ['江海', '江海街'], 113.3, 23.085,
           roads=['江海大道', '广州大道南', '新滘中路'],
           communities=[('江海社区', 113.3057, 23.0866), ('大塘社区', 113.2982, 23.0903), ('晓园社区', 113.2943, 23.0834), ('红卫新村社区', 113.3018, 23.0797)]),
    Street(13, '琶洲', 'pazhou', ['琶洲', '琶洲街'], 113.37, 23.098,
           roads=['琶洲大道', '新港东路', '阅江中路'],
           communities=[('黄埔村社区', 113.3757, 23.0996), ('琶洲村社区', 113.3701, 23.1035), ('会展社区', 113.3643, 23.0998), ('石基村社区', 113.3664, 23.0936), ('新村社区', 113.3735, 23.0935)]),
    Street(14, '南洲', 'nanzhou', ['南洲', '南洲街'], 113.3, 23.068,
           roads=['南洲路', '沥滘路', '三滘路'],
           communities=[('沥滘社区', 113.3057, 23.0696), ('三滘社区', 113.2982, 23.0733), ('南洲社区', 113.2943, 23.0664), ('东晓南社区', 113.3018, 23.0627)]),
    Street(15, '华洲', 'huazhou', ['华洲', '华洲街'], 113.345, 23.075,
           roads=['华洲路', '小洲大街', '新滘东路'],
           communities=[('小洲社区', 113.3507, 23.0766), ('土华社区', 113.3432, 23.0803), ('龙潭社区', 113.3393, 23.0734), ('华洲社区', 113.3468, 23.0697)]),
    Street(16, '官洲', 'guanzhou', ['官洲', '官洲街'], 113.39, 23.08,
           roads=['仑头路', '官洲路', '北山大街'],
           communities=[('仑头社区', 113.3957, 23.0816), ('北山社区', 113.3901, 23.0855), ('赤沙社区', 113.3843, 23.0818), ('官洲社区', 113.3864, 23.0756), ('生物岛社区', 113.3926, 23.0774)]),
    Street(17, '江南中', 'jiangnanzhong', ['江南中', '江南中街'], 113.274, 23.098,
           roads=['江南大道中', '晓港中马路', '紫龙大街'],
           communities=[('江南中社区', 113.2778, 23.0991), ('晓港湾社区', 113.2711, 23.1005), ('紫龙社区', 113.2731, 23.0945)]),
    Street(18, '昌岗', 'changgang', ['昌岗', '昌岗街'], 113.265, 23.092,
           roads=['昌岗中路', '江南大道南', '怡乐路'],
           communities=[('昌岗社区', 113.2688, 23.0931), ('怡乐社区', 113.2621, 23.0945), ('江南大道南社区', 113.2641, 23.0884)]),
]


@dataclass(frozen=True)
class Department:
    slug: str  # login of its handler, and part of the unit code
    name: str
    external: bool = False  # a utility or other body outside the district government


DEPARTMENTS: list[Department] = [
    Department("zjj", "区住房和城乡建设局"),
    Department("jtj", "区交通运输局"),
    Department("cgj", "区城市管理和综合执法局"),
    Department("sthj", "区生态环境分局"),
    Department("jyj", "区教育局"),
    Department("wjj", "区卫生健康局"),
    Department("rsj", "区人力资源和社会保障局"),
    Department("scj", "区市场监督管理局"),
    Department("mzj", "区民政局"),
    Department("gaj", "区公安分局"),
    Department("swj", "区水务局"),
    Department("wgl", "区文化广电旅游体育局"),
    Department("swu", "区商务局"),
    Department("gxj", "区科技工业和信息化局"),
    Department("fgj", "区发展和改革局"),
    Department("czj", "区财政局"),
    Department("sfj", "区司法局"),
    Department("yjj", "区应急管理局"),
    Department("ghzy", "区规划和自然资源分局"),
    Department("tyjr", "区退役军人事务局"),
    Department("ybj", "区医疗保障局"),
    Department("nyj", "区农业农村局"),
    Department("mzzj", "区民族宗教事务局"),
    Department("xfj", "区信访局"),
    Department("zsj", "区政务服务数据管理局"),
    Department("jw", "区纪委监委"),
    Department("pzgwh", "琶洲试验区管委会"),
    Department("tax", "区税务局", external=True),
    Department("xf", "区消防救援大队", external=True),
    Department("power", "区供电局", external=True),
    Department("water", "区自来水公司", external=True),
    Department("gas", "区燃气公司", external=True),
]

CENTRE_NAME = "区指挥中心"

# Category path (any level) -> department slug of its default main unit. The most specific wins
# (Category.effective_unit walks up the tree).
ROUTES: dict[str, str] = {
    "交通运输": "jtj",
    "党务政务": "zsj",
    "党务政务/民族宗教": "mzzj",
    "党务政务/港澳台侨": "mzzj",
    "农村农业": "nyj",
    "农村农业/水利水电": "swj",
    "劳动和社会保障": "rsj",
    "卫生计生": "wjj",
    "卫生计生/食品药品监管": "scj",
    "商贸旅游": "swu",
    "商贸旅游/市场监管": "scj",
    "商贸旅游/质监检验检疫": "scj",
    "商贸旅游/旅游管理": "wgl",
    "国土资源": "ghzy",
    "城乡建设": "zjj",
    "城乡建设/城市建设和市政管理": "cgj",
    "城乡建设/城市建设和市政管理/电力供应": "power",
    "城乡建设/城市建设和市政管理/自来水供应": "water",
    "城乡建设/城市建设和市政管理/燃气供应": "gas",
    "城乡建设/城市建设和市政管理/公共汽车": "jtj",
    "城乡建设/城市建设和市政管理/地铁城铁": "jtj",
    "城乡建设/城乡规划": "ghzy",
    "城乡建设/城乡规划/违章建筑": "cgj",
    "城乡建设/安全生产": "yjj",
    "政法": "gaj",
    "政法/法律服务": "sfj",
    "政法/法制建设": "sfj",
    "政法/仲裁与调解": "sfj",
    "政法/行政复议": "sfj",
    "政法/诉讼": "sfj",
    "教育文体": "jyj",
    "教育文体/体育": "wgl",
    "教育文体/文化": "wgl",
    "教育文体/文物管理": "wgl",
    "民政": "mzj",
    "民政/优抚": "tyjr",
    "民政/复退安置": "tyjr",
    "环境保护": "sthj",
    "科技与信息产业": "gxj",
    "纪检监察": "jw",
    "经济管理": "fgj",
    "经济管理/金融财税": "czj",
    "经济管理/安全生产": "yjj",
}

# Matters a street office handles in its own area (属地事项): routed to the street of the appeal.
LOCAL_CATEGORIES: list[str] = [
    "城乡建设/城市建设和市政管理/环境卫生",
    "城乡建设/城市建设和市政管理/小区管理",
    "城乡建设/城市建设和市政管理/居民服务设施",
    "城乡建设/城乡规划/违章建筑",
    "城乡建设/住房保障与房地产/物业服务",
    "民政/基层选举和社区建设",
    "环境保护/环境污染/噪音污染",
]

# Departments whose handlers the ticket simulation borrows as co-handling units, by first-level category.
CO_HANDLERS: dict[str, list[str]] = {
    "城乡建设": ["cgj", "ghzy", "scj", "yjj"],
    "环境保护": ["cgj", "swj", "scj"],
    "交通运输": ["gaj", "cgj"],
    "商贸旅游": ["gaj", "swu"],
    "卫生计生": ["scj", "ybj"],
    "劳动和社会保障": ["sfj", "scj"],
    "教育文体": ["scj", "wjj"],
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    roles: tuple[str, ...]
    unit: str  # unit code
    display_name: str


CENTRE_CODE = "CENTRE"


def department_code(slug: str) -> str:
    return f"D-{slug.upper()}"


def street_office_code(street: Street) -> str:
    return f"S-{street.slug.upper()}"


def community_office_code(area_code: str) -> str:
    return f"C-{area_code}"


def demo_users() -> list[DemoUser]:
    """Centre staff, a handler and a head for every department and street office, three CSOs."""
    users = [
        DemoUser("dispatcher1", ("dispatcher",), CENTRE_CODE, "派单员 陈静"),
        DemoUser("dispatcher2", ("dispatcher",), CENTRE_CODE, "派单员 黄伟"),
        DemoUser("supervisor1", ("supervisor",), CENTRE_CODE, "督办员 李明"),
        DemoUser("supervisor2", ("supervisor",), CENTRE_CODE, "督办员 周敏"),
        DemoUser("centre_head", ("unit_head", "supervisor"), CENTRE_CODE, "指挥中心主任 林志强"),
    ]
    for dep in DEPARTMENTS:
        users.append(DemoUser(dep.slug, ("handler",), department_code(dep.slug), f"{dep.name}承办人"))
        users.append(DemoUser(f"{dep.slug}_head", ("unit_head",), department_code(dep.slug), f"{dep.name}负责人"))
    for street in STREETS:
        users.append(DemoUser(street.slug, ("handler",), street_office_code(street), f"{street.name}办承办人"))
        users.append(DemoUser(f"{street.slug}_head", ("unit_head",), street_office_code(street),
                              f"{street.name}办负责人"))
    for i, name in enumerate(["王晓东", "刘芳", "张海涛"], start=1):
        users.append(DemoUser(f"cso{i}", ("service_officer",), department_code("pzgwh"), f"首席服务官 {name}"))
    return users


ADMIN_USERNAME = "admin"
# Accounts `youhu demo logins` lists first; the others follow one pattern (slug / slug_head).
FEATURED_USERNAMES = [
    "admin", "city_dispatcher", "city_supervisor", "yx_dispatcher",  # the city above the districts (demo/city.py)
    "dispatcher1", "dispatcher2", "supervisor1", "supervisor2", "centre_head",
    "zjj", "zjj_head", "cgj", "cgj_head", "sthj", "jtj", "pazhou", "pazhou_head", "chigang",
    "cso1", "cso2", "cso3",
]
