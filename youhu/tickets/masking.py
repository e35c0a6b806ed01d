"""Masking of appellants' personal data for viewers who have no need to see it.

`mask_phone` / `mask_name` shorten one known value for staff pages. `mask_personal` is the one function every
text goes through before it is published (Open311 reads, the /open/ pages, a merged duplicate's tracking page):
it removes the values the caller knows (the appellant's own name, phone and address) and whatever looks like
personal data by pattern — mobile and landline numbers, ID and other long numbers, e-mail addresses, car plates,
house numbers, and names: a surname before 先生/女士/同志/…, or after "我叫", "姓名：", "联系人：". It errs on the
side of removing too much: a published text loses a word sooner than a person's number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return f"{'*' * (len(digits) - 4)}{digits[-4:]}"


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


# The common Chinese surnames (about 99 % of people), single and compound.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛"
    "曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席"
    "卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝洪区"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                     "夏侯", "令狐", "端木", "西门", "南宫")
HONORIFICS = ("先生", "女士", "小姐", "同志", "太太", "阿姨", "伯伯", "大爷", "师傅", "老师")
NAME_MASK = "某"  # "李四先生" -> "某先生"; excluded from the given-name characters, so masking twice changes nothing

_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{SURNAMES}])"
_GIVEN = f"(?:(?!{NAME_MASK})[\u4e00-\u9fff])"
_HONORIFIC = "(?:" + "|".join(HONORIFICS) + ")"
# Words a name often follows (感谢李四先生): kept, so that 谢 is not taken for the surname of "谢李四".
_BEFORE_NAME = "感谢|谢谢|谢|致|请|联系|通知|告知|转告|回复|答复|向|和|与|给|及|、"
_DIGIT_RUN = re.compile(r"\d{4}")  # every phone or long number has four digits in a row somewhere
_DIGITS_EDGE_L, _DIGITS_EDGE_R = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"

# (gate, pattern, replacement), applied in this order: longer numbers before the shorter ones they contain. A
# pattern runs only where its gate (a quick search for what every match must contain) finds something: most
# texts have no e-mail address, ID number or honorific, and an Open311 page masks up to 2,000 texts.
_PATTERNS: list[tuple[re.Pattern[str], re.Pattern[str], str]] = [
    (re.compile("@"), re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[邮箱]"),
    (re.compile(r"\d{15}"), re.compile(_DIGITS_EDGE_L + r"\d{17}[\dXx]" + _DIGITS_EDGE_R + "|" + _DIGITS_EDGE_L
                                      + r"\d{15}" + _DIGITS_EDGE_R), "[证件号]"),
    # any run of 12 or more digits, also with separators (bank cards, account numbers)
    (_DIGIT_RUN, re.compile(r"(?<!\d)\d(?:[-\s]?\d){11,}(?!\d)"), "[号码]"),
    # mobile numbers, also written 139-2222-0000, 139 2222 0000 or with +86
    (_DIGIT_RUN, re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"), "[电话]"),
    # landlines with their area code: 020-83456789, (020)8345 6789, 0755-1234567, 02083456789
    (_DIGIT_RUN, re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[-\s]?\d{3,4}[-\s]?\d{4}(?!\d)"),
     "[电话]"),
    # a local number after a word that says it is one: 电话83456789, 联系方式：8345-6789
    (_DIGIT_RUN, re.compile(r"(电话|手机|座机|号码|联系方式|联系电话|tel|Tel|TEL)([:：是为\s]*)\d[\d\-\s]{5,}\d"),
     r"\1\2[电话]"),
    # car plates: 粤A12345, 粤A·D12345
    (re.compile("[A-Z]"), re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z]·?[A-Z0-9]{5,6}"
                                     + _DIGITS_EDGE_R), "[车牌]"),
    # house, building and room numbers: 88号, 3栋, 502室 (not a metro line: 3号线)
    (re.compile(r"\d"), re.compile(r"\d+[-\s]?(号楼|号院|号(?!线)|栋|幢|座|单元|室|房|层)"), r"*\1"),
    # names by pattern
    (re.compile(_HONORIFIC), re.compile(f"({_BEFORE_NAME})?" + _SURNAME + _GIVEN + "{0,2}?" + f"({_HONORIFIC})"),
     r"\1" + NAME_MASK + r"\2"),
    (re.compile("我|本人|名|姓名|联系人|署名"),
     re.compile(r"(我叫|我的名字[是叫]|本人名叫|本人叫|名叫|姓名[:：是为\s]*|联系人[:：是为\s]*|署名[:：\s]*)"
                + _GIVEN + "{2,3}"), r"\1" + NAME_MASK * 2),
    (re.compile("姓"), re.compile(r"(我姓|本人姓)" + _SURNAME), r"\1" + NAME_MASK),
]
KNOWN_MIN_LEN = 2  # a known value shorter than this (a one-character name) is left to the patterns


def mask_personal(text: str, *, names: Iterable[str] = (), phones: Iterable[str] = (),
                  places: Iterable[str] = ()) -> str:
    """`text` without the known `names`, `phones` and `places` (the appellant's own) and without everything that
    looks like personal data. Idempotent: masking a masked text changes nothing."""
    if not text:
        return ""
    known = [(value.strip(), token) for values, token in ((names, NAME_MASK * 2), (phones, "[电话]"), (places, "[地址]"))
             for value in values if value and len(value.strip()) >= KNOWN_MIN_LEN]
    for value, token in sorted(known, key=lambda pair: len(pair[0]), reverse=True):  # 新港东路88号 before 88号
        text = text.replace(value, token)
    for gate, pattern, replacement in _PATTERNS:
        if gate.search(text):
            text = pattern.sub(replacement, text)
    return text
