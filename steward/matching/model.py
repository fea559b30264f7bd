"""The category model: features of a request, a linear model over them, and why it decided.

What kind of request a message is gets decided by a multinomial logistic
regression fitted to labelled requests (tests/data/labelled_requests.jsonl,
rebuilt by scripts/train_matching.py; a steward's own labels are folded in by
`steward train`). Everything here is pure Python over dicts so that the app
needs no numpy: the weights ship as data (steward/matching/model.json and model.weights) and a
prediction is a few hundred dictionary look-ups.

Features, all sparse and named:
- ``w:WORD`` / ``b:W1 W2``: English words and word pairs (subject counts twice);
- ``c:XX`` / ``c:XXX``: Chinese character pairs and triples (no segmenter needed);
- ``ask:…``: what the sender asks for, from a short list of phrasings per ask
  (use the logo, invite a speaker, join as a volunteer, …);
- ``main:…``: an ask said in a sentence that asks (請問/想/希望/would like/could you…);
  the words of those sentences also count 1.5 times, like the subject's. A quoted
  earlier message or a signature is cut off first (``own_words``);
- ``from:…``: who is asking (government, school, company, NGO, media, individual;
  abroad or in Taiwan), read by steward.drafting.facts.who_is_asking as the drafts do;
- ``ask:…|…``: an ask crossed with who is asking (data from abroad is an exchange);
- ``channel:…`` and ``kind:…`` (the kind of the best-matching directory entry);
- ``rule:…``, ``rulecat:…``, ``handler:…`` (from steward.matching.matcher): how strongly the
  cue words of categories.toml point at each category, the category the hand-set
  rules alone would choose, and whether the best match is the group that handles
  a category. The model learns how far to trust them.

The designed features are what the reasons name, in words a steward uses;
n-grams only fill in when nothing designed decided it.

The trainer (`train`) is here too, so `steward train` needs nothing beyond the
standard library: AdaGrad over the logistic loss with L2 pulled towards a prior
(zero for the shipped model, the shipped weights for a user's model), a fixed
number of passes and a fixed shuffling seed, so the same labels always give the
same weights.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

MODEL_VERSION = 1
MAX_CHARS = 4000  # the point of a request is made early; quoted threads add noise and time
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")
_WORD = re.compile(r"[a-z][a-z0-9'’-]*[a-z0-9]|[a-z]")
_FOLD = str.maketrans({"臺": "台", "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None})
_STOP = frozenset(
    "a an the and or of to in on for at by with from as is are was were be been it its this that these those "
    "we our us you your i my me he she they them their his her will would can could should may might do does did "
    "have has had not no so if but about into than then there here which who whom what when where how all any "
    "some more most very also just would like please dear hi hello thanks thank regards best".split()
)

# -- what the sender asks for: the features a steward can read ---------------
# (id, 中文, English, phrasings). Phrasings are matched as substrings of the
# normalized text (English ones on word boundaries). They name kinds of asks,
# not particular requests.
ASKS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("logo", "要使用名義或標誌", "asks to use the name or logo",
     ("logo", "標誌", "商標", "名義", "掛名", "字樣", "co-brand", "trademark", "品牌", "聯名", "with g0v",
      "built with", "endorse", "主視覺", "圖示", "in the name of", "名稱使用")),
    ("speaker", "邀請演講、分享或授課", "invites someone to speak, teach or join a panel",
     ("演講", "講者", "講師", "講座", "主講", "與談", "座談", "分享會", "授課", "研習", "speaker", "keynote",
      "talk", "panel", "lecture", "seminar", "webinar", "workshop", "工作坊", "鐘點費", "honorarium",
      "設攤", "攤位", "booth", "exhibit", "cfp", "call for proposals")),
    ("interview", "要採訪、拍攝或報導", "asks for an interview, filming or coverage",
     ("採訪", "專訪", "記者", "拍攝", "跟拍", "紀錄片", "報導", "節目", "受訪", "interview", "journalist",
      "reporter", "documentary", "filming", "podcast", "article", "magazine", "newspaper", "coverage")),
    ("money", "談錢：贊助、補助、標案或捐款", "is about money: sponsorship, grants, tenders or donations",
     ("贊助", "補助", "捐款", "捐贈", "標案", "經費", "募資", "獎助", "發票", "收據", "sponsor", "grant",
      "donat", "funding", "tender", "invoice", "receipt", "budget", "fund ", "招標", "投標", "標案", "採購",
      "委託案", "credits", "funder")),
    ("data", "要用資料、程式碼或 API", "asks to use data, code or an API",
     ("資料", "數據", "資料集", "api", "dataset", "open data", "原始碼", "程式碼", "下載", "source code",
      "csv", "json", "scrap", "爬")),
    ("licence", "問授權條款", "asks about licence terms",
     ("授權", "license", "licence", "cc by", "cc0", "mit ", "gpl", "商業使用", "commercial use", "attribution",
      "出處", "重製", "改編")),
    ("join", "想加入、當志工或貢獻", "wants to join, volunteer or contribute",
     ("志工", "參與", "加入", "新手", "貢獻", "幫忙", "volunteer", "contribute", "join", "first issue",
      "good first", "get involved", "newcomer", "實習", "intern", "學生", "student", "想學")),
    ("recognition", "要貢獻證明或時數", "wants contributions recognised (a certificate, hours)",
     ("證明", "時數", "認證", "certificate", "recogni", "service learning", "服務學習", "reference letter",
      "推薦信", "學習歷程")),
    ("partner", "申請成為長期合作夥伴", "applies to become a long-term partner",
     ("合作夥伴", "社群夥伴", "夥伴", "長期合作", "partner", "long-term", "membership", "mou", "簽約")),
    ("together", "提議一起合作或合辦", "proposes working together or co-hosting",
     ("合作", "合辦", "共同", "一起", "協作", "共創", "collaborat", "co-organi", "co-host", "together",
      "joint", "team up", "work with")),
    ("visit", "參訪、交流或來訪", "a visit, delegation or exchange",
     ("參訪", "交流", "來訪", "拜訪", "visit", "delegation", "study tour", "exchange", "見面", "meet")),
    ("abroad", "來自國外或談跨國合作", "comes from abroad or concerns another country",
     ("國外", "海外", "跨國", "日本", "韓國", "香港", "international", "overseas", "abroad", "our country",
      "in our city", "cross-border", "embassy", "大使館")),
    ("job", "應徵工作或接案", "applies for a job or offers paid work",
     ("應徵", "職缺", "履歷", "報價", "外包", "接案", "resume", "cv ", "hiring", "position", "quotation",
      "outsourc", "freelance")),
    ("personal", "私人或與社群無關的事", "a private matter unrelated to the community",
     ("津貼", "申辦", "我家", "民宿", "網站壞", "打不開", "my account", "my website", "refund")),
    ("legal", "法律要求或要求刪除", "a legal demand or takedown",
     ("律師", "法律責任", "刪除", "撤除", "撤下", "追究", "lawsuit", "legal action", "take down", "takedown",
      "defamation", "cease and desist")),
]
ASK_WORDS = {key: (zh, en) for key, zh, en, _ in ASKS}

SENDERS = {
    "gov": ("寄件者是政府機關", "the sender is a government body"),
    "school": ("寄件者是學校或學術單位", "the sender is a school or university"),
    "company": ("寄件者是公司", "the sender is a company"),
    "ngo": ("寄件者是民間團體", "the sender is an NGO or association"),
    "media": ("寄件者是媒體", "the sender is a media outlet"),
    "individual": ("寄件者是個人", "the sender writes as an individual"),
    "foreign": ("寄件者在國外", "the sender is abroad"),
    "taiwan": ("寄件者在台灣", "the sender is in Taiwan"),
}
CHANNEL_WORDS = {
    "email": ("寄來電子郵件", "came by email"), "form": ("經表單送來", "came through the form"),
    "facebook": ("在臉書留言", "came on Facebook"), "slack": ("在 Slack 上問", "came on Slack"),
    "other": ("其他管道", "came another way"),
}
KIND_WORDS = {
    "working_group": ("對應到工作小組", "matches a working group"),
    "project": ("對應到一個專案", "matches a project"),
    "programme": ("對應到一個計畫", "matches a programme"),
    "organization": ("對應到一個組織", "matches an organization"),
    "partner_community": ("對應到夥伴社群", "matches a partner community"),
}


def normalize(text: str) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold().translate(_FOLD)
    return re.sub(r"\s+", " ", text).strip()


def _stem(word: str) -> str:
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _text_grams(text: str, weight: float, out: dict[str, float]) -> None:
    for run in _CJK_RUN.findall(text):
        for n in (2, 3):
            for i in range(len(run) - n + 1):
                key = "c:" + run[i : i + n]
                out[key] = max(out.get(key, 0.0), weight)
    words = [_stem(w) for w in _WORD.findall(text)]
    prev = None
    for w in words:
        if w not in _STOP and len(w) > 1:
            key = "w:" + w
            out[key] = max(out.get(key, 0.0), weight)
            if prev is not None:
                key = f"b:{prev} {w}"
                out[key] = max(out.get(key, 0.0), weight)
            prev = w
        else:
            prev = None


def _has(text: str, phrase: str) -> bool:
    if phrase.isascii() and phrase[:1].isalnum():
        start = 0
        while True:
            at = text.find(phrase, start)
            if at < 0:
                return False
            if at == 0 or not text[at - 1].isalnum():
                return True
            start = at + 1
    return phrase in text


def sender_kinds(organization: str, from_email: str, text: str = "") -> list[str]:
    """Who is asking, as a few coarse labels: the kind of body, and abroad or in Taiwan.

    The same reading as the drafts' (steward.drafting.facts.who_is_asking)."""
    from steward.drafting.facts import who_is_asking

    sender = who_is_asking(organization, from_email, text)
    kinds = [{"government": "gov"}.get(sender.kind, sender.kind)]
    if sender.abroad:
        kinds.append("foreign")
    elif sender.taiwan:
        kinds.append("taiwan")
    return kinds


