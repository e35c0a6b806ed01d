"""统一社会信用代码 (USCC) validation by GB 32100-2015.

The check character comes from python-stdnum (`stdnum.cn.uscc.calc_check_digit`). The format check
is ours: stdnum wants the first eight characters to be digits, but the standard lets the first two
(登记管理部门代码, 机构类别代码) be letters too (e.g. "Y1" for 其他登记机关 / 其他机构).
"""

from __future__ import annotations

import re

from stdnum.cn.uscc import calc_check_digit

from youhu.tickets.errors import InvalidInput

# GB 32100-2015 alphabet: digits and capital letters without I, O, S, V, Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_SHAPE = re.compile(rf"^[{ALPHABET}]{{2}}[0-9]{{6}}[{ALPHABET}]{{10}}$")
FIELD = "uscc"


def normalize(raw: str | None) -> str:
    """Upper case, without spaces or dashes people type in."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def validate_uscc(raw: str | None) -> str:
    """Return the normalized code or raise InvalidInput with a message a clerk can act on."""
    code = normalize(raw)
    if not code:
        raise InvalidInput("请填写统一社会信用代码", field=FIELD)
    if len(code) != 18:
        raise InvalidInput(f"统一社会信用代码应为 18 位，现为 {len(code)} 位：{code}", field=FIELD)
    if not _SHAPE.match(code):
        bad = sorted({c for c in code if c not in ALPHABET})
        if bad:
            raise InvalidInput(
                f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）", field=FIELD
            )
        raise InvalidInput("统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为数字", field=FIELD)
    expected = calc_check_digit(code[:17])
    if code[17] != expected:
        raise InvalidInput(
            f"统一社会信用代码校验位错误：{code} 的第 18 位应为“{expected}”，而不是“{code[17]}”", field=FIELD
        )
    return code


def is_valid_uscc(raw: str | None) -> bool:
    try:
        validate_uscc(raw)
    except InvalidInput:
        return False
    return True


def with_check_character(first17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests use it)."""
    body = normalize(first17)
    if not _SHAPE.match(body + "0"):
        raise ValueError(f"not 17 characters of the GB 32100 alphabet: {first17!r}")
    return body + calc_check_digit(body)
