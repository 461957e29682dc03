#!/usr/bin/env python3
"""gen_c -- an independent synthetic API-traffic generator for evaluating a distillation detector.

    python3 gen_c.py --seed 31 --out /tmp/foreign/c1

Writes DIR/events.jsonl (api-event v1, sorted by ts), DIR/truth.jsonl, DIR/scenario.json. Stdlib only, and
everything derives from random.Random(seed) and keyed hashes: the same seed gives byte-identical output.
Six hours of a lab's public API from 2026-06-10T08:00Z; orion-2.5-pro goes live at 10:20Z. Tier rpm limits give
429s; the platform's own abuse system bans one campaign's accounts (403). Prompts appear only as a template hash
(skeleton, literals masked) and a 64-bit SimHash modelled as sign(skeleton feature sums + literal feature sums).
"""
from __future__ import annotations

import argparse, calendar, hashlib, heapq, ipaddress, json, math, os, random, uuid  # noqa: E401
from collections import Counter, deque

START = calendar.timegm((2026, 6, 10, 8, 0, 0))
END = START + 6 * 3600
DAY = 86400.0
RELEASE = START + 2 * 3600 + 20 * 60
NEW = "orion-2.5-pro"
OLD = ["orion-2-pro", "orion-2-flash", "orion-2-reason"]
REASONING = {"orion-2-reason", NEW}
MS_PER_TOK = {"orion-2-pro": 16.0, "orion-2-flash": 5.0, "orion-2-reason": 11.0, NEW: 13.0, "orion-1.5-pro": 21.0}
TIER_RPM = {"free": 10, "tier1": 50, "tier2": 500, "tier3": 1000, "tier4": 2000, "tier5": 4000, "enterprise": 10000}
CATS = ["coding", "math", "reasoning", "agentic", "creative", "knowledge", "other"]

def h64(*p) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(map(str, p)).encode(), digest_size=8).digest(), "big")