def _language(subject: str, body: str) -> str:
    text = subject + " " + body
    han = len(_CJK_RUN.findall(text)) and sum(len(r) for r in _CJK_RUN.findall(text))
    words = len(_WORD.findall(text.casefold()))
    return "zh" if han / 1.5 >= words else "en"


@dataclass
class Features:
    values: dict[str, float]
    language: str  # "zh" or "en"
    cues: dict[str, list[str]] = field(default_factory=dict)  # category -> the rule cue words found


# Where the sender states what they want: a sentence holding one of these is the
# ask; the rest of the letter is context (who we are, the event, a signature).
ASK_MARKERS = re.compile(
    r"請問|請教|想請|想要|想|希望|能否|可否|是否|可以|可不可以|能不能|盼|邀請|誠摯|申請|徵求|尋求|請.{0,6}協助|麻煩"
    r"|\b(?:would like|would love|we'd like|i'd like|we'd love|could you|can you|could we|can we|may we|would you"
    r"|we want|i want|we hope|i hope|hoping|looking for|interested in|wondering|request|invite|inviting|please)\b"
)
_SENTENCE = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.)\s+")
ASK_GRAM_WEIGHT = 1.5  # words in the sentences that ask count as much as the subject's


# Where the sender's own words end: a quoted earlier message or a signature.
_QUOTE_START = re.compile(
    r"^(?:>|-{2,}\s*(?:original message|forwarded message|原始郵件|轉寄郵件)|on .{0,200} wrote:\s*$"
    r"|.{0,200}(?:寫道|wrote)\s*[:：]\s*$|from:\s.+@|寄件者[:：]|-- ?$|sent from my )",
    re.IGNORECASE,
)


