"""Personal data in the forms people really write it, for the public-summary tests.

`FORMS` are the fixed forms issue 11 found leaking through `export --public`;
the hypothesis strategies below generate endless variants of each family
(phones, e-mails, messenger ids, street addresses, national ids, profile
links, names in running text), each with the `secrets` that must not be
readable in public output. `leaks(output, secrets)` looks for them the way a
reader would: Markdown escapes and HTML entities undone, full-width and
Chinese-numeral digits read as digits, separators between digits ignored.

Not a test module itself (no test_ prefix): tests/test_privacy.py and
scripts/measure_public_leaks.py use it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from hypothesis import strategies as st


@dataclass(frozen=True)
class Form:
    family: str
    text: str
    secrets: tuple[str, ...]  # what must not be readable in public output
    from_name: str = "Sender Person"  # the request's sender (some names are known only through it)
    extra_names: tuple[str, ...] = field(default=())


FORMS: tuple[Form, ...] = (
    Form("phone", "電話：2345-6789", ("23456789",)),
    Form("phone", "TEL 2345 6789", ("23456789",)),
    Form("phone", "0912_345_678", ("0912345678",)),
    Form("phone", "0912/345/678", ("0912345678",)),
    Form("phone", "〇九一二三四五六七八", ("0912345678",)),
    Form("email", "wang(at)example.org", ("wang", "example")),
    Form("email", "wang at example dot org", ("wang", "example")),
    Form("email", "user%40example.org", ("user%40", "example")),
    Form("email", "wang@example .org", ("wang", "example")),
    Form("line", "LINE ID: wang_0912", ("wang_0912",)),
    Form("line", "Line：@g0vtw", ("g0vtw",)),
    Form("address", "台北市大安區和平東路二段106號3樓", ("和平東路", "106號")),
    Form("address", "No. 1, Sec. 4, Roosevelt Rd., Taipei", ("Roosevelt",)),
    Form("address", "新北市板橋區文化路一段100巷5弄3號", ("文化路", "100巷", "3號")),
    Form("national_id", "A123456789", ("A123456789",)),
    Form("profile", "facebook.com/wang.xiaoming", ("xiaoming",)),
    Form("name", "王小明的合作提案", ("王小明",)),
    Form("name", "Meeting with John Smith", ("John Smith", "Smith")),
    Form("name", "大華的提案", ("大華",), from_name="林大華"),
)

# --- reading output the way a person would ------------------------------------------

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_DIGITS = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, **dict(zip("〇零一二三四五六七八九", "00123456789"))}
)
_DIGIT_GAP = r"[\s\\\-.()（）–—_/／:：]{0,4}"


def readable(output: str) -> str:
    """Output as a reader sees it: no Markdown escapes, no HTML entities, one space for any run."""
    text = html.unescape(_MD_ESCAPE.sub(r"\1", output))
    return " ".join(text.split())


def leaks(output: str, secrets) -> list[str]:
    """The secrets readable in `output`; digit secrets match whatever separates their digits."""
    text = readable(output)
    digits_text = text.translate(_DIGITS)
    found = []
    for secret in secrets:
        if secret.isdigit():
            if re.search(_DIGIT_GAP.join(secret), digits_text):
                found.append(secret)
        elif secret.lower() in text.lower():
            found.append(secret)
    return found


# --- generated forms -----------------------------------------------------------------

def _digits(n: int):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def _word(alphabet: str, lo: int, hi: int):
    return st.text(alphabet=alphabet, min_size=lo, max_size=hi)


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_CN_DIGITS = dict(zip("0123456789", "〇一二三四五六七八九"))
_SEPARATORS = st.sampled_from(["-", " ", "_", "/", ".", "", " - ", "–", "．"])


@st.composite
def phones(draw) -> Form:
    kind = draw(st.sampled_from(["mobile", "local", "cjk", "fullwidth", "landline"]))
    sep = draw(_SEPARATORS)
    if kind == "local":  # a Taipei number without its area code, after a label
        a, b = draw(_digits(4)).replace("0", "2", 1), draw(_digits(4))
        label = draw(st.sampled_from(["電話：", "TEL ", "Tel: ", "電話 ", "手機:", "phone "]))
        return Form("phone", f"{label}{a}{sep or '-'}{b}", (a + b,))
    if kind == "landline":
        area = draw(st.sampled_from(["2", "3", "4", "5", "6", "7", "8"]))
        a, b = "2" + draw(_digits(3)), draw(_digits(4))
        text = draw(st.sampled_from([f"(0{area}){a}{sep}{b}", f"0{area}{sep}{a}{sep}{b}"]))
        return Form("phone", text, (f"0{area}{a}{b}",))
    number = "09" + draw(_digits(8))
    if kind == "cjk":
        return Form("phone", "".join(_CN_DIGITS[d] for d in number), (number,))
    if kind == "fullwidth":
        return Form("phone", number.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}), (number,))
    return Form("phone", f"{number[:4]}{sep}{number[4:7]}{sep}{number[7:]}", (number,))


@st.composite
def emails(draw) -> Form:
    local = draw(_word(_LOWER, 3, 6)) + draw(_digits(2))
    host = "ex" + draw(_word(_LOWER, 3, 6))
    tld = draw(st.sampled_from(["org", "tw", "com"]))
    text = draw(st.sampled_from([
        f"{local}(at){host}.{tld}", f"{local} (at) {host} (dot) {tld}", f"{local} at {host} dot {tld}",
        f"{local} [at] {host} [dot] {tld}", f"{local}%40{host}.{tld}", f"{local}@{host} .{tld}",
        f"{local} @ {host}. {tld}", f"{local}＠{host}．{tld}", f"mailto:{local}@{host}.{tld}",
        f"{local} AT {host} DOT {tld}",
    ]))
    return Form("email", text, (local, host))


@st.composite
def line_ids(draw) -> Form:
    handle = draw(_word(_LOWER, 3, 6)) + draw(st.sampled_from(["_", ".", ""])) + draw(_digits(2))
    label = draw(st.sampled_from(["LINE ID: ", "Line：@", "line id:", "LINE: ", "Line ID：", "LINE @", "賴 ID：", "WeChat: "]))
    return Form("line", f"{label}{handle}", (handle,))


_ROADS = ["和平東", "文化", "中山北", "忠孝東", "民生西", "復興南"]
_CITIES = ["台北市大安區", "新北市板橋區", "臺中市西區", "高雄市苓雅區", ""]
_CN_SMALL = "一二三四五六七"


@st.composite
def addresses(draw) -> Form:
    if draw(st.booleans()):
        road = draw(st.sampled_from(_ROADS)) + draw(st.sampled_from(["路", "街"]))
        section = draw(st.sampled_from(["", *[c + "段" for c in _CN_SMALL]]))
        lane = draw(st.sampled_from(["", f"{draw(st.integers(1, 300))}巷"]))
        alley = draw(st.sampled_from(["", f"{draw(st.integers(1, 30))}弄"])) if lane else ""
        number = f"{draw(st.integers(1, 400))}號"
        floor = draw(st.sampled_from(["", f"{draw(st.integers(2, 20))}樓", "之1"]))
        text = f"{draw(st.sampled_from(_CITIES))}{road}{section}{lane}{alley}{number}{floor}"
        return Form("address", text, (road, lane + alley + number))
    street = draw(st.sampled_from(["Roosevelt", "Heping", "Zhongshan", "Xinyi", "Keelung"]))
    kind = draw(st.sampled_from(["Rd.", "Road", "St.", "Street", "Ave.", "Blvd."]))
    number = draw(st.integers(1, 400))
    text = draw(st.sampled_from([
        f"No. {number}, Sec. {draw(st.integers(1, 5))}, {street} {kind}, Taipei",
        f"No.{number}, Ln. {draw(st.integers(1, 99))}, {street} {kind}, Da'an Dist., Taipei City",
        f"{number} {street} {kind}, Taipei",
    ]))
    return Form("address", text, (street,))


@st.composite
def national_ids(draw) -> Form:
    letter = draw(st.sampled_from("ABCDEFGHJKLMNPQRSTUVXYWZIO"))
    id_ = letter + draw(st.sampled_from("1289")) + draw(_digits(8))
    return Form("national_id", id_, (id_,))


@st.composite
def profiles(draw) -> Form:
    handle = draw(_word(_LOWER, 3, 6)) + "." + draw(_word(_LOWER, 4, 8))
    site = draw(st.sampled_from(["facebook.com", "www.facebook.com", "fb.com", "instagram.com", "m.facebook.com"]))
    scheme = draw(st.sampled_from(["", "https://", "http://"]))
    return Form("profile", f"{scheme}{site}/{handle}", (handle,))


_SURNAMES = "王林陳黃張李吳劉蔡楊許鄭謝郭"
_GIVEN = "小明大華雅婷志豪淑芬家豪怡君俊傑"
_FIRST = ["John", "Mary", "Hiroshi", "Ana", "Kwame"]
_LAST = ["Smith", "Tanaka", "Okafor", "Lindqvist", "Moreau"]


@st.composite
def names(draw) -> Form:
    kind = draw(st.sampled_from(["cjk", "latin", "given"]))
    given = draw(st.sampled_from(_GIVEN)) + draw(st.sampled_from(_GIVEN))
    surname = draw(st.sampled_from(_SURNAMES))
    if kind == "cjk":
        tail = draw(st.sampled_from(["的合作提案", "的邀請", "先生來信", "小姐詢問", "老師的演講"]))
        return Form("name", f"{surname}{given}{tail}", (surname + given,))
    if kind == "given":  # only the given name, from a sender the inbox knows
        return Form("name", f"{given}的提案", (given,), from_name=surname + given)
    first, last = draw(st.sampled_from(_FIRST)), draw(st.sampled_from(_LAST))
    cue = draw(st.sampled_from(["Meeting with", "Call with", "Interview by", "Dear", "Mr.", "Dr"]))
    return Form("name", f"{cue} {first} {last}", (f"{first} {last}", last))


personal_data = st.one_of(phones(), emails(), line_ids(), addresses(), national_ids(), profiles(), names())

# Text around the form: letters, CJK, punctuation, Markdown and spaces, but no digits (a
# phone glued to more digits is a longer number) and no ASCII letters right before a name.
filler = st.lists(
    st.sampled_from(list("abcXYZ 中文，。：（）()|#*_[]<>!\n") + ["聯絡 ", "Tel ", "請洽 ", " 謝謝", "合作"]),
    max_size=6,
).map("".join)


@st.composite
def embedded(draw) -> tuple[Form, str]:
    """A form in random surrounding text; the space keeps the filler from joining a name or id."""
    form = draw(personal_data)
    return form, f"{draw(filler)} {form.text} {draw(filler)}"