def hx(*p, n: int = 16) -> str:
    return hashlib.blake2b("\x1f".join(map(str, p)).encode(), digest_size=n // 2).hexdigest()

# Network: real ASNs with plausible prefixes: key asn country kind ipv4-prefix ipv6-prefix
BLOCKS_TXT = """
comcast 7922 US res 73.0.0.0/8 2601::/20 | att 7018 US res 99.0.0.0/10 2600:1700::/28
charter 20115 US res 71.80.0.0/12 2603:8000::/24 | verizon 701 US res 108.28.0.0/14 2600:4040::/28
rogers 812 CA res 99.224.0.0/11 2607:fea8::/32 | dtag 3320 DE res 79.192.0.0/10 2003::/19
vodafone-de 3209 DE res 88.64.0.0/12 2a02:8100::/27 | bt 2856 GB res 86.128.0.0/10 2a00:23c0::/27
virgin 5089 GB res 82.0.0.0/11 - | orange-fr 3215 FR res 90.0.0.0/9 2a01:cb00::/24
free-fr 12322 FR res 82.64.0.0/14 2a01:e00::/26 | movistar 3352 ES res 83.32.0.0/11 -
jio 55836 IN res 49.36.0.0/14 2409:4000::/22 | airtel 24560 IN res 122.160.0.0/12 -
ocn 4713 JP res 153.128.0.0/9 - | kt 4766 KR res 121.128.0.0/10 - | vivo 26599 BR res 177.32.0.0/11 -
chinanet 4134 CN res 116.224.0.0/12 - | unicom 4837 CN res 123.112.0.0/12 - | viettel 7552 VN res 27.64.0.0/12 -
telkom-id 7713 ID res 36.64.0.0/11 - | beeline 8402 RU res 95.24.0.0/13 -
turktelekom 9121 TR res 78.160.0.0/11 - | tmobile-us 21928 US mob 172.56.0.0/13 2607:fb90::/28
vzw 6167 US mob 174.192.0.0/10 2600:1000::/28 | vodafone-mob 3209 DE mob 46.114.0.0/15 -
ee 12576 GB mob 92.40.0.0/13 - | jio-mob 55836 IN mob 49.32.0.0/14 2409:4040::/26
airtel-mob 45609 IN mob 106.192.0.0/11 - | telkomsel 23693 ID mob 114.124.0.0/14 -
tim-br 26615 BR mob 177.26.0.0/15 - | softbank-mob 17676 JP mob 126.0.0.0/8 -
aws-use1 16509 US cloud 3.80.0.0/12 2600:1f18::/33 | aws-usw2 16509 US cloud 44.224.0.0/11 2600:1f14::/35
aws-euc1 16509 DE cloud 3.120.0.0/14 2a05:d014::/36 | aws-apse1 16509 SG cloud 13.212.0.0/15 -
gcp-usc1 396982 US cloud 34.16.0.0/12 - | gcp-euw4 396982 NL cloud 34.90.0.0/15 -
azure-use 8075 US cloud 20.42.0.0/15 - | azure-usw 8075 US cloud 13.64.0.0/11 -
azure-euw 8075 NL cloud 20.50.0.0/16 - | hetzner-de 24940 DE cloud 88.198.0.0/16 2a01:4f8::/29
hetzner-fi 24940 FI cloud 65.108.0.0/15 2a01:4f9::/32 | ovh 16276 FR cloud 51.75.0.0/16 2001:41d0::/32
do-nyc 14061 US cloud 159.89.0.0/16 2604:a880::/32 | linode 63949 US cloud 172.104.0.0/15 -
fly 40509 US cloud 66.241.124.0/22 2a09:8280::/32 | alibaba-sg 45102 SG cloud 47.74.0.0/15 -
alibaba-hk 45102 HK cloud 47.242.0.0/15 - | tencent-hk 132203 HK cloud 43.128.0.0/14 -
ucloud-hk 135377 HK cloud 152.32.128.0/17 - | vultr 20473 US cloud 45.32.0.0/15 2001:19f0::/32
m247-nl 9009 NL vpn 37.120.192.0/19 - | m247-us 9009 US vpn 146.70.0.0/16 -
datacamp 60068 GB vpn 89.187.160.0/19 - | datacamp-us 60068 US vpn 143.244.32.0/19 -
leaseweb 60781 NL vpn 85.17.0.0/16 - | stanford 32 US uni 171.64.0.0/14 2607:f6d0::/32
berkeley 25 US uni 128.32.0.0/16 2607:f140::/32 | eth 559 CH uni 129.132.0.0/16 2001:67c:10ec::/48
tsinghua 4538 CN uni 166.111.0.0/16 - | utokyo 2907 JP uni 133.11.0.0/16 -
comcast-biz 7922 US biz 50.200.0.0/13 - | lumen 3356 US biz 4.0.0.0/9 - | cogent 174 US biz 38.96.0.0/13 -
dtag-biz 3320 DE biz 217.0.0.0/13 - | colt 8220 GB biz 212.36.160.0/19 - | init7 13030 CH biz 82.197.160.0/19 -
"""
BLOCKS = [(k, int(asn), cc, kind, v4, None if v6 == "-" else v6) for k, asn, cc, kind, v4, v6 in
          (e.split() for e in BLOCKS_TXT.replace("\n", " | ").split(" | ") if e.strip())]
B = {b[0]: b for b in BLOCKS}
UNI_LABS = {"eth": (2, 10.25, 13.5), "tsinghua": (8, 16.0, 19.0), "utokyo": (9, 17.0, 19.5)}  # tz, lab sessions (local h)
# region: tz offset (June), residential, mobile, office blocks, population weight
REGIONS = {
    "us-east": (-4, ["comcast", "verizon", "att", "charter"], ["tmobile-us", "vzw"], ["comcast-biz", "lumen", "cogent"], 12),
    "us-west": (-7, ["comcast", "att", "charter"], ["tmobile-us", "vzw"], ["comcast-biz", "lumen"], 9),
    "ca": (-4, ["rogers"], ["tmobile-us"], ["cogent"], 2),
    "de": (2, ["dtag", "vodafone-de"], ["vodafone-mob"], ["dtag-biz"], 9),
    "gb": (1, ["bt", "virgin"], ["ee"], ["colt"], 8),
    "fr": (2, ["orange-fr", "free-fr"], ["orange-fr"], ["colt"], 5),
    "es": (2, ["movistar"], ["vodafone-mob"], ["colt"], 3),
    "ch": (2, ["init7"], ["vodafone-mob"], ["init7"], 1),
    "in": (5.5, ["jio", "airtel"], ["jio-mob", "airtel-mob"], ["airtel"], 10),
    "jp": (9, ["ocn"], ["softbank-mob"], ["ocn"], 5),
    "kr": (9, ["kt"], ["kt"], ["kt"], 4),
    "br": (-3, ["vivo"], ["tim-br"], ["vivo"], 4),
    "id": (7, ["telkom-id"], ["telkomsel"], ["telkom-id"], 3),
    "vn": (7, ["viettel"], ["viettel"], ["viettel"], 2),
    "tr": (3, ["turktelekom"], ["turktelekom"], ["turktelekom"], 2),
}
RKEYS = list(REGIONS)
RW = [REGIONS[k][4] for k in RKEYS]
REGION_LANG = {"de": "de", "fr": "fr", "es": "es", "jp": "ja", "kr": "ko", "br": "pt", "id": "id",
               "vn": "vi", "tr": "tr", "in": "hi"}
_NETS: dict[str, object] = {}

def _net(p):
    return _NETS.get(p) or _NETS.setdefault(p, ipaddress.ip_network(p))

def loc(rng, key, v6=False):
    """(ip, asn, country) of a random host in a block; IPv6 when asked and the block has a v6 prefix"""
    b = B[key]
    n = _net(b[5] if v6 and b[5] else b[4])
    a = int(n.network_address) + rng.randrange(n.num_addresses)
    if n.version == 4 and a & 255 in (0, 255):
        a ^= 1 + rng.randrange(250)
    return (str(ipaddress.ip_address(a) if n.version == 4 else ipaddress.IPv6Address(a)), b[1], b[2])

def subnet24(rng, key):
    """a /24 inside a block; returns a function drawing hosts from it"""
    n = _net(B[key][4])
    base = (int(n.network_address) + rng.randrange(n.num_addresses)) & ~255
    return lambda r: (str(ipaddress.IPv4Address(base + 2 + r.randrange(250))), B[key][1], B[key][2])

# Clients: SDK user agents and JA4 TLS fingerprints of their TLS stacks
JA4_KNOWN = {"chrome": "t13d1516h2_8daaf6152771_02713d6af862"}
JA4_HEAD = {"firefox": "t13d1715h2", "safari": "t13d2014h2", "py-ossl3": "t13d4907h1", "py-ossl11": "t13d4305h1",
            "py-h2": "t13d4908h2", "node": "t13d1712h2", "go": "t13d1311h2", "curl": "t13d3112h2",
            "okhttp": "t13d1613h2", "ios": "t13d2014h2", "java": "t13d2311h2", "dotnet": "t12d1209h2"}

def ja4(stack):
    return JA4_KNOWN.get(stack) or f"{JA4_HEAD[stack]}_{hx('ja4c', stack, n=12)}_{hx('ja4e', stack, n=12)}"

def client(rng, kind):
    v = rng.randint
    py = "py-ossl3" if rng.random() < 0.8 else "py-ossl11"
    ua, st = {
        "anth-py": (f"Anthropic/Python 0.{v(40, 57)}.{v(0, 3)}", py),
        "anth-js": (f"Anthropic/JS 0.{v(33, 52)}.{v(0, 4)}", "node"),
        "oai-py": (f"OpenAI/Python 1.{v(50, 92)}.{v(0, 5)}", py),
        "oai-js": (f"OpenAI/JS 4.{v(70, 99)}.{v(0, 4)}", "node"),
        "curl": (f"curl/8.{v(4, 12)}.{v(0, 1)}", "curl"),
        "requests": (f"python-requests/2.{v(28, 32)}.{v(0, 3)}", py),
        "httpx": (f"python-httpx/0.{v(25, 28)}.{v(0, 2)}", py),
        "aiohttp": (f"Python/3.{v(10, 12)} aiohttp/3.{v(9, 11)}.{v(0, 5)}", py),
        "go": ("Go-http-client/2.0", "go"),
        "java": (f"Java-http-client/{v(17, 21)}.0.{v(1, 9)}", "java"),
        "dotnet": (f"Anthropic.SDK/{v(3, 5)}.{v(0, 9)}.0 .NET/8.0", "dotnet"),
        "litellm": (f"litellm/1.{v(50, 72)}.{v(0, 9)}", py),
        "langchain": (f"langchain-anthropic/0.3.{v(0, 12)} Anthropic/Python 0.{v(45, 55)}.0", py),
        "llamaindex": (f"llama-index-llms-anthropic/0.6.{v(0, 9)} Anthropic/Python 0.{v(45, 55)}.0", py),
        "okhttp": (f"okhttp/4.{v(9, 12)}.0", "okhttp"),
        "ios": (f"ChatPad/{v(2, 4)}.{v(0, 9)} CFNetwork/1568.{v(100, 300)}.1 Darwin/24.{v(0, 5)}.0", "ios"),
        "browser": (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/1{v(35, 38)}.0.0.0 Safari/537.36", "chrome"),
    }[kind]
    return ua, ja4(st)

DEV_CLIENTS = ["anth-py", "anth-js", "oai-py", "oai-js", "curl", "requests", "httpx", "go", "java", "dotnet", "browser"]
DEV_CW = [30, 14, 18, 9, 6, 5, 5, 4, 3, 2, 4]

# Prompts
_FP: dict = {}

class Skel:
    """A prompt skeleton. Same skeleton -> same template; items are the literals filled in."""
    __slots__ = ("name", "tpl", "base", "cat", "lang", "cot", "rubric", "sys", "lo", "hi", "lit", "comp", "free")

    def __init__(self, name, cat, lang="en", cot=False, rubric=False, sys=None, chars=(200, 1200), lit=0.3,
                 comp=350, free=False):
        self.name, self.cat, self.lang, self.cot, self.rubric, self.sys = name, cat, lang, cot, rubric, sys
        self.tpl = hx("tpl", name)
        self.lo, self.hi, self.lit, self.comp, self.free = chars[0], chars[1], lit, comp, free
        r = random.Random(h64("base", name))
        self.base = None if free else [r.gauss(0, 1) for _ in range(64)]

    def template(self, item):
        return hx("tpl", self.name, item) if self.free else self.tpl

    def fp(self, item):
        if self.free:
            return hx("fp", self.name, item)
        k = (self.tpl, item)
        c = _FP.get(k)
        if c is None:  # SimHash bit i = sign(skeleton features + literal features)
            r = random.Random(h64("lit", self.tpl, item))
            c = _FP[k] = f"{sum(1 << i for i, b in enumerate(self.base) if b + r.gauss(0, self.lit) > 0):016x}"
        return c

    def chars(self, item):
        return self.lo + h64("len", self.name, item) % (self.hi - self.lo + 1)

SYS_DEFAULT = hx("sys", "You are a helpful assistant.")
FRAMEWORKS = {  # framework default prompts that thousands of apps ship unchanged
    "langchain-react": Skel("fw:langchain:react-agent", "agentic", sys=hx("sys", "lc-react"), chars=(1500, 5000), lit=1.4, comp=220),
    "langchain-stuff": Skel("fw:langchain:stuff-qa", "knowledge", sys=SYS_DEFAULT, chars=(2000, 9000), lit=1.6, comp=260),
    "llamaindex-qa": Skel("fw:llamaindex:text-qa", "knowledge", sys=hx("sys", "li-qa"), chars=(2000, 8000), lit=1.6, comp=240),
    "llamaindex-refine": Skel("fw:llamaindex:refine", "knowledge", sys=hx("sys", "li-qa"), chars=(2500, 9000), lit=1.5, comp=300),
    "crewai": Skel("fw:crewai:agent", "agentic", sys=hx("sys", "crewai"), chars=(1200, 4000), lit=1.2, comp=400),
    "dspy-cot": Skel("fw:dspy:chain-of-thought", "reasoning", cot=True, chars=(600, 3000), lit=1.3, comp=350),
    "autogen": Skel("fw:autogen:assistant", "coding", sys=hx("sys", "autogen"), chars=(800, 4000), lit=1.3, comp=500),
}
FW_KEYS = list(FRAMEWORKS)
FW_CLIENT = {"langchain-react": "langchain", "langchain-stuff": "langchain", "llamaindex-qa": "llamaindex",
             "llamaindex-refine": "llamaindex", "crewai": "litellm", "dspy-cot": "litellm", "autogen": "oai-py"}
COMMON = [Skel("common:translate", "other", chars=(100, 1500), lit=1.0, comp=250),
          Skel("common:summarize", "knowledge", chars=(800, 6000), lit=1.5, comp=300),
          Skel("common:fix-bug", "coding", chars=(300, 4000), lit=1.5, comp=600),
          Skel("common:unit-tests", "coding", chars=(400, 4000), lit=1.5, comp=900),
          Skel("common:sql", "coding", chars=(150, 800), lit=1.0, comp=200),
          Skel("common:explain-step", "reasoning", cot=True, chars=(100, 800), lit=1.0, comp=600)]
BENCH = {"gsm8k": (1319, "math", True, 400), "math500": (500, "math", True, 900), "humaneval": (164, "coding", False, 300),
         "mbpp": (500, "coding", False, 250), "mmlu": (14042, "knowledge", False, 5), "gpqa": (198, "reasoning", True, 1200),
         "bbh": (6511, "reasoning", True, 500), "arc": (1172, "reasoning", False, 60), "ifeval": (541, "other", False, 450),
         "lcb": (400, "coding", True, 1500), "mgsm": (250, "math", True, 500)}
MGSM_LANGS = ["bn", "de", "es", "fr", "ja", "ru", "sw", "te", "th", "zh"]
_BS: dict = {}

def bench_skel(fam, b, lang="en"):
    k = (fam, b, lang)
    if k not in _BS:  # the same harness sends byte-identical prompts for the same item, whoever runs it
        _BS[k] = Skel(f"bench:{fam}:{b}:{lang}", BENCH[b][1], lang, cot=BENCH[b][2], chars=(200, 2400), lit=1.3, comp=BENCH[b][3])
    return _BS[k]

def pick_cat(rng, w):
    return rng.choices(CATS, weights=w)[0]

DEV_CAT_W = [40, 6, 6, 6, 10, 18, 14]

def own_skels(rng, owner, k, catw=DEV_CAT_W, lang="en", lit=0.6, sys_p=0.5, cot_p=0.08):
    """an owner's own prompt shapes (an app's prompts, a developer's habits)"""
    return [Skel(f"{owner}:s{i}", pick_cat(rng, catw), lang, cot=rng.random() < cot_p, rubric=rng.random() < 0.02,
                 sys=hx("sys", owner, i) if rng.random() < sys_p else None,
                 chars=(rng.randint(80, 600), rng.randint(700, 6000)), lit=lit, comp=rng.randint(120, 900)) for i in range(k)]

def free_skels(owner, lang="en"):
    return {c: Skel(f"{owner}:free:{c}", c, lang, cot=False, chars=(40, 3000), comp=400, free=True) for c in CATS}

# Time
HUMAN = [.03, .02, .02, .02, .03, .05, .1, .25, .55, .85, 1, 1, .8, .9, 1, .95, .85, .65, .5, .45, .4, .3, .15, .07]
APP = [.35, .3, .28, .27, .3, .38, .5, .65, .8, .9, .95, 1, 1, 1, 1, .98, .95, .9, .88, .85, .8, .7, .55, .42]

def diurnal(curve, tz):
    def w(t):
        h = (t / 3600.0 + tz) % 24
        i, f = int(h), h % 1
        return curve[i] * (1 - f) + curve[(i + 1) % 24] * f
    return w

def poisson(rng, t0, t1, rate, w=None, wmax=1.0):
    """inhomogeneous Poisson process (rate per second at weight 1) by thinning"""
    out, t, lam = [], t0, rate * wmax
    while lam > 0:
        t += rng.expovariate(lam)
        if t >= t1:
            return out
        if w is None or rng.random() * wmax < w(t):
            out.append(t)
    return out

def sessions(rng, t0, t1, per_hour, w, n_mean, gap):
    """human work sessions: a few requests separated by reading/thinking time"""
    out = []
    for s in poisson(rng, t0, t1, per_hour / 3600.0, w):
        t = s
        for _ in range(1 + int(rng.expovariate(1.0 / max(n_mean - 1, 0.1)))):
            out.append(t)
            t += rng.lognormvariate(math.log(gap), 0.8)
    return out

class World:
    def __init__(self, seed):
        self.seed, self.rng, self.ncard = seed, random.Random(seed), 0
        self.accounts: list[Acct] = []
        self.used: set[str] = set()
        self.pools: dict = {}

    def ident(self, prefix, n):
        s = prefix + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))
        return self.ident(prefix, n) if s in self.used else self.used.add(s) or s

    def card(self):  # a payment fingerprint, as hashed by the gateway
        self.ncard += 1
        return "pmfp_" + hx(self.seed, "card", self.ncard, n=24)

    def org(self): return self.ident("org_", 18)  # noqa: E704

    def pool(self, name, n, keys, weights=None, v6=0.0):
        """a named shared IP pool (proxy exits, CGNAT egress, VPN exits)"""
        if name not in self.pools:
            r = random.Random(h64(self.seed, "pool", name))
            self.pools[name] = [loc(r, r.choices(keys, weights=weights)[0], r.random() < v6) for _ in range(n)]
        return self.pools[name]