def own_words(body: str) -> str:
    """The body up to a quoted earlier message or a signature separator.

    A reply carries the thread below it and a letter its signature; neither says
    what this message asks. Nothing is cut when that would leave nothing.
    """
    lines = (body or "")[:MAX_CHARS].splitlines()
    for n, line in enumerate(lines):
        if n and _QUOTE_START.match(line.strip()):
            return "\n".join(lines[:n])
    return "\n".join(lines)


def ask_sentences(text: str) -> list[str]:
    """The sentences of a (raw) text that ask for something, normalized."""
    found = []
    for sentence in _SENTENCE.split((text or "")[:MAX_CHARS]):
        sentence = normalize(sentence)
        if sentence and ASK_MARKERS.search(sentence):
            found.append(sentence)
    return found


def features(
    subject: str = "", body: str = "", organization: str = "", from_email: str = "", channel: str = "",
    entry_kinds: tuple[str, ...] | list[str] = (), *, own: Features | None = None,
) -> Features:
    """The request as named sparse features; text n-grams are scaled to unit length.
    `own`: the request's features read already without `entry_kinds` (the matcher reads
    them once for the spam detector too); only the kind is added to a copy."""
    if own is not None:
        values = dict(own.values)
        _add_kind(values, entry_kinds)
        return Features(values, own.language)
    body = own_words(body)
    subj, text = normalize(subject), normalize(body)
    grams: dict[str, float] = {}
    _text_grams(text, 1.0, grams)
    asking = ask_sentences(body or "")
    for sentence in asking:
        _text_grams(sentence, ASK_GRAM_WEIGHT, grams)
    _text_grams(subj, 1.5, grams)
    norm = math.sqrt(sum(v * v for v in grams.values())) or 1.0
    values = {k: v / norm for k, v in grams.items()}
    whole = f"{subj} {text}"
    for key, _, _, phrases in ASKS:
        hits = sum(1 for p in phrases if _has(whole, p))
        if hits:
            values["ask:" + key] = 1.0 if hits == 1 else 1.4
            if any(_has(subj, p) for p in phrases):
                values["ask:" + key] += 0.5
                values["subject:" + key] = 1.0  # the subject states the main ask
            if any(_has(sentence, p) for sentence in asking for p in phrases):
                values["main:" + key] = 1.0  # said where the sender asks for something
    language = _language(subject or "", body or "")
    senders = sender_kinds(organization, from_email, body or "")
    for kind in senders:
        values["from:" + kind] = 1.0
    # The same ask means another thing from another sender (data asked for from abroad
    # is an exchange; a logo asked for by a company is naming): ask × who, learned.
    for key in [k for k in values if k.startswith("ask:")]:
        for kind in senders:
            values[f"{key}|{kind}"] = 0.5
    if channel:
        values["channel:" + channel] = 1.0
    _add_kind(values, entry_kinds)
    values["lang:" + language] = 1.0
    values["bias"] = 1.0
    return Features(values, language)


def _add_kind(values: dict[str, float], entry_kinds) -> None:
    for kind in entry_kinds[:1]:
        values["kind:" + kind] = 1.0


# -- the model ----------------------------------------------------------------


@dataclass
class Prediction:
    key: str
    score: int  # 0..100, the model's probability for `key`
    probabilities: dict[str, float]
    reasons: dict[str, list[str]] = field(default_factory=dict)  # "zh-TW" / "en" -> reasons


@dataclass
class CategoryModel:
    classes: list[str]
    weights: dict[str, list[float]]  # feature -> one weight per class
    meta: dict = field(default_factory=dict)

    def scores(self, values: dict[str, float]) -> list[float]:
        total = [0.0] * len(self.classes)
        weights = self.weights
        for name, v in values.items():
            w = weights.get(name)
            if w is not None:
                for c, wc in enumerate(w):
                    total[c] += wc * v
        return total

    def probabilities(self, values: dict[str, float]) -> list[float]:
        return _softmax(self.scores(values))

    def predict(self, feats: Features) -> Prediction:
        probs = self.probabilities(feats.values)
        best = max(range(len(probs)), key=lambda c: (probs[c], -c))
        return Prediction(
            self.classes[best],
            round(100 * probs[best]),
            {k: round(p, 4) for k, p in zip(self.classes, probs)},
            explain(self, feats, best),
        )

    def as_json(self) -> dict:
        return {
            "version": MODEL_VERSION,
            "classes": self.classes,
            "meta": self.meta,
            "weights": {k: [round(x, 4) for x in w] for k, w in sorted(self.weights.items())},
        }

    @classmethod
    def from_json(cls, data: dict) -> CategoryModel:
        """A model `steward train` wrote (the shipped one is read by read_shipped)."""
        if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
            raise ValueError("not a steward category model (or one from another version)")
        classes = list(data["classes"])
        weights = data["weights"]
        n = len(classes)
        if not isinstance(weights, dict) or not all(
            type(w) is list and len(w) == n and all(type(x) in (float, int) for x in w) for w in weights.values()
        ):
            raise ValueError("weights do not match the classes")
        return cls(classes, weights, dict(data.get("meta", {})))


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