class Acct:
    def __init__(self, W, persona, camp=None, *, tier, age=None, created=None, verified=True, card=None, org=None,
                 nkeys=1, retry="backoff"):
        self.W, self.persona, self.camp = W, persona, camp
        self.id = W.ident("acct_", 20)
        self.org = org if org is not None else W.org()
        self.keys = [W.ident("key_", 16) for _ in range(nkeys)]
        self.rng = random.Random(h64(W.seed, "acct", self.id))
        self.created = round(created if created is not None else START - age * DAY - self.rng.random() * 7200, 1)
        self.tier, self.verified, self.card, self.retry = tier, verified, card, retry
        self.att: list = []
        self.ep, self.params, self.cli, self.ban, self.loc = "/v1/messages", {}, None, None, None
        W.accounts.append(self)

    def add(self, t, sk, item, model, *, ep=None, params=None, where=None, cli=None, key=None, ctok=None):
        if START <= t < END:
            self.att.append((t, len(self.att), sk, item, model, ep or self.ep,
                             self.params if params is None else params, where or self.loc(t), cli or self.cli,
                             key or self.keys[0], ctok))

def pick(rng, ips):
    return lambda t: rng.choice(ips)

def sticky(rng, pool, lo, hi):
    """proxy exit that changes every lo..hi requests"""
    st = {"left": 0, "cur": None}
    def f(t):  # noqa: E306
        if st["left"] <= 0:
            st["cur"], st["left"] = rng.choice(pool), rng.randint(lo, hi)
        st["left"] -= 1
        return st["cur"]
    return f

def home(rng, region, v6p=0.45):
    key = rng.choice(REGIONS[region][1])
    v4 = loc(rng, key)
    v6 = loc(rng, key, True) if B[key][5] and rng.random() < v6p else None
    return lambda t: v6 if v6 and rng.random() < 0.85 else v4

def model_mix(rng, t, pre, post, switch):
    """choose a model from a weight dict; after `switch` use `post` weights"""
    w = post if (switch is not None and t >= switch) else pre
    return rng.choices(list(w), weights=list(w.values()))[0]

DEV_MODELS = {"orion-2-pro": 55, "orion-2-flash": 30, "orion-2-reason": 12, "orion-1.5-pro": 3}
DEV_MODELS_NEW = {"orion-2-pro": 40, "orion-2-flash": 28, "orion-2-reason": 10, NEW: 22}

def dev_params(rng):
    p = {"max_tokens": rng.choice([1024, 2048, 4096, 8192]), "stream": rng.random() < 0.5}
    return {**p, "temperature": rng.choice([0.0, 0.2, 0.5, 0.7, 1.0])} if rng.random() < 0.5 else p

# Legitimate personas
def age_mix(rng, new_p=0.08):
    return rng.uniform(0.2, 9) if rng.random() < new_p else rng.uniform(30, 900)

def developers(W, n):
    for _ in range(n):
        r = W.rng
        age = age_mix(r, 0.12)
        tier = "free" if age < 10 and r.random() < 0.6 else r.choices(["free", "tier1", "tier2", "tier3"], [10, 45, 30, 15])[0]
        a = Acct(W, "developer", tier=tier, age=age, verified=age > 10 or r.random() < 0.5,
                 card=None if tier == "free" and r.random() < 0.7 else W.card(), nkeys=r.choice([1, 1, 1, 2]))
        reg = r.choices(RKEYS, RW)[0]
        a.loc, a.cli = home(a.rng, reg), client(a.rng, r.choices(DEV_CLIENTS, DEV_CW)[0])
        lang = REGION_LANG.get(reg, "en") if a.rng.random() < 0.35 else "en"
        sk, fr = own_skels(a.rng, a.id, a.rng.randint(2, 6), lang=lang), free_skels(a.id, lang)
        a.params = dev_params(a.rng)
        sw = RELEASE + a.rng.uniform(600, 20000)
        for t in sessions(a.rng, START, END, a.rng.uniform(0.5, 2.5), diurnal(HUMAN, REGIONS[reg][0]), 8, 40):
            x = a.rng.random()
            s = a.rng.choice(sk) if x < 0.45 else a.rng.choice(COMMON) if x < 0.55 else fr[pick_cat(a.rng, DEV_CAT_W)]
            a.add(t, s, a.rng.getrandbits(40), model_mix(a.rng, t, DEV_MODELS, DEV_MODELS_NEW, sw),
                  key=a.rng.choice(a.keys))

def small_apps(W, n):
    for _ in range(n):
        r = W.rng
        a = Acct(W, "small_app", tier=r.choice(["tier1", "tier2", "tier2", "tier3"]), age=r.uniform(20, 800),
                 verified=True, card=W.card())
        cloud = r.choice(["aws-use1", "aws-usw2", "aws-euc1", "gcp-usc1", "gcp-euw4", "do-nyc", "fly", "hetzner-de", "vultr"])
        ips = [loc(a.rng, cloud, a.rng.random() < 0.2) for _ in range(a.rng.randint(1, 3))]
        a.loc, a.cli = pick(a.rng, ips), client(a.rng, r.choice(["anth-py", "anth-js", "oai-py", "oai-js", "go", "java"]))
        sk = own_skels(a.rng, a.id, a.rng.randint(1, 4), lit=0.9, sys_p=0.9)
        m = a.rng.choice(["orion-2-pro", "orion-2-flash", "orion-2-flash"])
        a.params = dev_params(a.rng)
        rate = a.rng.lognormvariate(math.log(0.5), 0.9) / 60
        for t in poisson(a.rng, START, END, rate, diurnal(APP, r.choice([-5, -7, 1, 2, 5.5, 8]))):
            a.add(t, a.rng.choice(sk), a.rng.getrandbits(40), m)

def batch_etl(W, n):
    for i in range(n + 1):
        r = W.rng
        over = i == 0  # a startup backfill job running above its plan: 429s and backoff
        a = Acct(W, "batch_etl", tier="tier1" if over else r.choice(["tier3", "tier4", "tier4"]), age=r.uniform(60, 900),
                 card=W.card(), verified=True)
        cloud = r.choice(["aws-use1", "aws-euc1", "gcp-usc1", "azure-use"])
        ips = [loc(a.rng, cloud) for _ in range(a.rng.randint(1, 2))]
        a.loc, a.cli = pick(a.rng, ips), client(a.rng, r.choice(["anth-py", "oai-py", "requests", "java"]))
        s = Skel(f"{a.id}:etl", r.choice(["other", "knowledge", "other"]), sys=hx("sys", a.id), chars=(1500, 12000), lit=1.4,
                 comp=a.rng.randint(150, 500))
        a.params = {"max_tokens": 1024, "temperature": 0.0, "stream": False}
        t0 = START + a.rng.uniform(0, 3 * 3600)
        rate = 62 if over else a.rng.uniform(14, 32)
        for t in poisson(a.rng, t0, t0 + a.rng.uniform(0.7, 2.2) * 3600, rate / 60):
            a.add(t, s, a.rng.getrandbits(40), "orion-2-flash")
        if i == 1:
            migration(W, a, s, ips, t0)

def migration(W, old, s, ips, t0):
    """workload moved to a freshly created account mid-window: old key stops, new one runs at full speed"""
    cut = START + 4.2 * 3600
    old.att = [x for x in old.att if x[0] < cut]
    old.persona = "batch_migrating"
    a = Acct(W, "batch_migrated", tier="tier3", created=cut - 2400, card=old.card, org=old.org, verified=True)
    a.loc, a.cli, a.params = old.loc, old.cli, old.params
    for t in poisson(a.rng, cut + 200, END, 30 / 60):
        a.add(t, s, a.rng.getrandbits(40), "orion-2-flash")

def eval_harnesses(W, n):
    fams = ["lm-eval", "simple-evals", "helm", "inspect"]
    for i in range(n):
        r = W.rng
        fam = fams[i % 4]
        uni = i == 3
        a = Acct(W, "eval_harness", tier="tier1" if uni else r.choice(["tier4", "tier5", "enterprise"]),
                 age=r.uniform(40, 700), card=W.card(), verified=True, nkeys=2)
        key = r.choice(["stanford", "berkeley", "eth", "utokyo"]) if uni else r.choice(["gcp-usc1", "aws-usw2", "azure-use", "gcp-euw4"])
        ips = [loc(a.rng, key, a.rng.random() < 0.3) for _ in range(a.rng.randint(1, 4))]
        a.loc = pick(a.rng, ips)
        a.cli = client(a.rng, {"lm-eval": "oai-py", "simple-evals": "oai-py", "helm": "requests", "inspect": "anth-py"}[fam])
        runs = [(START + a.rng.uniform(0, 2 * 3600), a.rng.choice(OLD)) for _ in range(a.rng.randint(1, 2))]
        t = RELEASE + a.rng.uniform(300, 3000)
        for _ in range(a.rng.randint(3, 6)):  # release day: run the suites on the new model, some baselines
            runs.append((t, NEW if a.rng.random() < 0.75 else a.rng.choice(OLD)))
            t += a.rng.uniform(600, 2400)
        for t0, model in runs:
            b = a.rng.choice(["gsm8k", "math500", "humaneval", "mbpp", "mmlu", "gpqa", "bbh", "arc", "ifeval", "lcb", "mgsm"])
            rpm = 120 if uni else a.rng.choice([60, 120, 240, 400])
            size = BENCH[b][0]
            items = a.rng.sample(range(size), min(size, a.rng.randint(150, 450)))
            logp = b in ("mmlu", "arc") and fam in ("lm-eval", "helm")
            p = {"temperature": 0.0, "max_tokens": 1, "logprobs": True, "top_logprobs": 5} if logp else {"temperature": 0.0, "max_tokens": 4096}
            ep = "/v1/completions" if logp else "/v1/chat/completions" if fam != "inspect" else "/v1/messages"
            t = t0
            for it in items:
                lang = a.rng.choice(MGSM_LANGS) if b == "mgsm" else "en"
                a.add(t, bench_skel(fam, b, lang), it, model, ep=ep, params=p, ctok=1 if logp else None,
                      key=a.keys[1] if model == NEW else a.keys[0])
                t += a.rng.expovariate(rpm / 60)

def ci_runners(W, n):
    for _ in range(n):
        r = W.rng
        a = Acct(W, "ci_runner", tier=r.choice(["tier2", "tier3"]), age=r.uniform(60, 800), card=W.card(), verified=True)
        cloud = r.choice([["azure-use", "azure-usw", "azure-euw"], ["gcp-usc1"], ["aws-use1", "aws-usw2"]])
        a.cli = client(a.rng, r.choice(["anth-py", "anth-js", "oai-py"]))
        fx = own_skels(a.rng, a.id + ":fixtures", a.rng.randint(2, 4), lit=0.8)
        k = a.rng.randint(8, 30)
        models = a.rng.sample(OLD, a.rng.randint(1, 2))
        a.params = {"temperature": 0.0, "max_tokens": 512}
        tz = r.choice([-4, -7, 1, 2, 5.5])
        for t0 in poisson(a.rng, START, END, a.rng.uniform(1.5, 5) / 3600, diurnal(HUMAN, tz)):
            runner = loc(a.rng, a.rng.choice(cloud))  # fresh ephemeral runner, fresh IP
            t = t0
            for m in models + ([NEW] if t0 > RELEASE + 3600 and a.rng.random() < 0.5 else []):
                for j in range(k):
                    a.add(t, fx[j % len(fx)], j, m, where=runner)
                    t += a.rng.uniform(0.8, 4)