CATEGORY_WORDS = {
    "collaboration": ("合作提案", "collaboration"), "speaking": ("演講／活動邀約", "speaking"),
    "funding": ("募資／補助／標案／贊助", "funding"), "naming": ("名義與標誌", "naming"),
    "partnership": ("社群合作夥伴", "partnership"), "media": ("媒體採訪", "media"),
    "data": ("資料／技術諮詢", "data"), "international": ("國際交流", "international"),
    "volunteer": ("個人參與", "volunteer"), "other": ("其他", "other"),
}


def _describe(name: str, feats: Features | None = None) -> tuple[str, str] | None:
    if "|" in name:
        ask, _, sender = name.partition("|")
        first, second = _describe(ask, feats), SENDERS.get(sender)
        if first and second:
            return f"{first[0]}，且{second[0]}", f"{first[1]}, and {second[1]}"
        return None
    kind, _, value = name.partition(":")
    if kind == "rule" and value in CATEGORY_WORDS:
        zh, en = CATEGORY_WORDS[value]
        found = (feats.cues.get(value) if feats else None) or []
        return (
            f"用詞像{zh}請求" + (f"（{'、'.join(found)}）" if found else ""),
            f"wording typical of {en} requests" + (f" ({', '.join(found)})" if found else ""),
        )
    if kind == "rulecat" and value in CATEGORY_WORDS:
        zh, en = CATEGORY_WORDS[value]
        found = (feats.cues.get(value) if feats else None) or []
        return (
            f"類別規則也判為{zh}" + (f"（{'、'.join(found)}）" if found else ""),
            f"the category rules also say {en}" + (f" ({', '.join(found)})" if found else ""),
        )
    if kind == "handler" and value in CATEGORY_WORDS:
        zh, en = CATEGORY_WORDS[value]
        return f"對應到處理{zh}的小組", f"matches the group that handles {en} requests"
    if kind == "ask":
        return ASK_WORDS.get(value)
    if kind == "subject" and value in ASK_WORDS:
        zh, en = ASK_WORDS[value]
        return f"主旨：{zh}", f"subject: {en}"
    if kind == "main" and value in ASK_WORDS:
        zh, en = ASK_WORDS[value]
        return f"請求的重點：{zh}", f"what they ask: {en}"
    if kind == "from":
        return SENDERS.get(value)
    if kind == "channel":
        return CHANNEL_WORDS.get(value)
    if kind == "kind":
        return KIND_WORDS.get(value)
    return None