def routers(W, n):
    for i in range(n):
        r = W.rng
        a = Acct(W, "api_router", tier="enterprise", age=r.uniform(200, 900), card=W.card(), verified=True, nkeys=3)
        cloud = r.choice(["aws-use1", "gcp-usc1", "aws-euc1", "fly"])
        ips = [loc(a.rng, cloud, a.rng.random() < 0.3) for _ in range(a.rng.randint(2, 4))]
        a.loc = pick(a.rng, ips)
        a.cli = (f"relaygate/{a.rng.randint(2, 4)}.{a.rng.randint(0, 20)}.0", ja4("go")) if i % 2 else client(a.rng, "litellm")
        fr = {lg: free_skels(a.id, lg) for lg in ["en", "en", "en", "zh", "es", "de", "ja", "pt", "fr", "ko"]}
        sw = RELEASE + a.rng.uniform(300, 2400)
        rate = a.rng.uniform(9, 18) / 60
        for t in poisson(a.rng, START, END, rate, diurnal(APP, 3)):
            x = a.rng.random()
            lang = a.rng.choice(list(fr))
            s = (FRAMEWORKS[a.rng.choice(FW_KEYS)] if x < 0.2 else a.rng.choice(COMMON) if x < 0.3
                 else fr[lang][pick_cat(a.rng, [30, 8, 8, 10, 14, 18, 12])])
            a.add(t, s, a.rng.getrandbits(48), model_mix(a.rng, t, DEV_MODELS, {**DEV_MODELS_NEW, NEW: 35}, sw),
                  params=dev_params(a.rng), key=a.rng.choice(a.keys))

def synthetic_data(W, n):
    for _ in range(n):
        r = W.rng
        a = Acct(W, "synthetic_data", tier="enterprise", age=r.uniform(120, 700), card=W.card(), verified=True, nkeys=2)
        ips = [loc(a.rng, r.choice(["aws-use1", "gcp-usc1"])) for _ in range(2)]
        a.loc, a.cli = pick(a.rng, ips), client(a.rng, r.choice(["oai-py", "anth-py", "httpx"]))
        sys = hx("sys", a.id, "datagen")
        sk = [Skel(f"{a.id}:gen-code", "coding", sys=sys, chars=(400, 900), lit=0.3, comp=900),
              Skel(f"{a.id}:gen-math-solution", "math", cot=True, sys=sys, chars=(300, 700), lit=0.3, comp=900),
              Skel(f"{a.id}:gen-dialogue", "creative", sys=sys, chars=(400, 1200), lit=0.35, comp=1100),
              Skel(f"{a.id}:paraphrase", "other", sys=sys, chars=(800, 3000), lit=1.2, comp=600),
              Skel(f"{a.id}:judge", "reasoning", rubric=True, sys=hx("sys", a.id, "judge"), chars=(1500, 5000), lit=1.0, comp=250),
              Skel(f"{a.id}:gen-qa", "knowledge", sys=sys, chars=(300, 800), lit=0.3, comp=500),
              Skel(f"{a.id}:tool-trace", "agentic", sys=sys, chars=(900, 2500), lit=0.4, comp=800)]
        w = [a.rng.randint(1, 10) for _ in sk]
        a.params = {"temperature": 1.0, "max_tokens": 4096}
        sw = RELEASE + a.rng.uniform(3600, 10000)
        for t in poisson(a.rng, START, END, a.rng.uniform(10, 20) / 60):
            s = a.rng.choices(sk, w)[0]
            a.add(t, s, a.rng.getrandbits(32), model_mix(a.rng, t, {"orion-2-pro": 6, "orion-2-reason": 4},
                                                          {"orion-2-pro": 5, "orion-2-reason": 3, NEW: 2}, sw),
                  params={**a.params, "tools": 3} if s.cat == "agentic" else None, key=a.rng.choice(a.keys))

def company_teams(W, n):
    for _ in range(n):
        r = W.rng
        reg = r.choice(["us-east", "de", "gb", "in", "fr", "jp"])
        tz, _, _, biz, _ = REGIONS[reg]
        office, org, card = subnet24(r, r.choice(biz)), W.org(), W.card()
        nat = [office(r) for _ in range(r.randint(1, 3))]
        tool = Skel(f"{org}:copilot", "coding", sys=hx("sys", org, "tool"), chars=(600, 6000), lit=1.0, comp=700)
        tool_cli = (f"{org[4:9]}-copilot/1.{r.randint(0, 9)}", ja4("node"))
        for _ in range(r.randint(4, 14)):
            a = Acct(W, "company_team", tier=r.choice(["tier2", "tier3", "tier4"]), age=r.uniform(5, 600), card=card,
                     org=org, verified=True)
            h = home(a.rng, reg)
            a.loc = lambda t, h=h, g=a.rng, nat=nat: h(t) if g.random() < 0.2 else g.choice(nat)
            a.cli, a.params = client(a.rng, a.rng.choice(["anth-py", "anth-js", "oai-py", "browser"])), dev_params(a.rng)
            sk = own_skels(a.rng, a.id, 3)
            for t in sessions(a.rng, START, END, a.rng.uniform(0.6, 2.0), diurnal(HUMAN, tz), 9, 35):
                if a.rng.random() < 0.4:
                    a.add(t, tool, a.rng.getrandbits(40), "orion-2-pro", cli=tool_cli)
                else:
                    a.add(t, a.rng.choice(sk), a.rng.getrandbits(40), model_mix(a.rng, t, DEV_MODELS, DEV_MODELS_NEW, RELEASE + 5400))

def students(W, n):
    r = W.rng
    uni = r.choice(list(UNI_LABS))
    tz = UNI_LABS[uni][0]
    nat = [loc(r, uni) for _ in range(r.randint(2, 4))]
    cli = (f"Anthropic/Python 0.{r.randint(45, 55)}.0", ja4("py-ossl3"))  # version pinned by the course
    hw = [Skel(f"course:{uni}:hw{i}", c, cot=c == "reasoning", sys=hx("sys", uni, "course"), chars=(500, 2500), lit=0.5, comp=500)
          for i, c in enumerate(["coding", "coding", "reasoning"])]
    labs = [START + ((h - tz - 8) % 24) * 3600 + r.uniform(0, 600) for h in UNI_LABS[uni][1:]]  # everyone starts together
    for _ in range(n):
        a = Acct(W, "student", tier="free" if r.random() < 0.8 else "tier1", age=r.uniform(0.3, 6), verified=r.random() < 0.5,
                 card=W.card() if r.random() < 0.2 else None, retry="backoff")
        v6 = loc(a.rng, uni, True) if B[uni][5] else None
        a.loc = lambda t, v6=v6, g=a.rng: v6 if v6 and g.random() < 0.5 else g.choice(nat)
        a.cli, a.params = cli, {"max_tokens": 2048}
        own = own_skels(a.rng, a.id, 2)
        ts = sessions(a.rng, START, END, 0.3, diurnal(HUMAN, tz), 5, 60)
        for lab in labs:
            if a.rng.random() < 0.8:
                ts += [lab + a.rng.uniform(0, 5400) for _ in range(a.rng.randint(5, 25))]
            if a.rng.random() < 0.12:  # grading script looped over all test cases: hits the free-tier limit
                t0 = lab + a.rng.uniform(600, 5000)
                ts += [t0 + j * a.rng.uniform(1.5, 4) for j in range(a.rng.randint(20, 40))]
        for t in ts:
            a.add(t, a.rng.choice(hw) if a.rng.random() < 0.7 else a.rng.choice(own), a.rng.getrandbits(32),
                  "orion-2-flash" if a.rng.random() < 0.7 else "orion-2-pro")

def framework_users(W, n):
    for _ in range(n):
        r = W.rng
        a = Acct(W, "framework_user", tier=r.choice(["free", "tier1", "tier1", "tier2"]), age=age_mix(r, 0.15),
                 card=W.card(), verified=r.random() < 0.9)
        fw = r.choice(FW_KEYS)
        reg = r.choices(RKEYS, RW)[0]
        if r.random() < 0.5:
            a.loc = home(a.rng, reg)
        else:
            ip = loc(a.rng, r.choice(["aws-use1", "gcp-usc1", "fly", "do-nyc", "hetzner-de"]))
            a.loc = lambda t, ip=ip: ip
        a.cli, a.params = client(a.rng, FW_CLIENT[fw]), dev_params(a.rng)
        m = a.rng.choice(["orion-2-pro", "orion-2-flash"])
        for t in sessions(a.rng, START, END, a.rng.uniform(0.3, 1.2), diurnal(APP, REGIONS[reg][0]), 10, 20):
            a.add(t, FRAMEWORKS[fw], a.rng.getrandbits(40), m)

def mobile_users(W, n):
    for _ in range(n):
        r = W.rng
        reg = r.choices(["us-east", "us-west", "in", "de", "gb", "id", "br", "jp"], [4, 3, 4, 2, 2, 2, 2, 1])[0]
        carrier = r.choice(REGIONS[reg][2])
        pool = W.pool("cgnat:" + carrier, 160, [carrier], v6=0.35)
        a = Acct(W, "mobile_cgnat", tier=r.choice(["free", "tier1", "tier1"]), age=age_mix(r), card=W.card(),
                 verified=r.random() < 0.85)
        a.loc = sticky(a.rng, pool, 1, 4)  # CGNAT egress changes every few requests
        a.cli, a.params = client(a.rng, r.choice(["ios", "okhttp"])), {"max_tokens": 2048, "stream": True}
        fr = free_skels(a.id)
        for t in sessions(a.rng, START, END, a.rng.uniform(0.8, 2.5), diurnal(HUMAN, REGIONS[reg][0]), 8, 45):
            a.add(t, fr[pick_cat(a.rng, [10, 5, 8, 2, 25, 35, 15])], a.rng.getrandbits(40),
                  model_mix(a.rng, t, DEV_MODELS, DEV_MODELS_NEW, RELEASE + 3600))

def vpn_users(W, n):
    vkeys = ["m247-nl", "m247-us", "datacamp", "datacamp-us", "leaseweb"]
    pool = W.pool("vpn-exits", 90, vkeys)
    for _ in range(n):
        r = W.rng
        reg = r.choices(RKEYS, RW)[0]
        a = Acct(W, "vpn_user", tier=r.choice(["tier1", "tier2"]), age=age_mix(r), card=W.card(), verified=True)
        h = home(a.rng, reg)
        st = {"exit": None, "last": 0}

        def where(t, st=st, g=a.rng, h=h):
            if t - st["last"] > 900:
                st["exit"] = g.choice(pool) if g.random() < 0.8 else None  # new VPN session (or VPN off)
            st["last"] = t
            return st["exit"] or h(t)
        a.loc, a.cli, a.params = where, client(a.rng, r.choices(DEV_CLIENTS, DEV_CW)[0]), dev_params(a.rng)
        sk, fr = own_skels(a.rng, a.id, 3), free_skels(a.id)
        for t in sessions(a.rng, START, END, a.rng.uniform(0.4, 1.5), diurnal(HUMAN, REGIONS[reg][0]), 7, 40):
            a.add(t, a.rng.choice(sk) if a.rng.random() < 0.5 else fr[pick_cat(a.rng, DEV_CAT_W)], a.rng.getrandbits(40),
                  model_mix(a.rng, t, DEV_MODELS, DEV_MODELS_NEW, RELEASE + 2000))

def edtech_tutor(W):
    """a multilingual math-tutoring app: step-by-step solutions in many languages, templated, high volume"""
    a = Acct(W, "edtech_tutor", tier="tier4", age=W.rng.uniform(300, 800), card=W.card(), verified=True, nkeys=2)
    ips = [loc(a.rng, "aws-apse1") for _ in range(2)] + [loc(a.rng, "aws-euc1") for _ in range(2)]
    a.loc, a.cli = pick(a.rng, ips), client(a.rng, "anth-js")
    langs = ["en", "hi", "id", "vi", "es", "pt", "ar", "tr"]
    sk = {lg: Skel(f"{a.id}:tutor:{lg}", "math", lg, cot=True, sys=hx("sys", a.id, "tutor", lg), chars=(200, 700), lit=0.35, comp=700)
          for lg in langs}
    hint = Skel(f"{a.id}:hint", "math", sys=hx("sys", a.id, "hint"), chars=(200, 600), lit=0.35, comp=150)
    a.params = {"max_tokens": 2048, "stream": True, "temperature": 0.3}
    for t in poisson(a.rng, START, END, 7 / 60, diurnal(APP, 5)):
        a.add(t, sk[a.rng.choice(langs)] if a.rng.random() < 0.8 else hint, a.rng.getrandbits(32), "orion-2-flash",
              key=a.rng.choice(a.keys))

def label_classifier(W):
    """content-moderation labeler: logit_bias restricts output to label tokens, max_tokens=1, logprobs for confidence"""
    a = Acct(W, "label_classifier", tier="tier3", age=W.rng.uniform(200, 700), card=W.card(), verified=True)
    ip = loc(a.rng, "gcp-euw4")
    a.loc, a.cli = (lambda t: ip), client(a.rng, "oai-py")
    s = Skel(f"{a.id}:label", "other", sys=hx("sys", a.id, "policy"), chars=(300, 2500), lit=1.2, comp=1)
    a.ep, a.params = "/v1/chat/completions", {"max_tokens": 1, "temperature": 0.0, "logprobs": True, "top_logprobs": 2, "logit_bias": True}
    for t in poisson(a.rng, START, END, 5 / 60, diurnal(APP, 2)):
        a.add(t, s, a.rng.getrandbits(40), "orion-2-flash", ctok=1)

def agency(W, n):
    """a dev agency: one new account per client project, all on the agency's card and servers"""
    r = W.rng
    card = W.card()
    box = subnet24(r, "do-nyc")
    ips = [box(r) for _ in range(3)]
    for _ in range(n):
        a = Acct(W, "agency_client", tier="tier1", age=r.uniform(0.5, 20), card=card, verified=r.random() < 0.85)
        a.loc, a.cli = pick(a.rng, ips), ("OpenAI/JS 4.86.1", ja4("node"))
        a.ep = "/v1/chat/completions"
        sk = own_skels(a.rng, a.id, a.rng.randint(2, 5), catw=[20, 5, 5, 10, 25, 25, 10], lit=0.9, sys_p=1.0)
        m, tz = a.rng.choice(["orion-2-flash", "orion-2-pro"]), a.rng.choice([-4, -7, 1])
        for t in poisson(a.rng, START, END, a.rng.uniform(0.15, 1.2) / 60, diurnal(APP, tz)):
            a.add(t, a.rng.choice(sk), a.rng.getrandbits(40), m)

# Attack campaigns
RES_KEYS = [b[0] for b in BLOCKS if b[3] == "res"]
MOB_KEYS = [b[0] for b in BLOCKS if b[3] == "mob"]

def harvest_skels(tag, n, cats, cot_p, sys_list, rng, lit=0.22, lang="en", chars=(500, 1500), comp=900):
    return [Skel(f"{tag}:{i}", rng.choices(CATS, cats)[0], lang, cot=rng.random() < cot_p, rubric=rng.random() < 0.07,
                 sys=rng.choice(sys_list), chars=chars, lit=lit, comp=comp) for i in range(n)]

def bank_item(rng, size, hot=0.04):
    """draw from the operator's problem bank; a hot set is re-asked across many accounts"""
    return rng.randrange(40) if rng.random() < hot else rng.randrange(size)

def hydra(W):
    camp = "hydra-nimbus"
    cr = random.Random(h64(W.seed, camp))
    sysl = [hx("sys", camp, 0), hx("sys", camp, 1), None]
    skels = harvest_skels(camp, 14, [45, 25, 22, 8, 0, 0, 0], 0.8, sysl, cr)
    cards = [W.card() for _ in range(40)]
    hot_cards = cards[:3]
    pa = W.pool("resi-proxy-A", 700, RES_KEYS, [6 if B[k][2] == "US" else 2 for k in RES_KEYS], v6=0.1)
    pb = W.pool("mobile-proxy-B", 260, MOB_KEYS)
    bursts = [START - cr.uniform(0.3, 12) * DAY for _ in range(7)]
    cohorts = [(START, 70), (START + 1.6 * 3600, 25), (START + 3.4 * 3600, 22)]
    ph, period = cr.uniform(0, 6.28), cr.uniform(2400, 4200)
    wave = lambda t: 0.7 + 0.45 * math.sin(ph + 2 * math.pi * (t - START) / period)  # noqa: E731
    switch = RELEASE + cr.uniform(1800, 5400)
    for c0, cn in cohorts:
        for _ in range(cn + cr.randint(-5, 5)):
            tier = "tier1" if cr.random() < 0.45 else "free"
            created = min(cr.choice(bursts) + cr.uniform(0, 7200), c0 - cr.uniform(600, 4000))
            card = (cr.choice(hot_cards) if cr.random() < 0.3 else cr.choice(cards)) if tier == "tier1" or cr.random() < 0.3 else None
            a = Acct(W, "hydra", camp, tier=tier, created=created, verified=cr.random() < 0.15, card=card,
                     nkeys=cr.choice([1, 1, 2]), retry="drop")
            a.loc = sticky(a.rng, pa if cr.random() < 0.7 else pb, 1, 8)
            a.cli = ("OpenAI/Python 1.54.4", ja4("py-ossl3")) if cr.random() < 0.7 else ("python-httpx/0.27.2", ja4("py-ossl3"))
            a.ep, a.params = "/v1/chat/completions", {"temperature": 0.7, "max_tokens": 8192, "n": 1, "stream": False}
            rate = a.rng.uniform(0.6, 1.9) / 60
            t_on = c0 + a.rng.uniform(0, 1500)
            t_off = END if a.rng.random() < 0.8 else t_on + a.rng.uniform(3600, 10000)
            for t in poisson(a.rng, t_on, t_off, rate, wave, 1.15):
                s = a.rng.choice(skels)
                a.add(t, s, bank_item(a.rng, 60000),
                      model_mix(a.rng, t, {"orion-2-reason": 55, "orion-2-pro": 45}, {NEW: 60, "orion-2-reason": 25, "orion-2-pro": 15}, switch),
                      key=a.rng.choice(a.keys))
    return skels