def explain(model: CategoryModel, feats: Features, best: int, *, limit: int = 3) -> dict[str, list[str]]:
    """The few features that pushed most towards `best` against the other classes, in both languages."""
    n = len(model.classes)
    pushes: list[tuple[float, str]] = []
    for name, v in feats.values.items():
        w = model.weights.get(name)
        if w is None or name == "bias" or name.startswith("lang:"):
            continue
        kind, _, value = name.partition(":")
        if kind in ("rule", "handler", "rulecat") and value != model.classes[best]:
            continue  # "wording typical of media requests" is no reason to call it naming
        margin = v * (w[best] - (sum(w) - w[best]) / max(1, n - 1))
        if margin > 0:
            pushes.append((margin, name))
    pushes.sort(key=lambda x: (-x[0], x[1]))
    zh: list[str] = []
    en: list[str] = []
    words: list[str] = []
    said: set[str] = set()
    for margin, name in pushes[:12]:
        described = _describe(name, feats)
        kind, _, value = name.partition(":")
        topic = {"ask": "ask:", "subject": "ask:", "main": "ask:", "rule": "rules:", "rulecat": "rules:"}.get(kind, kind + ":") + value.partition("|")[0]
        if described and topic in said:
            continue  # "asks for money" and "the subject asks for money": one reason
        said.add(topic)
        if described and len(zh) < limit:
            zh.append(described[0])
            en.append(described[1])
        elif not described and len(words) < 4 and margin >= 0.02:
            words.append(name.partition(":")[2])
    if words and not zh:  # words only when no reason a steward would name decided it
        quoted_zh = "、".join(f"「{w}」" for w in words)
        quoted_en = ", ".join(f"“{w}”" for w in words)
        zh.append(f"用詞如 {quoted_zh}")
        en.append(f"wording such as {quoted_en}")
    return {"zh-TW": zh, "en": en}


# -- training -----------------------------------------------------------------


GRAM_PREFIXES = ("c:", "w:", "b:")


@dataclass
class TrainOptions:
    epochs: int = 10
    rate: float = 0.2
    l2: float = 1e-2  # per example and pass, towards the prior
    # How much the words (n-grams, a unit vector per request) and the designed
    # features (asks, sender, rules; each about 1) count while fitting: larger
    # trusts them more. Repeated 5-fold and s+d→e agree that trusting the wording
    # well above the designed features (4 : 1 rather than 1 : 1) holds up better on
    # requests nobody tuned anything on; scripts/train_matching.py chooses both.
    gram_scale: float = 4.0
    designed_scale: float = 1.0
    min_df: int = 2  # a word seen in one labelled request only cannot generalise
    seed: int = 13


def train(
    examples: list[tuple[dict[str, float], str]],
    classes: list[str],
    options: TrainOptions | None = None,
    *,
    prior: CategoryModel | None = None,
    weights_of: list[float] | None = None,
) -> CategoryModel:
    """Multinomial logistic regression by AdaGrad; deterministic for the same examples and options.

    `prior`: start from its weights and shrink towards them instead of towards
    zero, so a few of a steward's own labels adjust the shipped model rather
    than replace it. `weights_of`: how much each example counts (default 1).
    """
    opt = options or TrainOptions()
    n = len(classes)
    index = {c: i for i, c in enumerate(classes)}

    def fit_scale(name: str) -> float:
        if name.startswith(GRAM_PREFIXES):
            return opt.gram_scale
        return 1.0 if name == "bias" else opt.designed_scale

    # Features are scaled while fitting and the scale folded into their weights
    # afterwards, so prediction needs no options: w·(s x) = (s w)·x.
    center: dict[str, list[float]] = {}
    if prior is not None:
        remap = [prior.classes.index(c) if c in prior.classes else None for c in classes]
        for name, w in prior.weights.items():
            div = fit_scale(name)
            center[name] = [(w[j] / div if j is not None else 0.0) for j in remap]
    df: dict[str, int] = {}
    for values, _ in examples:
        for name in values:
            df[name] = df.get(name, 0) + 1
    examples = [
        ({k: v * fit_scale(k) for k, v in values.items()
          if df[k] >= opt.min_df or k in center or not k.startswith(GRAM_PREFIXES)}, label)
        for values, label in examples
    ]
    weights: dict[str, list[float]] = {k: list(v) for k, v in center.items()}
    grad_sq: dict[str, list[float]] = {}
    order = list(range(len(examples)))
    rng = random.Random(opt.seed)
    zero = [0.0] * n
    for _ in range(opt.epochs):
        rng.shuffle(order)
        for i in order:
            values, label = examples[i]
            y = index[label]
            scale = weights_of[i] if weights_of else 1.0
            scores = [0.0] * n
            for name, v in values.items():
                w = weights.get(name)
                if w is not None:
                    for c in range(n):
                        scores[c] += w[c] * v
            probs = _softmax(scores)
            probs[y] -= 1.0
            for name, v in values.items():
                w = weights.get(name)
                if w is None:
                    w = weights[name] = [0.0] * n
                    grad_sq[name] = [1e-8] * n
                g2 = grad_sq.setdefault(name, [1e-8] * n)
                mu = center.get(name, zero)
                for c in range(n):
                    g = scale * probs[c] * v + opt.l2 * (w[c] - mu[c])
                    g2[c] += g * g
                    w[c] -= opt.rate * g / math.sqrt(g2[c])
    # Tiny weights change no decision; dropping them keeps the file and the look-ups small.
    kept = {
        k: [x * fit_scale(k) for x in w]
        for k, w in weights.items() if max(abs(x) for x in w) * fit_scale(k) >= 5e-3 or k in center
    }
    meta = {"examples": len(examples), **{k: v for k, v in dataclasses.asdict(opt).items()}}
    return CategoryModel(list(classes), kept, meta)