def slow_low(W):
    camp = "lowtide"
    cr = random.Random(h64(W.seed, camp))
    sysl = [hx("sys", camp, i) for i in range(3)]
    skels = harvest_skels(camp, 36, [30, 30, 35, 5, 0, 0, 0], 0.85, sysl, cr, lit=0.3, chars=(400, 1800), comp=1000)
    orgs, shared = [W.org() for _ in range(10)], [W.card() for _ in range(4)]
    pool = W.pool("resi-proxy-C", 240, ["comcast", "att", "charter", "verizon", "rogers", "bt", "virgin", "dtag"], v6=0.15)
    shift0 = START - cr.uniform(0, 600)
    kinds = ["anth-py", "anth-js", "oai-py", "oai-js"]
    for _ in range(cr.randint(62, 76)):
        a = Acct(W, "slow_low", camp, tier=cr.choice(["tier1", "tier2", "tier2"]), age=cr.uniform(90, 700),
                 verified=cr.random() < 0.7, card=cr.choice(shared) if cr.random() < 0.3 else W.card(),
                 org=cr.choice(orgs) if cr.random() < 0.6 else None, retry="drop")
        ua, _ = client(a.rng, cr.choice(kinds))
        a.cli = (ua, ja4("py-ossl3"))  # JS user agents on a Python TLS stack: the tooling leaks
        mine = a.rng.sample(skels, a.rng.randint(3, 6))
        p_in = a.rng.uniform(0.35, 0.6)
        a.params = {"max_tokens": 4096, "temperature": a.rng.choice([0.6, 0.7, 0.8])}
        sw = RELEASE + a.rng.uniform(7200, 14000)
        t = shift0
        while t < END:
            if a.rng.random() < p_in:
                ip = a.rng.choice(pool)
                s = t + a.rng.uniform(0, 240)
                for _ in range(a.rng.randint(2, 9)):
                    a.add(s, a.rng.choice(mine), bank_item(a.rng, 20000, 0.0),
                          model_mix(a.rng, s, {"orion-2-reason": 6, "orion-2-pro": 4}, {"orion-2-reason": 5, NEW: 5}, sw),
                          where=ip)
                    s += a.rng.lognormvariate(math.log(55), 0.6)
            t += 600

def failover(W):
    camp = "phoenix"
    cr = random.Random(h64(W.seed, camp))
    boxes = [subnet24(cr, k) for k in ["m247-nl", "datacamp", "vultr", "m247-us"]]
    cards = [W.card() for _ in range(7)]
    skels = harvest_skels(camp, 7, [45, 25, 10, 20, 0, 0, 0], 0.6, [hx("sys", camp)], cr, lit=0.2)
    cli = ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", ja4("node"))
    for slot in range(4):
        t = START + (3600 * 1.5 if slot == 3 else cr.uniform(0, 600))  # a fourth worker joins after 90 min
        while t < END - 300:
            tier = "free" if cr.random() < 0.7 else "tier1"
            a = Acct(W, "failover", camp, tier=tier, created=t - cr.uniform(90, 4 * 3600), verified=False,
                     card=cr.choice(cards) if tier == "tier1" or cr.random() < 0.4 else None, retry="hammer")
            ips = [cr.choice(boxes)(cr) for _ in range(cr.randint(1, 3))]
            a.loc, a.cli, a.ep = pick(a.rng, ips), cli, "/v1/messages"
            a.params = {"max_tokens": 8192, "temperature": 1.0, "stream": True}
            rate = (a.rng.uniform(8, 12.5) if tier == "free" else a.rng.uniform(15, 22)) / 60
            a.ban = t + a.rng.uniform(8, 30) * 60
            n403, stop = 0, END
            for u in poisson(a.rng, t, END, rate):
                if u >= a.ban:
                    n403 += 1
                    if n403 > a.rng.randint(2, 6):
                        stop = u
                        break
                a.add(u, a.rng.choice(skels), bank_item(a.rng, 30000, 0.06),
                      "orion-2-pro" if u < RELEASE + 1200 else a.rng.choice(["orion-2-pro", NEW, NEW]))
            t = stop + cr.uniform(60, 360)  # a replacement account appears within minutes

def polyglot(W):
    camp = "babel-cot"
    cr = random.Random(h64(W.seed, camp))
    langs = ["zh", "ru", "ar", "es", "hi", "id", "vi", "ko", "ja", "fr", "de", "pt", "tr", "fa"]
    sysh = hx("sys", camp, "reason in the user's language, show every step")
    sk = {(task, lg): Skel(f"{camp}:{task}:{lg}", task, lg, cot=True, sys=sysh, chars=(300, 1200), lit=0.25, comp=1400)
          for task in ["reasoning", "math", "coding"] for lg in langs}
    orgs = [W.org() for _ in range(2)]
    boxes = [subnet24(cr, k) for k in ["alibaba-sg", "tencent-hk", "hetzner-fi", "ovh", "alibaba-sg", "hetzner-de"]]
    accts = []
    for i in range(cr.randint(20, 28)):
        a = Acct(W, "polyglot_cot", camp, tier="tier2", age=cr.uniform(15, 45), verified=True, card=W.card(), org=orgs[i % 2],
                 retry="drop")
        ips = [cr.choice(boxes)(cr) for _ in range(cr.randint(1, 2))]
        a.loc, a.cli, a.ep = pick(a.rng, ips), ("Go-http-client/2.0", ja4("go")), "/v1/messages"
        a.params = {"max_tokens": 16000, "temperature": 0.6}
        accts.append((a, a.rng.sample(langs, a.rng.randint(2, 4)), a.rng.uniform(0.35, 0.55)))
    switch = RELEASE + cr.uniform(1200, 3600)
    tick = START + cr.uniform(0, 30)
    while tick < END:  # one dispatcher drives the whole fleet: requests land within ~1 s of each tick
        for a, ls, p in accts:
            if a.rng.random() < p:
                t = tick + a.rng.uniform(0, 1.2)
                a.add(t, sk[(a.rng.choices(["reasoning", "math", "coding"], [5, 3, 2])[0], a.rng.choice(ls))],
                      bank_item(a.rng, 25000, 0.0),
                      model_mix(a.rng, t, {"orion-2-reason": 7, "orion-2-pro": 3}, {NEW: 6, "orion-2-reason": 4}, switch))
        tick += 60

def logit_siphon(W):
    camp = "logit-siphon"
    cr = random.Random(h64(W.seed, camp))
    orgs, cards = [W.org() for _ in range(2)], [W.card() for _ in range(2)]
    sk = [Skel(f"{camp}:{i}", "other", chars=(20, 240), lit=3.0, comp=1) for i in range(3)]
    switch = RELEASE + cr.uniform(600, 2400)
    for i in range(cr.randint(9, 12)):
        a = Acct(W, "logit_harvest", camp, tier="tier3", age=cr.uniform(150, 400), verified=True, card=cards[i % 2],
                 org=orgs[i % 2], retry="backoff")
        ips = [loc(a.rng, cr.choice(["aws-use1", "gcp-usc1"])) for _ in range(2)]
        a.loc, a.cli, a.ep = pick(a.rng, ips), ("python-requests/2.31.0", ja4("py-ossl3")), "/v1/chat/completions"
        a.params = {"max_tokens": 1, "temperature": 0.0, "logprobs": True, "top_logprobs": 20, "logit_bias": True}
        for t in poisson(a.rng, START + a.rng.uniform(0, 900), END, a.rng.uniform(2, 3.5) / 60):
            a.add(t, a.rng.choice(sk), a.rng.getrandbits(48),
                  model_mix(a.rng, t, {"orion-2-flash": 6, "orion-2-pro": 4}, {NEW: 7, "orion-2-pro": 3}, switch), ctok=1)

def laundered(W, hydra_skels):
    camp = "tollgate"
    cr = random.Random(h64(W.seed, camp))
    for i in range(3):
        a = Acct(W, "laundered_reseller", camp, tier="tier4", age=cr.uniform(60, 200), verified=True, card=W.card(),
                 nkeys=4, retry="backoff")
        ips = [loc(a.rng, k) for k in cr.sample(["alibaba-hk", "ucloud-hk", "tencent-hk"], 2)]
        a.loc, a.cli, a.ep = pick(a.rng, ips), ("Go-http-client/1.1", ja4("go")), "/v1/chat/completions"
        fr = {lg: free_skels(a.id, lg) for lg in ["zh", "zh", "en"]}
        share = a.rng.uniform(0.35, 0.55)
        for t in poisson(a.rng, START, END, a.rng.uniform(6, 10) / 60, diurnal(APP, 8)):
            if a.rng.random() < share:  # the distiller's harvest, through the relay, on the hydra generator's templates
                a.add(t, a.rng.choice(hydra_skels[:6]), bank_item(a.rng, 60000), a.rng.choice(["orion-2-reason", "orion-2-pro"]),
                      params={"temperature": 0.7, "max_tokens": 8192}, key=a.keys[0])
            else:
                lg = a.rng.choice(list(fr))
                a.add(t, fr[lg][pick_cat(a.rng, [30, 8, 8, 8, 18, 18, 10])], a.rng.getrandbits(40),
                      model_mix(a.rng, t, DEV_MODELS, DEV_MODELS_NEW, RELEASE + 1800), params=dev_params(a.rng),
                      key=a.rng.choice(a.keys[1:]))

# Serving: rate limits, bans, errors, tokens, latency
def serve(a):
    """replay one account's attempts through the gateway: tier rpm limit, platform ban, transient errors.
    'backoff' clients pause all workers after a 429 (exponential), 'hammer' clients retry at once, 'drop' give up."""
    rpm, rng = TIER_RPM[a.tier], a.rng
    win, out = deque(), []
    heap = [(x[0], x[1], 0, x) for x in a.att]
    heapq.heapify(heap)
    seq, pause, streak = len(heap), 0.0, 0
    while heap:
        t, _, tries, x = heapq.heappop(heap)
        if t >= END:
            continue
        elif a.retry == "backoff" and t < pause:  # workers sleep until the backoff ends
            seq += 1
            heapq.heappush(heap, (pause + rng.uniform(0, 3), seq, tries, x))
            continue
        while win and win[0] <= t - 60:
            win.popleft()
        retry_in, st = None, 403
        if a.ban is not None and t >= a.ban:
            pass
        elif len(win) >= rpm:
            st = 429
            if a.retry == "backoff" and tries < 6:
                streak += 1
                retry_in = min(60.0, 2.0 ** streak) * rng.uniform(0.8, 1.3)
                pause = t + retry_in
            elif a.retry == "hammer" and tries < 1:
                retry_in = rng.uniform(0.3, 2.5)
        else:
            u = rng.random()
            st = 500 if u < 0.0015 else 529 if u < 0.004 else 400 if u < 0.006 else 200
            if st in (500, 529) and a.retry != "drop" and tries < 3:
                retry_in = rng.uniform(1, 6)
            streak = 0 if st == 200 else streak
            win.append(t)
        if retry_in is not None:
            seq += 1
            heapq.heappush(heap, (t + retry_in, seq, tries + 1, x))
        out.append(event(a, t, x, st))
    return out

def event(a, t, x, st):
    _, _, sk, item, model, ep, params, where, cli, key, ctok = x
    rng, chars = a.rng, sk.chars(item)
    pt = int(chars / 3.8) + (60 if sk.sys else 0) + rng.randint(0, 9)
    rt, ct = None, 0
    if st == 200:
        ct = ctok or min(int(rng.lognormvariate(math.log(sk.comp * (1.7 if sk.cot else 1.0)), 0.45)) + 1,
                         (params or {}).get("max_tokens") or 10 ** 6)
        if model in REASONING:  # thinking tokens; none when the output is capped at one token
            rt = 0 if ctok else int(rng.lognormvariate(math.log(2200 if sk.cot or sk.cat in ("math", "reasoning") else 500), 0.6))
        lat = rng.uniform(250, 900) + (ct + (rt or 0)) * MS_PER_TOK.get(model, 15.0) * rng.uniform(0.8, 1.3)
    else:
        pt = pt if st in (400, 500, 529) else 0
        lat = rng.uniform(4, 40) if st in (429, 403, 400) else rng.uniform(500, 30000)
    ev = {"event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "ts": round(t, 3), "account_id": a.id,
          "org_id": a.org, "api_key_id": key, "ip": where[0], "asn": where[1], "country": where[2],
          "user_agent": cli[0], "ja4": cli[1], "endpoint": ep, "model": model, "status": st,
          "prompt_tokens": pt, "completion_tokens": ct, "reasoning_tokens": rt, "latency_ms": round(lat, 1),
          "params": params or None,
          "prompt": {"fingerprint": sk.fp(item), "template": sk.template(item), "system_hash": sk.sys, "chars": chars,
                     "lang": sk.lang, "category": sk.cat, "cot_request": sk.cot, "rubric_request": sk.rubric},
          "account": {"created_at": a.created, "tier": a.tier, "verified": a.verified, "payment_fingerprint": a.card}}
    return {k: v for k, v in ev.items() if v is not None}

def build(seed):
    W = World(seed)
    r = W.rng
    for f, lo, hi in [(developers, 190, 230), (small_apps, 75, 95), (batch_etl, 4, 6), (eval_harnesses, 7, 9),
                      (ci_runners, 5, 7), (routers, 3, 3), (synthetic_data, 2, 3), (company_teams, 5, 6), (students, 45, 65),
                      (framework_users, 70, 90), (mobile_users, 35, 45), (vpn_users, 20, 30), (agency, 12, 16)]:
        f(W, r.randint(lo, hi))
    edtech_tutor(W)
    label_classifier(W)
    hs = hydra(W)
    for f in (slow_low, failover, polyglot, logit_siphon):
        f(W)
    laundered(W, hs)
    return W

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True, help="random seed (same seed, same bytes)")
    ap.add_argument("--out", required=True, help="output directory")
    args = ap.parse_args()
    W = build(args.seed)
    events, per = [], Counter()
    for a in W.accounts:
        events += serve(a)
        per[(a.camp or a.persona, a.camp is not None)] += len(events) - sum(per.values())
    events.sort(key=lambda e: (e["ts"], e["event_id"]))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "events.jsonl"), "w") as f:
        f.writelines(json.dumps(e, separators=(",", ":")) + "\n" for e in events)
    seen = {e["account_id"] for e in events}
    W.accounts = [a for a in W.accounts if a.id in seen]  # accounts idle in the window never reach the gateway
    with open(os.path.join(args.out, "truth.jsonl"), "w") as f:
        for a in W.accounts:
            f.write(json.dumps({"account_id": a.id, "persona": a.persona, "is_attack": a.camp is not None,
                                "campaign": a.camp}) + "\n")
    with open(os.path.join(args.out, "scenario.json"), "w") as f:
        json.dump({"start": START, "end": END, "seed": args.seed}, f)
    accts = Counter((a.camp or a.persona, a.camp is not None) for a in W.accounts)
    print(f"seed {args.seed}: {len(W.accounts)} accounts, {len(events)} events -> {args.out}")
    print("| group | attack | accounts | events |\n|---|---|---|---|")
    for k in sorted(accts, key=lambda k: (k[1], -per[k])):
        print(f"| {k[0]} | {'yes' if k[1] else 'no'} | {accts[k]} | {per[k]} |")
    for flag in (False, True):
        print(f"| **{'attack' if flag else 'legit'} total** | | {sum(v for k, v in accts.items() if k[1] == flag)} | "
              f"{sum(v for k, v in per.items() if k[1] == flag)} |")


if __name__ == "__main__":
    main()