def example_features(record: dict, entry_kinds: tuple[str, ...] = ()) -> dict[str, float]:
    """Features of one request in the interchange format (a dict)."""
    return features(
        record.get("subject") or "", record.get("body") or "", record.get("organization") or "",
        record.get("from_email") or "", record.get("channel") or "", entry_kinds,
    ).values


# -- where the weights live -------------------------------------------------

SHIPPED = "model.json"
USER_FILE = "category_model.json"
_shipped: CategoryModel | None = None


SHIPPED_WEIGHTS = "model.weights"


def write_shipped(model: CategoryModel, directory: Path, stem: str = "model") -> None:
    """A shipped model as two files: STEM.json (classes, meta, feature names) and
    STEM.weights (float32, little-endian, a row of one weight per class for each
    feature in the order of the names). Reading thousands of floats out of JSON was
    most of what `steward match` spent on loading the model. The category model is
    "model"; the spam detector's wording model (steward.matching.spam) uses another stem."""
    from array import array

    names = sorted(model.weights)
    flat = array("f", (round(x, 3) for name in names for x in model.weights[name]))
    if sys.byteorder == "big":
        flat.byteswap()
    head = {"version": MODEL_VERSION, "classes": model.classes, "meta": model.meta, "features": names}
    (Path(directory) / f"{stem}.json").write_text(
        json.dumps(head, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    (Path(directory) / f"{stem}.weights").write_bytes(flat.tobytes())


def read_shipped(directory: Path, stem: str = "model") -> CategoryModel:
    from array import array

    head = json.loads((Path(directory) / f"{stem}.json").read_text(encoding="utf-8"))
    if not isinstance(head, dict) or head.get("version") != MODEL_VERSION:
        raise ValueError("not a steward category model (or one from another version)")
    classes, names = list(head["classes"]), list(head["features"])
    flat = array("f")
    flat.frombytes((Path(directory) / f"{stem}.weights").read_bytes())
    if sys.byteorder == "big":
        flat.byteswap()
    n = len(classes)
    if len(flat) != n * len(names):
        raise ValueError(f"{stem}.weights does not match {stem}.json")
    values = flat.tolist()  # float32: within 1e-7 of the three decimals written
    weights = {name: values[i * n:(i + 1) * n] for i, name in enumerate(names)}
    return CategoryModel(classes, weights, dict(head.get("meta", {})))


def shipped_model() -> CategoryModel:
    """The model fitted to the labelled samples, read once per process."""
    global _shipped
    if _shipped is None:
        _shipped = read_shipped(Path(__file__).parent)
    return _shipped


def user_model_path(data_dir: Path) -> Path:
    return Path(data_dir) / USER_FILE


def load_model(data_dir: Path | None = None) -> CategoryModel:
    """The user's own model when `steward train` made one and it reads back; else the shipped one."""
    from steward.util.files import read_model_or

    path = user_model_path(data_dir) if data_dir is not None else None
    return read_model_or(path, CategoryModel.from_json, shipped_model)
