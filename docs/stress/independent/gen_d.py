#!/usr/bin/env python3
"""gen_d -- synthetic API traffic for evaluating an adversarial-distillation detector.

Usage:  python gen_d.py --seed N [--hours 4] --out DIR
Writes  DIR/events.jsonl  one API event per line, sorted by ts, in the api.events contract
                          (design brief section 3): no raw prompt text, no e-mail addresses.
        DIR/truth.jsonl   one line per account: account_id, persona, is_attack, campaign.
Python 3.11 standard library only.  Deterministic for a given (seed, hours).

World (defaults, --hours 4; counts scale roughly with the window)
------------------------------------------------------------------
Window starts on a 2026 date at 13:00-18:00 UTC (US morning, EU afternoon, Asia night).  A new
model `orion-5` is released 35 % into the window; older models are orion-4-mini / orion-4 /
orion-4-pro (reasoning), orion-3.5-turbo (legacy /v1/completions, logprobs) and orion-embed-2.
Per-tier request limits (free 15 rpm ... tier5 4000 rpm) are enforced on every account: excess
requests get 429 and ordinary SDK clients retry with back-off.  One 8-minute provider incident
returns 529 to ~30 % of requests, followed by a synchronized retry burst across all customers.

Prompts: every request gets a generated prompt text (never written out).  `prompt.fingerprint` is a
64-bit SimHash (blake2b-64 features: word unigrams + bigrams of the first 64 words) of the
lower-cased, whitespace-collapsed text; `prompt.template` is blake2b-64 of the same text with
literals masked ("quoted strings", ```code```, <doc>..</doc> bodies, numbers).  Free-form chat
therefore gets near-unique templates, app/framework prompts share templates, and verbatim
prompts (benchmarks, class assignments, CI suites, attacker seed prompts) share fingerprints.
Non-English prompts are a deterministic pseudo-translation, so a zh prompt shares nothing with
its en twin.  `chars` counts the notional full prompt (documents are hashed from a sample).

Legitimate personas (~730 accounts, ~80 % of events)
  dev_individual (300)   interactive sessions, residential/VPN/mobile IPs, 12 % brand-new accounts
  student (~95)          two courses: accounts created days ago, free/unverified, a lab session
                         on the university NAT (synchronized start, the same assignment prompt
                         verbatim across 40-55 accounts, step-by-step requests), Colab on GCP
  hackathon (30)         accounts created hours before kickoff, one venue IP, one starter-kit
                         template + system prompt, scripted loops at full speed
  small_app (120)        SaaS back ends: one system prompt, 1-3 templates (incl. popular
                         framework templates shared by hundreds of apps), low category entropy;
                         some audit/tutoring apps ask for the reasoning on every call
  consumer_app (4)       high-volume chat apps; one embeds its key in a mobile app (one key,
                         thousands of mobile/residential IPs in many countries)
  batch_docs (14)        document jobs at full concurrency (hit 429 and back off); 4 are accounts
                         created 0-2 days ago for a moved workload; some embedding jobs
  eval_harness (10)      nightly suites; on release day switch to orion-5 within minutes and run
                         public benchmarks (identical prompts across labs), pass@k repeats,
                         CoT-style wrappers and an LLM-as-judge rubric stage; 2 accounts are new
  ci_runner (18)         fixed test prompts, every run from a fresh cloud runner IP (many IPs
                         per key), temperature 0
  llm_gateway (6)        routers: user agent and org stripped, few egress IPs, all categories,
                         downstream logprobs/logit_bias/n, fast orion-5 adoption
  synthetic_data (8)     templated generation round the clock, high temperature, n>1, some
                         "include step-by-step solution" and rubric filtering
  enterprise (~50)       8 orgs x 3-10 accounts sharing org_id + corporate card; shared Zscaler
                         egress across orgs; many keys/UAs per account; an audit app asking for
                         reasoning; one key revoked mid-window (403, then another key)
  reseller (5)           many keys, traffic relayed from SG/HK/US cloud, passthrough UAs
  coding_agent (45)      agent loops (tools 12-40, growing context, thinking), some overnight
                         background agents, enthusiasts jump to orion-5
  classifier_app (8)     logprobs + top_logprobs + logit_bias + max_tokens 1 (benign logit twin)
  research_logprobs (4)  calibration studies: benchmark items scored with top_logprobs 20
  workload_migration (~6) same org + card; old account hits its limits, a new account created
                         minutes earlier takes over at full speed from a new cloud

Attack campaigns (~320 accounts, ~20 % of events)
  hydra-01 (hydra_fleet, ~200)  ~40 accounts active at a time, each banned after ~55 min (it
        sees 1-3 x 403) and replaced 0.5-8 min later by a fresh, batch-registered or bought aged
        account.  Shared transfer-station VPS /24s + a residential proxy pool, 16 shared cards,
        central dispatcher "waves" every 18-42 s, 8 shared templates (coding/agentic/reasoning,
        CoT "in the user's language", rubric grading), 3 seed prompts repeated verbatim at
        temperature 1, multilingual, SDK user agents rotated over one Python TLS stack (JA4),
        ~20 % benign-looking filler, half the traffic moves to orion-5 within ~1 h.
  slowlow-02 (slow_low_fleet, 80)  aged (2-20 months) verified tier2/3 accounts, own card and
        sticky residential IP each, 10-30 req/h (far below limits), independent Poisson timing,
        6 paraphrase variants per task family (different templates, near SimHash), random
        temperature, ~38 % filler, slow model shift.
  failover-03 (failover_fleet, ~35)  3 workers bursting on free/tier1 accounts from cloud /24s;
        429 -> back off; once blocked (403) the worker retries 1-3 times and moves to a sleeper
        (registered days ago, 4 shared cards) or a just-registered account; same templates; the
        infrastructure rotates every 4 accounts.
  relay-04 (relay_station, 6)  reseller look-alikes in HK/SG cloud: many keys, passthrough UAs,
        55 % genuine-looking customer chat + 45 % hydra templates / CoT harvesting.
  cot-solo-05 (solo_cot, 1)       one aged account, ~500 req/h round the clock, CoT elicitation
        in many languages on the reasoning models, moves to orion-5 within 30 min.
  logit-solo-06 (solo_logit, 1)   9-day-old account: ~40 probe prompts repeated with logprobs,
        top_logprobs 20, logit_bias, max_tokens 1 (1-token outputs), ~900 req/h.
  rubric-solo-07 (solo_rubric, 1) model used as a reward model: MT-bench judge template and a
        custom rubric, ~300 req/h.
  logit-stealth-08 (solo_logit_stealth, 1)  aged residential account: classifier-looking prompts,
        each repeated 5-20 times with different logit_bias, ~150 req/h, mixed with normal chat.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import re
import sys
import time
from collections import deque

# =============================================================================== constants
TIER_RPM = {"free": 15, "tier1": 50, "tier2": 300, "tier3": 1000, "tier4": 2000,
            "tier5": 4000, "enterprise": 10000}
# model: (tokens/s, ttft ms, reasoning-capable)
MODELS = {"orion-4-mini": (160, 250, False), "orion-4": (80, 450, False),
          "orion-4-pro": (45, 900, True), "orion-5": (65, 600, True),
          "orion-3.5-turbo": (120, 200, False), "orion-embed-2": (0, 40, False)}
NEW_MODEL = "orion-5"
CPT = {"en": 4.0, "zh": 1.5, "ja": 1.7, "ko": 1.8, "ru": 3.3, "es": 3.8, "pt": 3.8, "de": 3.9,
       "fr": 3.8, "vi": 3.2, "tr": 3.4}
CHAR_FACTOR = {"en": 1.0, "zh": 0.33, "ja": 0.4, "ko": 0.45, "ru": 1.1, "es": 1.15, "pt": 1.12,
               "de": 1.2, "fr": 1.15, "vi": 1.05, "tr": 1.05}

# name: (asn, country, ipv4 /16 prefixes, ipv6 prefix or None, kind)
NETS = {
    "comcast": (7922, "US", ["73.15", "73.162", "24.6", "98.207", "71.197"], "2601:18c", "resi"),
    "verizon": (701, "US", ["71.178", "108.46", "100.8"], "2600:4040", "resi"),
    "att": (7018, "US", ["99.110", "107.77", "76.220"], "2600:1700", "resi"),
    "charter": (20115, "US", ["47.144", "97.93", "174.104"], "2603:6080", "resi"),
    "tmobile_us": (21928, "US", ["172.56", "172.58"], "2607:fb90", "mobile"),
    "bt": (2856, "GB", ["86.150", "81.157", "109.150"], None, "resi"),
    "virgin_uk": (5089, "GB", ["82.12", "86.2"], None, "resi"),
    "dtag": (3320, "DE", ["79.213", "87.178", "91.52", "93.220"], "2003:e5", "resi"),
    "orange_fr": (3215, "FR", ["90.23", "86.246", "92.148"], "2a01:cb00", "resi"),
    "free_fr": (12322, "FR", ["78.194", "82.64"], "2a01:e0a", "resi"),
    "telefonica_es": (3352, "ES", ["83.33", "88.14"], None, "resi"),
    "kpn": (1136, "NL", ["84.84", "77.164"], None, "resi"),
    "rogers": (812, "CA", ["99.234", "174.112"], None, "resi"),
    "bell": (577, "CA", ["70.48", "142.118"], None, "resi"),
    "telstra": (1221, "AU", ["101.184", "120.154"], None, "resi"),
    "airtel_in": (24560, "IN", ["122.161", "106.215"], None, "resi"),
    "jio": (55836, "IN", ["49.32", "157.35"], "2409:4042", "mobile"),
    "kt": (4766, "KR", ["175.223", "211.36"], None, "resi"),
    "skb": (9318, "KR", ["1.232", "39.7"], None, "resi"),
    "ntt_ocn": (4713, "JP", ["153.156", "114.150"], None, "resi"),
    "softbank": (17676, "JP", ["126.15", "219.100"], None, "resi"),
    "hinet": (3462, "TW", ["1.164", "36.228", "114.36"], None, "resi"),
    "hkt": (4760, "HK", ["14.136", "112.118"], None, "resi"),
    "singtel": (9506, "SG", ["116.86", "220.255"], None, "resi"),
    "vnpt": (45899, "VN", ["14.177", "113.176"], None, "resi"),
    "claro_br": (28573, "BR", ["177.33", "189.6", "201.17"], None, "resi"),
    "telmex": (8151, "MX", ["187.188", "189.203"], None, "resi"),
    "turk_telekom": (9121, "TR", ["78.180", "88.230"], None, "resi"),
    "kyivstar": (15895, "UA", ["46.211", "176.36"], None, "resi"),
    "pldt": (9299, "PH", ["112.198", "124.105"], None, "resi"),
    "mtn_ng": (29465, "NG", ["102.89", "105.112"], None, "mobile"),
    "telkom_id": (7713, "ID", ["36.68", "180.244"], None, "resi"),
    # cloud / hosting
    "aws_use1": (16509, "US", ["3.80", "3.236", "18.206", "34.224", "44.192", "52.3", "54.160"], "2600:1f18", "cloud"),
    "aws_usw2": (16509, "US", ["35.160", "44.224", "52.32", "54.184"], "2600:1f14", "cloud"),
    "aws_euc1": (16509, "DE", ["3.120", "18.192", "35.156"], "2a05:d014", "cloud"),
    "aws_apse1": (16509, "SG", ["13.212", "18.136", "54.179"], "2406:da18", "cloud"),
    "gcp_us": (396982, "US", ["34.16", "34.28", "35.192", "35.222"], "2600:1900", "cloud"),
    "gcp_eu": (396982, "BE", ["34.76", "35.187"], None, "cloud"),
    "azure_us": (8075, "US", ["20.42", "20.98", "40.76", "52.176", "13.64", "172.200"], None, "cloud"),
    "azure_eu": (8075, "NL", ["20.61", "40.114", "51.144"], None, "cloud"),
    "hetzner": (24940, "DE", ["65.21", "95.216", "135.181", "49.12", "88.198"], "2a01:4f8", "cloud"),
    "ovh": (16276, "FR", ["51.75", "51.178", "54.36", "147.135"], "2001:41d0", "cloud"),
    "digitalocean": (14061, "US", ["159.89", "167.99", "164.90", "138.197"], "2604:a880", "cloud"),
    "vultr_sg": (20473, "SG", ["45.32", "139.180", "149.28"], None, "cloud"),
    "vultr_jp": (20473, "JP", ["45.76", "108.61", "207.148"], None, "cloud"),
    "linode": (63949, "US", ["172.104", "45.79", "139.162"], None, "cloud"),
    "alibaba_hk": (45102, "HK", ["47.242", "47.243", "8.210"], None, "cloud"),
    "alibaba_sg": (45102, "SG", ["47.236", "8.219"], None, "cloud"),
    "tencent_sg": (132203, "SG", ["43.134", "43.156", "129.226"], None, "cloud"),
    "oracle": (31898, "US", ["129.146", "150.136", "158.101"], None, "cloud"),
    "warp": (13335, "US", ["104.28"], "2a09:bac1", "vpn"),
    "m247": (9009, "GB", ["185.195", "37.120", "89.238"], None, "vpn"),
    "datacamp": (60068, "US", ["185.156", "212.102", "143.244"], None, "vpn"),
    "zscaler": (53813, "US", ["165.225", "136.226", "147.161"], None, "corp"),
    "cogent": (174, "US", ["38.122", "38.140"], None, "corp"),
    "lumen": (3356, "US", ["4.14", "8.42", "63.146"], None, "corp"),
    "colt": (8220, "GB", ["212.36", "213.86"], None, "corp"),
    "uni_bu": (111, "US", ["128.197", "168.122"], None, "uni"),
    "uni_berkeley": (25, "US", ["128.32", "169.229"], None, "uni"),
    "uni_janet": (786, "GB", ["129.67", "131.111"], None, "uni"),
    "uni_dfn": (680, "DE", ["141.20", "129.187"], None, "uni"),
}
COUNTRY_NETS = {
    "US": ["comcast", "verizon", "att", "charter", "comcast", "tmobile_us"], "GB": ["bt", "virgin_uk"],
    "DE": ["dtag"], "FR": ["orange_fr", "free_fr"], "ES": ["telefonica_es"], "NL": ["kpn"],
    "CA": ["rogers", "bell"], "AU": ["telstra"], "IN": ["airtel_in", "jio"], "KR": ["kt", "skb"],
    "JP": ["ntt_ocn", "softbank"], "TW": ["hinet"], "HK": ["hkt"], "SG": ["singtel"], "VN": ["vnpt"],
    "BR": ["claro_br"], "MX": ["telmex"], "TR": ["turk_telekom"], "UA": ["kyivstar"], "PH": ["pldt"],
    "NG": ["mtn_ng"], "ID": ["telkom_id"]}
TZ = {"US": -6, "GB": 0, "DE": 1, "FR": 1, "ES": 1, "NL": 1, "CA": -5, "AU": 10, "IN": 5.5, "KR": 9,
      "JP": 9, "TW": 8, "HK": 8, "SG": 8, "VN": 7, "BR": -3, "MX": -6, "TR": 3, "UA": 2, "PH": 8,
      "NG": 1, "ID": 7, "BE": 1}
DEV_COUNTRIES = (["US"] * 34 + ["GB"] * 7 + ["DE"] * 7 + ["FR"] * 4 + ["IN"] * 9 + ["BR"] * 4 +
                 ["CA"] * 4 + ["JP"] * 4 + ["KR"] * 4 + ["NL"] * 2 + ["ES"] * 2 + ["AU"] * 3 +
                 ["TW"] * 2 + ["VN"] * 2 + ["MX"] * 2 + ["TR"] * 2 + ["UA"] * 2 + ["PH"] * 2 +
                 ["NG"] * 2 + ["ID"] * 2 + ["SG"] * 2)
CLOUDS_US = ["aws_use1", "aws_usw2", "gcp_us", "azure_us", "digitalocean", "oracle", "linode"]
CLOUDS_ALL = CLOUDS_US + ["aws_euc1", "aws_apse1", "gcp_eu", "azure_eu", "hetzner", "ovh"]

DIURNAL = [0.10, 0.07, 0.05, 0.05, 0.06, 0.10, 0.22, 0.45, 0.75, 0.95, 1.0, 1.0, 0.92, 0.98,
           1.0, 0.97, 0.90, 0.75, 0.55, 0.45, 0.40, 0.35, 0.25, 0.16]


def diurnal(ts, tz):
    h = (ts / 3600.0 + tz) % 24.0
    i = int(h)
    f = h - i
    return DIURNAL[i] * (1 - f) + DIURNAL[(i + 1) % 24] * f


def _h(s, n=8, person=b""):
    return hashlib.blake2b(s.encode(), digest_size=n, person=person).hexdigest()


# ======================================================================= client stacks
RUNTIMES = ["py311_ossl3", "py312_ossl3", "py_ossl11", "node20", "node22", "go122", "curl_ossl",
            "curl_mac", "java21", "chrome", "safari_ios", "okhttp", "rustls", "cfnetwork"]


def _ja4(rt):
    h = _h("ja4:" + rt, 16)
    a = 10 + int(h[0], 16) % 9
    b = 8 + int(h[1], 16) % 10
    alpn = "h2" if rt not in ("curl_ossl", "java21") else "h1"
    return f"t13d{a:02d}{b:02d}{alpn}_{h[2:14]}_{h[14:26]}"


JA4 = {rt: _ja4(rt) for rt in RUNTIMES}


def make_client(r, kind):
    """(user_agent, ja4) for a client kind; versions vary per account."""
    py = r.choice(["py311_ossl3", "py311_ossl3", "py312_ossl3", "py_ossl11"])
    node = r.choice(["node20", "node22", "node22"])
    if kind == "py_anthropic":
        return f"Anthropic/Python 0.{r.randint(42, 57)}.{r.randint(0, 3)}", JA4[py]
    if kind == "py_openai":
        return f"OpenAI/Python 1.{r.randint(55, 86)}.{r.randint(0, 9)}", JA4[py]
    if kind == "node_anthropic":
        return f"Anthropic/JS 0.{r.randint(36, 52)}.{r.randint(0, 4)}", JA4[node]
    if kind == "node_openai":
        return f"OpenAI/JS 4.{r.randint(70, 104)}.{r.randint(0, 9)}", JA4[node]
    if kind == "requests":
        return f"python-requests/2.{r.choice([28, 31, 32])}.{r.randint(0, 3)}", JA4[py]
    if kind == "httpx":
        return f"python-httpx/0.{r.choice([25, 27, 28])}.{r.randint(0, 2)}", JA4[py]
    if kind == "aiohttp":
        return f"Python/3.{r.choice([10, 11, 12])} aiohttp/3.{r.randint(9, 11)}.{r.randint(0, 16)}", JA4[py]
    if kind == "curl":
        return f"curl/8.{r.randint(4, 11)}.{r.randint(0, 1)}", JA4[r.choice(["curl_ossl", "curl_mac"])]
    if kind == "go":
        return "Go-http-client/2.0", JA4["go122"]
    if kind == "java":
        return f"Java-http-client/21.0.{r.randint(1, 6)}", JA4["java21"]
    if kind == "axios":
        return f"axios/1.{r.randint(6, 8)}.{r.randint(0, 9)}", JA4[node]
    if kind == "browser":
        v = r.randint(128, 136)
        os_ = r.choice(["Macintosh; Intel Mac OS X 10_15_7", "Windows NT 10.0; Win64; x64", "X11; Linux x86_64"])
        return (f"Mozilla/5.0 ({os_}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
                JA4["chrome"])
    if kind == "okhttp":
        return f"okhttp/4.{r.randint(9, 12)}.0", JA4["okhttp"]
    if kind == "rust":
        return f"reqwest/0.12.{r.randint(2, 12)}", JA4["rustls"]
    if kind == "orion_code":
        return f"orion-code/1.{r.randint(2, 6)}.{r.randint(0, 30)} (external, cli)", JA4["node22"]
    if kind == "litellm":
        return f"litellm/1.{r.randint(60, 74)}.{r.randint(0, 12)}", JA4[py]
    raise ValueError(kind)


DEV_CLIENTS = (["py_anthropic"] * 26 + ["py_openai"] * 18 + ["node_anthropic"] * 10 + ["node_openai"] * 10 +
               ["curl"] * 8 + ["browser"] * 8 + ["requests"] * 6 + ["httpx"] * 3 + ["go"] * 3 + ["axios"] * 3 +
               ["rust"] * 2 + ["java"] * 2 + ["litellm"] * 2)
SDK_CLIENTS = ["py_anthropic", "py_openai", "node_anthropic", "node_openai"]

# ============================================================================ prompt text
W = 12
_SPREAD_T = [sum(((b >> i) & 1) << (i * W) for i in range(8)) for b in range(256)]
_MASKW = (1 << W) - 1
_FEAT = {}


def _feat(tok):
    v = _FEAT.get(tok)
    if v is None:
        h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
        v = 0
        for j in range(8):
            v |= _SPREAD_T[(h >> (8 * j)) & 255] << (8 * W * j)
        if len(_FEAT) > 3_000_000:
            _FEAT.clear()
        _FEAT[tok] = v
    return v


_WORD = re.compile(r"\w+")
_MASKS = [(re.compile(r"```.*?```", re.S), " <code> "), (re.compile(r"<doc>.*?</doc>", re.S), " <doc> "),
          (re.compile(r'"[^"]*"'), " <str> "), (re.compile(r"\b\d+(?:[.,:]\d+)*\b"), " <num> ")]
_WS = re.compile(r"\s+")


def normalise(text):
    return _WS.sub(" ", text.lower()).strip()


def simhash64(norm):
    toks = _WORD.findall(norm)[:3000]
    feats = toks + [a + "\x01" + b for a, b in zip(toks[:64], toks[1:65])]
    n = len(feats)
    if n == 0:
        return "0" * 16
    s = sum(map(_feat, feats))
    out = 0
    for i in range(64):
        if ((s >> (i * W)) & _MASKW) * 2 > n:
            out |= 1 << i
    return f"{out:016x}"


def skeleton_hash(norm):
    s = norm
    for rx, rep in _MASKS:
        s = rx.sub(rep, s)
    return _h(_WS.sub(" ", s).strip(), 8, b"tpl")


def L(s):
    return [x.strip() for x in s.split(";") if x.strip()]


TOPICS = L("binary search trees;kubernetes autoscaling;photosynthesis;the french revolution;inflation;quantum entanglement;"
           "rest api design;css grid layout;climate change;the roman empire;neural networks;supply chains;vaccines;"
           "black holes;sql indexing;oauth2;docker volumes;react hooks;tax brackets;plate tectonics;compound interest;"
           "the cold war;gene editing;microservices;rust lifetimes;python decorators;git rebase;linear regression;"
           "stoicism;renewable energy;coffee brewing;marathon training;sourdough baking;mortgage refinancing;"
           "bird migration;jazz harmony;chess openings;public speaking;time management;graph databases;websockets;"
           "unit testing;memory leaks;load balancing;dns;tls certificates;recursion;dynamic programming;hash maps;"
           "garbage collection;async await;event sourcing;kafka partitions;feature flags;accessibility;seo;"
           "email marketing;customer churn;pricing strategy;remote work;sleep hygiene;gardening;electric cars;"
           "solar panels;the silk road;ancient egypt;world war one;the printing press;shakespeare;impressionism;"
           "volcanoes;ocean currents;probability;prime numbers;matrix multiplication;fourier transforms;bayes theorem;"
           "game theory;behavioral economics;intermittent fasting;container orchestration;vector databases")
PLANGS = L("python;javascript;typescript;go;rust;java;c++;c#;kotlin;swift;ruby;php;sql;bash")
NAMES = L("alice;bob;carol;dave;erin;frank;grace;heidi;ivan;judy;mallory;nina;oscar;peggy;quentin;rupert;sybil;"
          "trent;ursula;victor;wendy;xavier;yolanda;zach;maria;li;wei;anh;priya;omar;fatima;kenji;yuki;sofia")
CVERB = L("parse;sort;deduplicate;merge;validate;stream;paginate;cache;serialize;batch;retry;debounce;hash;compress")
COBJ = L("json files;a list of dicts;csv rows;api responses;dates;nested objects;large files;websocket messages;"
         "environment variables;user input;log lines;s3 objects;protobuf messages")
CVERB3 = L("parses;validates;merges;deduplicates;paginates;caches;serializes;normalizes;aggregates;filters;ranks;"
           "schedules;retries;compresses;encrypts;tokenizes")
COBJ3 = L("log lines;user records;json payloads;csv rows;http requests;graph edges;time series;invoices;sensor readings;"
          "chat messages;file paths;config entries;orders;events;transactions")
CONSTR = L("in o(n log n) time;without extra memory;in a thread-safe way;with streaming input;handling unicode correctly;"
           "with exponential backoff;using only the standard library;in constant space;with full type hints;"
           "under 50 lines;with an lru cache;asynchronously")
FIELDS3 = L("timestamp;user id;amount;priority;score;latency;region;category;length;frequency")
ERRS = L("typeerror;keyerror;nullpointerexception;a segfault;indexerror;undefined is not a function;"
         "a borrow checker error;a deadlock;a timeout;an out of memory error;a cors error;a 502")
CONCEPTS = L("async;threads;generators;closures;interfaces;traits;promises;channels;mutexes;decorators;macros;"
             "generics;lambdas;iterators;coroutines")
ADJQ = L("readable;pythonic;efficient;idiomatic;testable;concise;functional")
ORMS = L("sqlalchemy;django orm;prisma;activerecord;gorm")
GENRES = L("short story;poem;haiku;limerick;product description;tweet;blog intro;song verse;bedtime story;toast")
AUDIENCES = L("kids;engineers;my grandmother;a wedding;linkedin;a startup pitch;a classroom;gamers")
ADJS = L("cozy;bold;minimalist;eco friendly;premium;playful;retro;smart;tiny;friendly")
PRODUCTS = L("coffee shop;saas tool;podcast;bakery;fitness app;newsletter;bookstore;game studio;bike repair shop")
TONES = L("polite;firm;friendly;formal;apologetic;persuasive")
PERSONS = L("landlord;manager;team;client;professor;neighbor;recruiter")
MATHC = L("standard deviation;compound interest;a derivative;an integral;the median;a percentage change;"
          "the determinant;a moving average")
DECISIONS = L("rent;buy a house;learn rust;learn go;switch jobs;go back to school;move to berlin;freelance;"
              "take the offer;wait a year;use postgres;use mongodb")
COMPANIES = L("startup;bakery;nonprofit;agency;hospital;school;law firm;logistics company")
NLANGS = L("french;spanish;german;japanese;korean;chinese;portuguese;italian;hindi;arabic")
SUBJECTS = L("high school biology;college physics;world history;formal logic;professional law;econometrics;"
             "clinical knowledge;computer security;moral scenarios;abstract algebra;virology;marketing")
GVERB = L("deploy;migrate;debug;benchmark;refactor;set up monitoring for;fix the flaky tests in;upgrade;harden;"
          "containerize;add caching to;profile")
SVCS = L("the payments service;the postgres database;the nginx reverse proxy;the ci pipeline;the react frontend;"
         "the data ingestion job;the auth module;the search index;the billing cron job;the mobile api")
GCOND = L("all tests pass;p99 latency stays under 200 ms;no downtime occurs;memory stays below 2 gb;"
          "the error rate drops below 0.1 percent;the build takes under 5 minutes;no data is lost")
ITEMS = L("cat;bicycle;piano;kite;lamp;violin;parrot;telescope;umbrella;canoe")
COLORS = L("red;blue;green;yellow;white;black;orange")
POS = L("great;love;excellent;fast;reliable;amazing;perfect;happy;recommend")
NEG = L("broken;slow;terrible;refund;disappointed;awful;late;never;worst")
IDW1 = L("get;load;parse;build;fetch;merge;compute;render;update;check;find;split;sum;count;resolve")
IDW2 = L("user;items;config;rows;tree;graph;cache;price;token;path;batch;score;node;order;queue")
COT_SUFFIX = L("explain your reasoning step by step.;think step by step.;walk me through your reasoning.;"
               "show your work.;explain why, step by step.")


class Lib:
    """Prompt text generator + gateway fingerprinting (SimHash / skeleton hash)."""

    def __init__(self, r):
        self.r = r
        vr = random.Random(7)
        syl = L("ka;lo;mi;ne;ra;to;su;vi;de;ba;ri;po;la;ze;ku;fa;ni;mo;te;sa;gri;pla;stro;ven;dul;mar;qui;zen")
        words = set()
        while len(words) < 3000:
            words.add("".join(vr.choice(syl) for _ in range(vr.randint(2, 4))))
        real = set()
        for lst in (TOPICS, COBJ, COBJ3, PRODUCTS, SVCS, GCOND, CONSTR, AUDIENCES, GENRES):
            for x in lst:
                real.update(_WORD.findall(x))
        real.update(L("the;a;of;and;to;in;is;for;on;that;with;as;was;by;it;this;from;be;are;at;or;we;not;have;"
                      "report;customer;contract;quarter;revenue;patient;policy;clause;shipment;meeting;invoice;"
                      "account;data;team;project;system;service;product;market;risk;result;analysis;section"))
        vocab = sorted(real) + sorted(words)
        vr.shuffle(vocab)
        cw, acc = [], 0.0
        for i in range(len(vocab)):
            acc += 1.0 / (i + 1) ** 1.07
            cw.append(acc)
        self.zipf = vr.choices(vocab, cum_weights=cw, k=400_000)
        self.zp = 0
        self.cache = {}
        self.xl_cache = {}
        self.fixed = {}

    # ---------------------------------------------------------------- literal pools
    def words(self, n):
        p = self.zp
        if p + n > len(self.zipf):
            p = self.r.randrange(0, 1000)
        self.zp = p + n + self.r.randrange(0, 7)
        return " ".join(self.zipf[p:p + n])

    def ident(self, r):
        return f"{r.choice(IDW1)}_{r.choice(IDW2)}"

    def codetask(self, r):
        k = r.randrange(4)
        if k == 0:
            return (f"write a function {self.ident(r)} that {r.choice(CVERB3)} {r.choice(COBJ3)} {r.choice(CONSTR)} "
                    f"and returns the top {r.randint(3, 50)} by {r.choice(FIELDS3)}")
        if k == 1:
            return (f"implement a {r.choice(['class', 'module', 'service', 'cli tool'])} that {r.choice(CVERB3)} "
                    f"{r.choice(COBJ3)} from {r.choice(['a queue', 'disk', 'an http endpoint', 'kafka', 'stdin'])} "
                    f"{r.choice(CONSTR)}; include error handling for {r.choice(ERRS)}")
        if k == 2:
            return (f"given {r.choice(COBJ3)} with fields {r.choice(FIELDS3)} and {r.choice(FIELDS3)}, compute "
                    f"the rolling {r.choice(['mean', 'p95', 'max', 'count'])} over a window of {r.randint(2, 90)} "
                    f"items {r.choice(CONSTR)}")
        return (f"design an algorithm to {r.choice(CVERB)} {r.choice(COBJ)} when there are {r.randint(2, 9)} "
                f"{r.choice(['readers', 'writers', 'shards', 'workers', 'regions'])}, {r.choice(CONSTR)}; "
                f"analyse the complexity")

    def math(self, r):
        k = r.randrange(6)
        n1, n2, n3 = r.choice(NAMES), r.choice(NAMES), r.choice(ITEMS)
        a, b, c, d = r.randint(2, 60), r.randint(2, 30), r.randint(2, 12), r.randint(1, 40)
        if k == 0:
            return (f"{n1} has {a} {n3}s. {n1} buys {b} more packs of {c} {n3}s each and gives {d} to {n2}. "
                    f"how many {n3}s does {n1} have now?")
        if k == 1:
            return (f"a train leaves at {r.randint(1, 12)}:{r.choice(['00', '15', '30', '45'])} travelling at "
                    f"{a * 5} km per hour. a second train leaves {b} minutes later at {a * 5 + c * 5} km per hour. "
                    f"when does the second train catch up?")
        if k == 2:
            return f"find all integer solutions of x^2 - {a}x + {b * c} = 0 and prove there are no others"
        if k == 3:
            return (f"the sum of {c} consecutive odd numbers is {c * (2 * a + c)}. what is the largest of them, "
                    f"and what is their product modulo {b + 7}?")
        if k == 4:
            return (f"a bag has {a} red and {b} blue marbles. {c} are drawn without replacement. what is the "
                    f"probability that exactly {min(d, c)} are red?")
        return f"prove that for every integer n greater than {c}, {a}^n minus 1 is divisible by {a - 1}"

    def puzzle(self, r):
        n = r.sample(NAMES, 3)
        it = r.sample(ITEMS, 3)
        col = r.sample(COLORS, 3)
        k = r.randrange(3)
        if k == 0:
            return (f"{n[0]}, {n[1]} and {n[2]} each own a different pet object: a {it[0]}, a {it[1]} and a "
                    f"{it[2]}. {n[0]} does not own the {it[0]}. the owner of the {it[1]} lives next to {n[2]}. "
                    f"{n[1]} is older than the owner of the {it[2]}. who owns the {it[2]}?")
        if k == 1:
            return (f"there are {r.randint(3, 9)} boxes painted {col[0]}, {col[1]} and {col[2]}. exactly one "
                    f"label is true. box 1 says the prize is not in the {col[0]} box. box 2 says the prize is "
                    f"in the {col[1]} box. where is the prize?")
        return (f"if every {it[0]} is a {it[1]} and some {it[1]}s are {col[0]}, does it follow that some "
                f"{it[0]}s are {col[0]}? {n[0]} says yes and {n[1]} says no. who is right and why?")

    def question(self, r):
        t1, t2 = r.choice(TOPICS), r.choice(TOPICS)
        return r.choice([f"what is the main idea behind {t1}", f"how does {t1} relate to {t2}",
                         f"what are the tradeoffs of {t1}", f"why is {t1} important for {t2}",
                         f"what is the difference between {t1} and {t2}", f"how would you explain {t1} to a beginner"])

    def goal(self, r):
        return f"{r.choice(GVERB)} {r.choice(SVCS)} so that {r.choice(GCOND)}"

    def code(self, r, lang="python"):
        f = self.ident(r)
        a, b = r.choice(IDW2), r.choice(IDW2)
        lines = [f"def {f}({a}, {b}):"] if lang == "python" else [f"function {f}({a}, {b}) {{"]
        for _ in range(r.randint(3, 14)):
            v, w, x = r.choice(IDW2), r.choice(IDW2), r.choice(IDW2)
            lines.append(r.choice([f"    {v} = {w}.{r.choice(IDW1)}({x}) + {r.randint(0, 99)}",
                                   f"    if {v} > {r.randint(0, 999)}: return {w}",
                                   f"    for i in range(len({v})): {w}[i] = {x}[i - 1]",
                                   f"    {v}.append({r.choice(IDW1)}_{x}({w}))",
                                   f"    while {v}: {w} = {v}.pop()"]))
        lines.append(f"    return {r.choice(IDW2)}")
        return "```" + lang + "\n" + "\n".join(lines) + "\n```"

    def doc(self, r, n):
        return "<doc> " + self.words(n) + " </doc>"

    def sentence(self, r):
        return self.words(r.randint(8, 25))

    def answer(self, r):
        return self.words(r.randint(20, 60))

    def review(self, r):
        w = self.words(r.randint(6, 30)).split()
        for _ in range(r.randint(1, 3)):
            w.insert(r.randrange(len(w) + 1), r.choice(POS if r.random() < 0.55 else NEG))
        return " ".join(w)

    # ---------------------------------------------------------------- template filling
    _SLOT = re.compile(r"\{(\w+)(?::([\w\-]+))?\}")

    def fill(self, tpl, r):
        def rep(m):
            k, arg = m.group(1), m.group(2)
            if k == "n":
                lo, hi = (int(x) for x in arg.split("-")) if arg else (2, 99)
                return str(r.randint(lo, hi))
            if k == "doc":
                return self.doc(r, int(arg or 120))
            if k == "code":
                return self.code(r, arg or "python")
            f = getattr(self, k, None)
            if f is not None:
                return f(r)
            return r.choice(POOLS[k])
        return self._SLOT.sub(rep, tpl)

    def xlate(self, text, lang):
        def rep(m):
            w = m.group(0)
            key = (lang, w)
            v = self.xl_cache.get(key)
            if v is None:
                h = _h(lang + ":" + w, 4)
                v = lang[0] + "".join("aeioukmnrstlpzgh"[int(c, 16)] for c in h[: 3 + len(w) % 5])
                self.xl_cache[key] = v
            return v
        return re.sub(r"(?<![</\w])[A-Za-z]+\b", rep, text)

    def info(self, text, cat, cot=False, rub=False, lang="en", extra_chars=0):
        """-> (fingerprint, template, chars, lang, category, cot, rubric)"""
        base_len = len(text)
        if lang != "en":
            text = self.xlate(text, lang)
        norm = normalise(text)
        c = self.cache.get(norm)
        if c is None:
            c = (simhash64(norm), skeleton_hash(norm))
            if len(self.cache) > 400_000:
                self.cache.clear()
            self.cache[norm] = c
        chars = int((base_len + extra_chars) * CHAR_FACTOR.get(lang, 1.0))
        return (c[0], c[1], max(chars, 1), lang, cat, cot, rub)

    def make(self, tpl, r, cat, cot=False, rub=False, lang="en", extra_chars=0):
        return self.info(self.fill(tpl, r), cat, cot, rub, lang, extra_chars)

    def fixed_text(self, key, builder):
        """deterministic text, independent of the run rng (benchmarks, assignments, CI suites)."""
        t = self.fixed.get(key)
        if t is None:
            t = builder(random.Random(str(key)))
            self.fixed[key] = t
        return t

    # ---------------------------------------------------------------- prompt families
    def dev_chat(self, r, lang="en", p_cot=0.08, p_pop=0.12, cats=None):
        if r.random() < p_pop:
            return self.popular(r, lang=lang)
        cat, tpl = r.choice(DEV_BY_CAT[cats and r.choice(cats) or r.choice(DEV_CAT_W)])
        cot = False
        if r.random() < p_cot or (cat in ("math", "reasoning") and r.random() < 0.25):
            tpl = tpl + " " + r.choice(COT_SUFFIX)
            cot = True
        text = self.fill(tpl, r)
        if r.random() < 0.6:
            text += " " + self.words(r.randint(3, 20))
        return self.info(text, cat, cot, False, lang)

    def popular(self, r, which=None, lang="en"):
        cat, tpl = POPULAR[which if which is not None else r.randrange(len(POPULAR))]
        return self.make(tpl, r, cat, False, False, lang, extra_chars=r.randint(0, 4000) if "{doc" in tpl else 0)


POOLS = {"topic": TOPICS, "plang": PLANGS, "name": NAMES, "cverb": CVERB, "cobj": COBJ, "constr": CONSTR,
         "errname": ERRS, "concept": CONCEPTS, "adjq": ADJQ, "orm": ORMS, "genre": GENRES, "audience": AUDIENCES,
         "adj": ADJS, "product": PRODUCTS, "tone": TONES, "person": PERSONS, "mathc": MATHC, "decision": DECISIONS,
         "company": COMPANIES, "nlang": NLANGS, "subject": SUBJECTS, "fields": FIELDS3}

DEV_T = [
    ("coding", "how do i {cverb} {cobj} in {plang}"),
    ("coding", "why does my {plang} code fail with {errname} when i {cverb} the {cobj}? {code:python}"),
    ("coding", "write a {plang} function that {cverb} {cobj} {constr}"),
    ("coding", "can you refactor this to be more {adjq} {code:javascript}"),
    ("coding", "what is the difference between {concept} and {concept} in {plang}"),
    ("coding", "write unit tests for this {code:python}"),
    ("coding", "convert this query to {orm}: ```sql select * from {fields} where {fields} > {n} ```"),
    ("coding", "review my {plang} code for {errname} risks {code:python}"),
    ("knowledge", "explain {topic} like i am {n:5-40} years old"),
    ("knowledge", "what are the main causes of {topic}"),
    ("knowledge", "give me a short overview of {topic} and {topic}"),
    ("knowledge", "is it true that {topic} affects {topic}"),
    ("knowledge", "{question}?"),
    ("creative", "write a {genre} about {topic} for {audience}"),
    ("creative", "give me {n:5-20} name ideas for a {adj} {product}"),
    ("creative", "draft a {tone} email to my {person} about {topic}"),
    ("math", "what is {n:10-999} times {n:10-999} divided by {n:2-20}"),
    ("math", "solve for x: {n:2-20}x + {n:1-99} = {n:1-500}"),
    ("math", "how do i compute {mathc} for {cobj}"),
    ("math", "{math}"),
    ("reasoning", "help me decide whether to {decision} or {decision}"),
    ("reasoning", "what are the pros and cons of {topic} for a {adj} {company}"),
    ("reasoning", "{puzzle}"),
    ("other", 'translate to {nlang}: "{sentence}"'),
    ("other", 'fix the grammar: "{sentence}"'),
    ("other", "summarize this: {doc:120}"),
    ("other", 'turn these notes into bullet points: "{sentence}"'),
    ("agentic", "use the tools to {goal}"),
]
DEV_BY_CAT = {}
for _c, _t in DEV_T:
    DEV_BY_CAT.setdefault(_c, []).append((_c, _t))
DEV_CAT_W = ["coding"] * 34 + ["knowledge"] * 24 + ["creative"] * 10 + ["math"] * 7 + ["reasoning"] * 6 + \
            ["other"] * 14 + ["agentic"] * 5

POPULAR = [  # framework / tutorial prompts reused verbatim by many unrelated customers
    ("knowledge", 'answer the question based only on the following context: {doc:150} question: "{question}"'),
    ("other", "write a concise summary of the following: {doc:250} concise summary:"),
    ("other", 'extract the following fields as json ("{fields}, {fields}, {fields}") from the text below. {doc:180}'),
    ("other", 'classify the sentiment of this review as positive, negative or neutral. review: "{review}" '
              'answer with one word.'),
    ("other", 'translate the following text into {nlang}: "{sentence}"'),
    ("knowledge", "you are an assistant for question-answering tasks. use the following pieces of retrieved context "
                  "to answer the question. if you don't know the answer, just say that you don't know. "
                  'question: "{question}" context: {doc:150} answer:'),
]
JUDGE_T = ('[instruction] please act as an impartial judge and evaluate the quality of the response provided by an '
           'ai assistant to the user question displayed below. your evaluation should consider factors such as the '
           'helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response. begin your '
           'evaluation by providing a short explanation. be as objective as possible. after providing your '
           'explanation, you must rate the response on a scale of 1 to 10. [question] "{q}" '
           "[the start of assistant's answer] \"{a}\" [the end of assistant's answer]")

# attack content --------------------------------------------------------------------------------------
HYDRA_T = [  # (weight, category, cot, rubric, template)
    (16, "coding", True, False, 'you are a world-class software engineer. solve the task below in {plang}. before '
     'writing any code, think through the problem step by step and write out your complete reasoning, then give the '
     'final solution. task: "{codetask}"'),
    (12, "coding", False, False, 'implement the following in {plang} with production quality code, docstrings and '
     'tests. requirements: "{codetask}"'),
    (8, "coding", True, False, "here is some code: {code:python} find every bug. for each one explain the reasoning "
     "that led you to it, then output the fixed code."),
    (13, "agentic", False, False, 'you are an autonomous software agent operating in a terminal with the tools '
     'provided. objective: "{goal}". observations so far: {doc:80} decide the next tool call.'),
    (10, "agentic", True, False, 'you are an agent with tool access. objective: "{goal}". before each tool call, '
     'narrate your full internal reasoning in the language of the objective. history: {doc:60}'),
    (17, "reasoning", True, False, 'question: "{puzzle}" think step by step in the same language as the question. '
     'show all intermediate reasoning, then state the final answer on its own line.'),
    (12, "math", True, False, 'solve the following problem. explain the reasoning behind every step so that a '
     'student could reproduce it. problem: "{math}"'),
    (8, "reasoning", False, True, 'here is a question and a candidate answer. question: "{question}" answer: '
     '"{answer}" grade the answer from 1 to 10 against this rubric: correctness, reasoning quality, completeness. '
     'output a score per criterion with justification.'),
]
HYDRA_SEEDS = [
    ("knowledge", True, "write a detailed, expert-level explanation of how large language models use attention, "
     "including the reasoning behind each design choice, as if teaching a graduate seminar."),
    ("coding", False, "you are a senior engineer. write a complete, well-tested python implementation of a "
     "concurrent rate limiter with a token bucket, and explain every design decision."),
    ("reasoning", True, "a farmer needs to cross a river with a wolf, a goat and a cabbage. think through every "
     "possible sequence of moves step by step and explain why each one works or fails."),
]
HYDRA_LANGS = ["en"] * 45 + ["zh"] * 25 + ["ko"] * 8 + ["ru"] * 7 + ["es"] * 5 + ["ja"] * 5 + ["pt"] * 5
FAILOVER_T = [
    (30, "agentic", True, False, 'tool-use trajectory. task id {n:1000-99999}. environment: {plang} repository. '
     'goal: "{goal}". produce the full trajectory: thought, tool call, observation, for every step until done.'),
    (25, "coding", True, False, "given the failing test output {doc:50} and the source {code:python} write the "
     "patch and explain step by step why it fixes the failure."),
    (20, "coding", False, False, "translate this {plang} program into idiomatic rust and justify each design "
     "decision: {code:javascript}"),
    (15, "coding", False, False, 'write a complete solution with tests for: "{codetask}"'),
    (10, "reasoning", True, False, 'reason carefully and show your chain of thought: "{puzzle}"'),
]
SLOW_FAM = {
    "reason": ("reasoning", "{puzzle}", [
        'can you work through this carefully and show your thinking at each step? "{puzzle}"',
        'i am trying to understand how to approach this: "{puzzle}" walk me through your reasoning one step at a time.',
        'please reason out loud about the following before answering: "{puzzle}"',
        'explain, step by step, how you would solve this: "{puzzle}"',
        'show me your thought process for: "{puzzle}" then give the answer.',
        'break this problem down and explain each step of your reasoning: "{puzzle}"']),
    "math": ("math", "{math}", [
        'could you solve this and explain the reasoning behind each step? "{math}"',
        'help me with this problem, showing all intermediate steps: "{math}"',
        'work through the following carefully, step by step: "{math}"',
        'i need a full worked solution with reasoning for: "{math}"',
        'solve "{math}" and explain why each step is valid.',
        'what is the answer to "{math}"? please think it through step by step.']),
    "code": ("coding", "{codetask}", [
        'i need help with this: "{codetask}" can you explain your approach before writing the code?',
        'please {codetask_q} and walk me through the reasoning behind the design.',
        'how would an expert approach this task: "{codetask}"? explain your thinking, then show code.',
        'solve this programming task and explain each decision: "{codetask}"',
        'task for you: "{codetask}" first reason about edge cases, then implement it.',
        'write code for "{codetask}" and explain step by step how it works.']),
    "agent": ("agentic", "{goal}", [
        'i want you to {goal_q}. plan it out and explain your reasoning before each tool call.',
        'objective: "{goal}". think about what to do next and call the right tool.',
        'help me {goal_q}. describe your thought process as you use the tools.',
        'please handle this with the tools available: "{goal}". explain every step.']),
}
RUBRIC_T = ('score the following response to the prompt on a 1-5 scale for each criterion in the rubric '
            '(accuracy, reasoning, helpfulness, harmlessness) and output json. prompt: "{question}" response: "{answer}"')


# ============================================================================== world
class Acct:
    __slots__ = ("id", "org", "created", "tier", "verified", "pay", "persona", "attack", "campaign", "keys", "obj",
                 "retry", "selfsim")


class World:
    def __init__(self, seed, hours):
        self.seed, self.hours = seed, hours
        self.r = random.Random(seed)
        base = dt.datetime(2026, 3, 9, 13, 0, tzinfo=dt.timezone.utc).timestamp()
        self.t0 = base + (seed % 37) * 86400 + self.r.randrange(0, 6) * 3600
        self.t1 = self.t0 + hours * 3600
        self.release = self.t0 + round(hours * 3600 * 0.35 / 60) * 60
        self.lib = Lib(self.r)
        self.accounts = []
        self.ev = {}
        self.hscale = hours / 4.0

    # ---------------------------------------------------------------- helpers
    def hexid(self, n):
        return f"{self.r.getrandbits(4 * n):0{n}x}"

    def card(self):
        return "pf_" + self.hexid(24)

    def acct(self, persona, created, tier, verified, pay="new", org="new", attack=False, campaign=None, nkeys=1,
             retry=0.85):
        a = Acct()
        a.id = "acct_" + self.hexid(16)
        a.org = ("org_" + self.hexid(12)) if org == "new" else org
        a.created = round(created, 3)
        a.tier, a.verified = tier, verified
        a.pay = self.card() if pay == "new" else pay
        a.persona, a.attack, a.campaign = persona, attack, campaign
        a.keys = ["key_" + self.hexid(20) for _ in range(nkeys)]
        a.obj = {"created_at": a.created, "tier": tier, "verified": verified, "payment_fingerprint": a.pay}
        a.retry, a.selfsim = retry, False
        self.accounts.append(a)
        self.ev[a.id] = []
        return a

    def aged(self, lo_days=20, hi_days=1100, med=220):
        d = min(hi_days, max(lo_days, self.r.lognormvariate(math.log(med), 0.8)))
        return self.t0 - d * 86400 - self.r.uniform(0, 86400)

    def loc(self, net, v6p=0.0):
        asn, cc, pfx, v6, _ = NETS[net]
        r = self.r
        if v6 and r.random() < v6p:
            groups = v6.count(":") + 1
            tail = ":".join(f"{r.getrandbits(16):x}" for _ in range(8 - groups))
            return (f"{v6}:{tail}", asn, cc)
        return (f"{r.choice(pfx)}.{r.randrange(256)}.{r.randrange(1, 255)}", asn, cc)

    def block24(self, net):
        asn, cc, pfx, _, _ = NETS[net]
        return (f"{self.r.choice(pfx)}.{self.r.randrange(256)}", asn, cc)

    def in24(self, blk):
        return (f"{blk[0]}.{self.r.randrange(2, 254)}", blk[1], blk[2])

    def home_loc(self, cc):
        return self.loc(self.r.choice(COUNTRY_NETS[cc]), v6p=0.15)

    def arrivals(self, rate_h, a, b, tz=None, flat=1.0):
        """inhomogeneous Poisson; rate_h is the peak hourly rate."""
        r = self.r
        a, b = max(a, self.t0), min(b, self.t1)
        out = []
        if rate_h <= 0 or b <= a:
            return out
        t = a
        lam = rate_h / 3600.0
        while True:
            t += r.expovariate(lam)
            if t >= b:
                return out
            if tz is None or r.random() < flat + (1 - flat) * diurnal(t, tz):
                out.append(t)

    def session_times(self, start, dur, think, jitter=0.6):
        r = self.r
        t, out, end = start, [], min(start + dur, self.t1)
        while t < end:
            out.append(t)
            t += think * r.uniform(1 - jitter, 1 + jitter) * r.choice([1, 1, 1, 0.4, 2.5])
        return out

    def adopt(self, ts, delay, tau, final):
        x = ts - self.release - delay
        return 0.0 if x <= 0 else final * (1 - math.exp(-x / tau))

    def pick_model(self, ts, mix, adopt=None):
        r = self.r
        if adopt and ts > self.release and r.random() < self.adopt(ts, *adopt):
            return NEW_MODEL
        x = r.random() * sum(w for _, w in mix)
        for m, w in mix:
            x -= w
            if x <= 0:
                return m
        return mix[-1][0]

    def temp(self, choices=(None, None, 0, 0.2, 0.5, 0.7, 0.7, 1.0)):
        return self.r.choice(choices)

    def comp_tokens(self, cat, cot):
        med = {"coding": 550, "math": 380, "reasoning": 450, "agentic": 180, "creative": 480, "knowledge": 320,
               "other": 120}[cat]
        if cot:
            med *= 1.7
        return max(1, int(self.r.lognormvariate(math.log(med), 0.7)))

    # ---------------------------------------------------------------- the event
    def emit(self, a, ts, loc, cl, model, pi, *, key=None, ep=None, params=None, comp=None, status=200, sysh=None,
             extra_ptok=0, think=False, strip=False):
        r = self.r
        if ts < self.t0 or ts >= self.t1 or ts < a.created:
            return None
        fp, tpl, chars, lang, cat, cot, rub = pi
        spec = MODELS[model]
        if ep is None:
            ep = "/v1/embeddings" if model == "orion-embed-2" else "/v1/messages"
        rt = None
        if status == 200:
            ptok = int(chars / CPT.get(lang, 3.6) * r.uniform(0.92, 1.08)) + extra_ptok + 1
            if model == "orion-embed-2":
                comp = 0
            elif comp is None:
                comp = self.comp_tokens(cat, cot)
            mt = params.get("max_tokens") if params else None
            if mt and comp > mt:
                comp = mt
            if think and spec[2]:
                rt = int(min(r.lognormvariate(math.log(2200 if cot else 1100), 0.8), 31000))
            gen = (comp + (rt or 0)) / spec[0] * 1000 if spec[0] else 0
            lat = (spec[1] + ptok * 0.015 + gen) * r.lognormvariate(0, 0.25)
        else:
            ptok, comp = 0, 0
            lat = {429: r.uniform(8, 60), 403: r.uniform(6, 40), 529: r.uniform(200, 4000),
                   500: r.uniform(300, 30000), 400: r.uniform(5, 50)}.get(status, r.uniform(10, 100))
        ev = {"event_id": "req_" + self.hexid(24), "ts": round(ts, 3), "account_id": a.id}
        if a.org and not strip:
            ev["org_id"] = a.org
        ev["api_key_id"] = key or a.keys[0]
        ev["ip"], ev["asn"], ev["country"] = loc
        ev["user_agent"] = None if strip else cl[0]
        ev["ja4"] = cl[1]
        ev["endpoint"] = ep
        ev["model"] = model
        ev["status"] = status
        ev["prompt_tokens"] = ptok
        ev["completion_tokens"] = comp
        if rt is not None and status == 200:
            ev["reasoning_tokens"] = rt
        ev["latency_ms"] = round(lat, 1)
        if params:
            ev["params"] = params
        ev["prompt"] = {"fingerprint": fp, "template": tpl, "system_hash": sysh, "chars": chars, "lang": lang,
                        "category": cat, "cot_request": cot, "rubric_request": rub}
        ev["account"] = a.obj
        self.ev[a.id].append(ev)
        return ev

    def sys(self, label):
        return _h("sys:" + label, 8)

    # ================================================================ legitimate personas
    def p_dev_individual(self, n=300):
        r = self.r
        for _ in range(n):
            cc = r.choice(DEV_COUNTRIES)
            tz = TZ[cc]
            new = r.random() < 0.12
            if new:
                created = self.t0 + r.uniform(-2 * 86400, 0.7 * self.hours * 3600)
                tier = r.choice(["free", "free", "free", "tier1"])
                verified = r.random() < 0.4
            else:
                created = self.aged()
                tier = r.choices(["free", "tier1", "tier2", "tier3", "tier4"], [30, 36, 22, 9, 3])[0]
                verified = r.random() < 0.85
            pay = None if (tier == "free" and r.random() < 0.7) else "new"
            a = self.acct("dev_individual", created, tier, verified, pay, nkeys=r.choice([1, 1, 1, 2, 3]))
            home = self.home_loc(cc)
            locs = [home]
            if r.random() < 0.2:
                locs.append(self.loc(r.choice(CLOUDS_ALL)))
            if r.random() < 0.1:
                locs.append(self.loc(r.choice(["m247", "datacamp", "warp"]), 0.3))
            if r.random() < 0.15:
                locs.append(self.loc("tmobile_us" if cc == "US" else r.choice(COUNTRY_NETS[cc])))
            cl = make_client(r, r.choice(DEV_CLIENTS))
            cl2 = make_client(r, r.choice(DEV_CLIENTS)) if r.random() < 0.3 else cl
            lang = "en" if r.random() < 0.75 or cc in ("US", "GB", "CA", "AU", "NG", "IN", "SG") else \
                {"DE": "de", "FR": "fr", "ES": "es", "BR": "pt", "JP": "ja", "KR": "ko", "TW": "zh", "VN": "vi",
                 "MX": "es", "TR": "tr", "UA": "ru", "NL": "en", "PH": "en", "ID": "en", "HK": "zh"}.get(cc, "en")
            mix = r.choice([[("orion-4", 5), ("orion-4-mini", 3), ("orion-4-pro", 2)], [("orion-4-mini", 1)],
                            [("orion-4", 1)], [("orion-4-pro", 1)], [("orion-4", 3), ("orion-4-pro", 1)]])
            adopt = (r.uniform(120, 4000), 1800, r.uniform(0.3, 0.9)) if r.random() < 0.4 else None
            t_start = max(self.t0, created + r.uniform(30, 600)) if new else self.t0
            rate = r.lognormvariate(math.log(0.5), 0.7)
            starts = self.arrivals(rate, t_start, self.t1, tz, flat=0.15)
            if not starts:
                starts = [r.uniform(t_start, self.t1 - 60)]
            heavy = r.random() < 0.08
            sysh = self.sys(f"dev{a.id}") if r.random() < 0.25 else None
            temp = self.temp()
            for s in starts:
                dur = r.expovariate(1 / (1500 if not heavy else 4000))
                think = r.uniform(35, 140) if not heavy else r.uniform(6, 25)
                lc = r.choice(locs)
                for t in self.session_times(s, dur + 60, think):
                    pi = self.lib.dev_chat(r, lang)
                    model = self.pick_model(t, mix, adopt)
                    ep = r.choice(["/v1/messages", "/v1/messages", "/v1/chat/completions"])
                    params = {"max_tokens": r.choice([512, 1024, 2048, 4096, 8192]), "stream": r.random() < 0.6}
                    if temp is not None:
                        params["temperature"] = temp
                    if pi[4] == "agentic":
                        params["tools"] = r.randint(1, 8)
                    st = 400 if r.random() < 0.006 else 200
                    self.emit(a, t, lc, cl if r.random() < 0.8 else cl2, model, pi, key=r.choice(a.keys), ep=ep,
                              params=params, sysh=sysh, status=st, think=(model in ("orion-4-pro", NEW_MODEL)
                                                                          and r.random() < 0.4))

    def p_students(self):
        r = self.r
        courses = [("uni_bu", "US", 55, 0.15), ("uni_janet", "GB", 40, 0.55)]
        for ci, (uni, cc, n, lab_at) in enumerate(courses):
            tz = TZ[cc]
            course_day = self.t0 - r.uniform(3, 20) * 86400
            nat = [self.in24(self.block24(uni)) for _ in range(r.randint(2, 4))]
            lab_start = self.t0 + lab_at * self.hours * 3600
            lab_dur = r.uniform(60, 100) * 60
            qtexts = [self.lib.fixed_text(("assign", self.seed, ci, k), lambda rr: (
                self.lib.math(rr) if k % 2 == 0 else self.lib.codetask(rr))) for k in range(6)]
            wrappers = ["{q}", "explain step by step: {q}", "solve and show your work: {q}",
                        "i don't understand this homework question, can you explain it step by step? {q}"]
            model = r.choice(["orion-4-mini", "orion-4"])
            for _ in range(int(n)):
                a = self.acct("student", course_day + r.uniform(-86400, 2 * 86400), "free", r.random() < 0.5,
                              pay=None, org="new")
                kind = r.choices(["lab", "colab", "home"], [60, 25, 15])[0]
                cl = make_client(r, r.choice(["browser", "py_openai", "py_anthropic", "py_openai"]))
                if kind == "colab":
                    cl = make_client(r, "py_openai")
                home = self.home_loc(cc if r.random() < 0.7 else r.choice(DEV_COUNTRIES))
                sess = []
                if kind == "lab" or r.random() < 0.3:
                    sess.append((lab_start + r.expovariate(1 / 240), lab_dur * r.uniform(0.5, 1.0), "lab"))
                for s in self.arrivals(0.25, self.t0, self.t1, tz, flat=0.3):
                    sess.append((s, r.uniform(600, 2400), "home"))
                if not sess:
                    sess.append((r.uniform(self.t0, self.t1 - 600), r.uniform(600, 2400), "home"))
                for s, d, where in sess:
                    if where == "lab":
                        lc = r.choice(nat) if kind != "colab" else self.loc("gcp_us")
                    else:
                        lc = self.loc("gcp_us") if kind == "colab" else home
                    for t in self.session_times(s, d, r.uniform(70, 240)):
                        if r.random() < 0.55:
                            k = r.randrange(6)
                            w = r.choice(wrappers)
                            text = w.replace("{q}", '"' + qtexts[k] + '"') if w != "{q}" else qtexts[k]
                            pi = self.lib.info(text, "math" if k % 2 == 0 else "coding", cot=w != "{q}")
                        else:
                            pi = self.lib.dev_chat(r, p_cot=0.4, cats=["math", "coding", "reasoning", "knowledge"])
                        self.emit(a, t, lc, cl, model, pi, params={"max_tokens": 1024, "temperature": 0.7,
                                                                   "stream": cl[0].startswith("Mozilla")})

    def p_hackathon(self, n=30):
        r = self.r
        kickoff = self.t0 + r.uniform(0.25, 0.45) * self.hours * 3600
        venue = self.block24("lumen")
        ips = [self.in24(venue) for _ in range(2)]
        sysh = self.sys("starter-kit")
        tpl = 'you are sparky, a friendly assistant built with the orion starter kit. help the user with: "{sentence}"'
        for _ in range(n):
            a = self.acct("hackathon", kickoff - r.choice([r.uniform(60, 3600), r.uniform(3600, 86400)]),
                          r.choice(["free", "free", "tier1"]), r.random() < 0.3, pay=None if r.random() < 0.7
                          else "new")
            cl = make_client(r, r.choice(["node_anthropic", "py_anthropic", "node_openai", "py_openai", "curl"]))
            t = kickoff + r.expovariate(1 / 600)
            end = kickoff + r.uniform(0.6, 1.0) * (self.t1 - kickoff)
            model = r.choice(["orion-4", "orion-4-mini"])
            while t < end:
                if r.random() < 0.04:  # scripted loop test
                    for k in range(r.randint(8, 20)):
                        pi = self.lib.make(tpl, r, "other")
                        self.emit(a, t + k * r.uniform(0.5, 2.5), r.choice(ips), cl, model, pi, sysh=sysh,
                                  params={"max_tokens": 512})
                    t += 90
                pi = self.lib.make(tpl, r, r.choice(["other", "knowledge", "creative"])) if r.random() < 0.55 \
                    else self.lib.dev_chat(r)
                self.emit(a, t, r.choice(ips), cl, self.pick_model(t, [(model, 1)], (600, 900, 0.3)), pi,
                          sysh=sysh, params={"max_tokens": 1024, "stream": True})
                t += r.expovariate(1 / r.choice([30, 60, 120, 240]))

    def _app_templates(self, r, cat, k):
        frames = {
            "other": ['you are a support classifier. route this ticket to billing, tech or sales: "{sentence}"',
                      'rewrite the following product description in a {tone} tone: "{sentence}"',
                      'extract the order number, date and amount from this email and return json: {doc:90}'],
            "knowledge": ['answer the customer question using the help center articles. question: "{question}" '
                          'articles: {doc:140}', 'you are a study buddy. explain "{topic}" to a {audience} audience',
                          'answer the question about our product: "{question}"'],
            "coding": ['generate a {plang} snippet for this request from our ide plugin: "{codetask}"',
                       'explain this code for a code review comment: {code:python}'],
            "creative": ['write a {genre} for our marketing calendar about "{topic}"',
                         'write {n:3-8} subject lines for an email about "{topic}"'],
            "reasoning": ['evaluate this loan application and explain your reasoning step by step: {doc:120}',
                          'assess the risk in this contract clause and explain why: "{sentence}"'],
            "math": ['you are a math tutor. guide the student step by step through: "{math}"'],
            "agentic": ['you are the scheduling agent for a clinic. request: "{sentence}". use the tools.'],
        }
        fr = frames[cat][:]
        r.shuffle(fr)
        out = fr[:k]
        if r.random() < 0.35:
            out.append(POPULAR[r.randrange(len(POPULAR))][1])
        return out

    def p_small_apps(self, n=120):
        r = self.r
        for i in range(n):
            cat = r.choices(["other", "knowledge", "coding", "creative", "reasoning", "math", "agentic"],
                            [28, 26, 14, 12, 8, 6, 6])[0]
            new = r.random() < 0.08
            created = self.t0 - r.uniform(0.2, 3) * 86400 if new else self.aged(30, 900, 300)
            rate = min(400, r.lognormvariate(math.log(28), 0.9))
            tier = "tier1" if rate < 20 and r.random() < 0.5 else r.choice(["tier2", "tier2", "tier3", "tier4"])
            a = self.acct("small_app", created, tier, r.random() < 0.9 or not new, nkeys=r.choice([1, 2, 2, 3]))
            cc = r.choice(["US", "US", "US", "DE", "GB", "IN", "JP", "BR", "FR", "SG"])
            net = r.choice(CLOUDS_ALL)
            locs = [self.loc(net, 0.2) for _ in range(r.randint(1, 4))]
            cl = make_client(r, r.choice(SDK_CLIENTS + ["requests", "go", "java", "axios", "httpx"]))
            tpls = self._app_templates(r, cat, r.randint(1, 3))
            sysh = self.sys(f"app{a.id}")
            model = r.choice(["orion-4-mini", "orion-4-mini", "orion-4", "orion-4", "orion-4-pro"])
            adopt = (r.uniform(600, 6000), 1200, r.uniform(0.5, 1.0)) if r.random() < 0.12 else None
            temp = r.choice([0, 0.2, 0.3, 0.5, 0.7, 1.0, None])
            mt = r.choice([256, 512, 1024, 2048, 4096])
            ep = r.choice(["/v1/messages", "/v1/chat/completions"])
            lang = r.choice(["en"] * 8 + ["de", "ja", "pt", "es", "fr"])
            for t in self.arrivals(rate, self.t0, self.t1, TZ.get(cc, 0), flat=r.uniform(0.2, 0.6)):
                tp = r.choice(tpls)
                pi = self.lib.make(tp, r, cat, "step by step" in tp or "explain why" in tp, False,
                                   lang, extra_chars=r.randint(0, 3000) if "{doc" in tp else 0)
                params = {"max_tokens": mt, "stream": ep == "/v1/messages" and r.random() < 0.3}
                if temp is not None:
                    params["temperature"] = temp
                if cat == "agentic":
                    params["tools"] = r.randint(3, 9)
                self.emit(a, t, r.choice(locs), cl, self.pick_model(t, [(model, 1)], adopt), pi, key=a.keys[0],
                          ep=ep, params=params, sysh=sysh, extra_ptok=r.randint(200, 1500))
            if len(a.keys) > 1:  # staging key, low traffic
                stg = self.loc(r.choice(CLOUDS_ALL))
                for t in self.arrivals(2, self.t0, self.t1, TZ.get(cc, 0), 0.1):
                    pi = self.lib.make(r.choice(tpls), r, cat)
                    self.emit(a, t, stg, cl, model, pi, key=a.keys[1], ep=ep,
                              params={"max_tokens": mt}, sysh=sysh)

    def p_consumer_apps(self, n=4):
        r = self.r
        for i in range(n):
            a = self.acct("consumer_app", self.aged(200, 1000, 450), r.choice(["tier5", "enterprise"]), True,
                          nkeys=2)
            embedded = i == 0
            rate = r.uniform(500, 1300)
            sysh = self.sys(f"consumer{a.id}")
            if embedded:
                app = r.choice(["Chatly", "AskPal", "Noteo"])
                cls = [(f"{app}/3.{r.randint(0, 9)}.{r.randint(0, 20)} CFNetwork/1568.100.1 Darwin/24.0.0",
                        JA4["cfnetwork"]), (f"okhttp/4.12.0", JA4["okhttp"])]
            else:
                cls = [make_client(r, r.choice(["py_anthropic", "node_anthropic", "go"]))]
                locs = [self.loc(r.choice(CLOUDS_US), 0.3) for _ in range(r.randint(3, 8))]
            model_mix = [("orion-4-mini", 6), ("orion-4", 3), ("orion-4-pro", 1)]
            adopt = (r.uniform(1800, 5400), 1800, 0.3)
            for t in self.arrivals(rate, self.t0, self.t1, -5, flat=0.45):
                if embedded:
                    cc = r.choice(DEV_COUNTRIES)
                    lc = self.loc(r.choice(COUNTRY_NETS[cc]), 0.3)
                else:
                    lc = r.choice(locs)
                pi = self.lib.dev_chat(r, p_cot=0.03, p_pop=0.0, cats=["knowledge", "creative", "other", "knowledge",
                                                                       "reasoning", "coding", "math"])
                self.emit(a, t, lc, r.choice(cls), self.pick_model(t, model_mix, adopt), pi, key=a.keys[0],
                          params={"max_tokens": 1024, "temperature": 0.8, "stream": True}, sysh=sysh,
                          extra_ptok=r.randint(300, 6000))

    def p_batch_docs(self, n=14):
        r = self.r
        for i in range(n):
            new = i < 4
            created = self.t0 - r.uniform(0.05, 2) * 86400 if new else self.aged(40, 900, 300)
            tier = r.choice(["tier3", "tier4", "tier4"]) if not new else r.choice(["tier2", "tier3", "tier4"])
            a = self.acct("batch_docs", created, tier, (not new) or r.random() < 0.4, nkeys=r.choice([1, 2]))
            net = r.choice(CLOUDS_ALL)
            workers = [self.loc(net, 0.3) for _ in range(r.randint(1, 4))]
            cl = make_client(r, r.choice(["py_anthropic", "py_openai", "aiohttp", "httpx", "java", "go"]))
            tpl = r.choice([POPULAR[1][1], POPULAR[2][1],
                            'you are a contract analyst. list every clause about {fields} and {fields} in the '
                            'following agreement, quoting the section numbers. {doc:300}',
                            'summarize this medical record for a discharge letter. {doc:300}',
                            'translate the following document into {nlang}, preserving formatting. {doc:250}',
                            'classify this insurance claim and extract the claimed amount as json. {doc:200}'])
            cat = "knowledge" if "contract" in tpl or "medical" in tpl else "other"
            model = r.choice(["orion-4", "orion-4-mini", "orion-4-pro"])
            sysh = self.sys(f"batch{a.id}") if r.random() < 0.6 else None
            embed = r.random() < 0.3
            for _ in range(r.choice([1, 1, 2])):
                ndocs = int(r.uniform(300, 1800) * (0.6 if embed else 1))
                conc = r.choice([4, 8, 8, 16, 32])
                gap = r.uniform(4, 18) / conc
                t = r.uniform(self.t0, self.t1 - 0.3 * 3600)
                for _k in range(ndocs):
                    if t >= self.t1:
                        break
                    pi = self.lib.make(tpl, r, cat, False, False, "en", extra_chars=r.randint(2000, 60000))
                    self.emit(a, t, r.choice(workers), cl, model, pi, key=a.keys[0], sysh=sysh,
                              params={"max_tokens": r.choice([1024, 2048, 4096]), "temperature": 0})
                    if embed:
                        for _e in range(r.randint(1, 3)):
                            self.emit(a, t + r.uniform(0, 2), r.choice(workers), cl, "orion-embed-2",
                                      self.lib.info(self.lib.words(r.randint(80, 300)), "other"), key=a.keys[-1])
                    t += gap * r.lognormvariate(0, 0.35)

    def _bench_pi(self, bench, item, wrap):
        lib = self.lib
        q = lib.fixed_text(("bench", bench, item), {
            "gsm": lib.math, "mmlu": lambda rr: lib.question(rr) + " a. " + lib.words(3) + " b. " + lib.words(3) +
            " c. " + lib.words(4) + " d. " + lib.words(2), "code": lambda rr: lib.code(rr, "python"),
            "arc": lib.puzzle, "judge": lambda rr: lib.question(rr) + "|" + lib.answer(rr),
            "agent": lib.sentence}[bench])
        if bench == "gsm":
            text = ['question: "{q}" answer: let\'s think step by step.',
                    'solve the following math problem step by step. the last line of your response should be of the '
                    'form answer: $answer. "{q}"', '"{q}" give only the final number.'][wrap % 3]
            return lib.info(text.replace("{q}", q), "math", cot=wrap % 3 != 2)
        if bench == "mmlu":
            subj = SUBJECTS[item % len(SUBJECTS)]
            text = [f'the following are multiple choice questions (with answers) about {subj}. "{q}" answer:',
                    f'answer the following multiple choice question. think step by step before answering. '
                    f'the last line of your response should be: answer: $letter. "{q}"'][wrap % 2]
            return lib.info(text, "knowledge", cot=wrap % 2 == 1)
        if bench == "code":
            text = ["complete the following python function. " + q,
                    "write a solution to the following problem and make sure that it passes the tests: " + q][wrap % 2]
            return lib.info(text, "coding")
        if bench == "arc":
            return lib.info(f'question: "{q}" think step by step, then give the answer.', "reasoning", cot=True)
        if bench == "judge":
            qq, aa = q.split("|")
            return lib.info(JUDGE_T.replace("{q}", qq).replace("{a}", aa), ["reasoning", "coding", "knowledge"][item % 3],
                            rub=True)
        return lib.info(f'you are a customer service agent for an airline. follow the policy strictly. user: "{q}"',
                        "agentic")

    def p_eval_harness(self, n=10):
        r = self.r
        for i in range(n):
            new = i < 2
            a = self.acct("eval_harness", self.t0 - r.uniform(0.3, 1.5) * 86400 if new else self.aged(60, 900, 400),
                          r.choice(["tier4", "tier5", "enterprise"]) if not new else "tier3", True,
                          nkeys=r.choice([1, 2, 3]))
            if r.random() < 0.3:
                locs, ci = None, True
            else:
                net = r.choice(CLOUDS_ALL)
                locs, ci = [self.loc(net) for _ in range(r.randint(1, 3))], False
            cl = make_client(r, r.choice(["py_openai", "py_anthropic", "aiohttp", "httpx"]))
            benches = r.sample(["gsm", "mmlu", "code", "arc", "judge", "agent"], r.randint(3, 5))
            wrap = r.randrange(3)
            base = r.choice(["orion-4", "orion-4-pro"])

            def run(bench, model, t, nitems, conc, samples=1, temp=0.0):
                gap = r.uniform(3, 12) / conc
                runners = [self.loc(r.choice(["azure_us", "aws_use1"])) for _ in range(r.randint(2, 12))]
                start_item = 0 if r.random() < 0.7 else r.randrange(0, 400)
                for it in range(start_item, start_item + nitems):
                    pi = self._bench_pi(bench, it, wrap)
                    for _s in range(samples):
                        lc = r.choice(locs) if locs else r.choice(runners)
                        params = {"max_tokens": 2048 if pi[5] else 512, "temperature": temp}
                        if bench == "agent":
                            params["tools"] = r.randint(8, 15)
                        self.emit(a, t, lc, cl, model, pi, key=a.keys[-1], params=params,
                                  think=model != "orion-4" and r.random() < 0.5,
                                  ep="/v1/chat/completions" if "OpenAI" in cl[0] else "/v1/messages")
                        t += gap * r.lognormvariate(0, 0.4)
                return t

            # nightly / regression suite before the release (low rate)
            t = self.t0 + r.uniform(0, 1800)
            if r.random() < 0.6 and not new:
                t = run(r.choice(benches), base, t, r.randint(80, 250), 1)
            # release day: move to the new model within minutes, full concurrency
            t = max(t, self.release + r.uniform(60, 900))
            for b in benches:
                if t >= self.t1:
                    break
                samples = 5 if (b == "code" and r.random() < 0.5) else 1
                t = run(b, NEW_MODEL, t, r.randint(150, 500), r.choice([8, 16, 32]), samples,
                        0.8 if samples > 1 else 0.0)
                t += r.uniform(60, 900)
            if t < self.t1 - 600:  # comparison run against the previous model
                run(r.choice(benches), base, t, r.randint(100, 300), 8)

    def p_ci_runners(self, n=18):
        r = self.r
        for i in range(n):
            a = self.acct("ci_runner", self.aged(20, 900, 200), r.choice(["tier2", "tier3", "tier3", "tier4"]),
                          True)
            cl = make_client(r, r.choice(["py_anthropic", "py_openai", "node_anthropic", "httpx"]))
            suite = [self.lib.fixed_text(("ci", self.seed, i, k), lambda rr: self.lib.fill(
                rr.choice([t for _, t in DEV_T if "{doc" not in t]), rr)) for k in range(r.randint(20, 80))]
            suite_pi = [self.lib.info(s, "coding") for s in suite]
            net = r.choice(["azure_us", "azure_us", "aws_use1", "gcp_us", "azure_eu"])
            model = r.choice(["orion-4-mini", "orion-4"])
            matrix5 = r.random() < 0.3
            tz = r.choice([-8, -5, 1, 5.5])
            for s in self.arrivals(r.uniform(1.5, 4), self.t0, self.t1, tz, flat=0.35):
                lc = self.loc(net, 0.1)  # fresh ephemeral runner each job
                models = [model] + ([NEW_MODEL] if matrix5 and s > self.release else [])
                t = s
                for m in models:
                    for pi in suite_pi:
                        self.emit(a, t, lc, cl, m, pi, params={"max_tokens": 512, "temperature": 0},
                                  comp=r.randint(5, 400))
                        t += r.uniform(0.3, 4)

    def p_gateways(self, n=6):
        r = self.r
        for i in range(n):
            a = self.acct("llm_gateway", self.aged(100, 900, 350), r.choice(["tier5", "enterprise"]), True,
                          nkeys=r.randint(1, 4))
            net = r.choice(CLOUDS_ALL)
            locs = [self.loc(net, 0.3) for _ in range(r.randint(2, 8))]
            cl = make_client(r, r.choice(["go", "node_openai", "rust", "litellm"]))
            rate = r.uniform(300, 900)
            mix = [("orion-4-mini", 4), ("orion-4", 4), ("orion-4-pro", 2), ("orion-3.5-turbo", 0.3)]
            adopt = (r.uniform(60, 600), 2400, r.uniform(0.25, 0.45))
            for t in self.arrivals(rate, self.t0, self.t1, r.choice([-5, 1, 8]), flat=0.6):
                x = r.random()
                if x < 0.05:
                    pi = self.lib.dev_chat(r, p_cot=1.0, cats=["reasoning", "math"])
                elif x < 0.2:
                    pi = self.lib.popular(r)
                else:
                    pi = self.lib.dev_chat(r, lang=r.choice(["en"] * 6 + ["zh", "es", "de", "ja", "ko"]))
                model = self.pick_model(t, mix, adopt)
                params = {"max_tokens": r.choice([256, 1024, 4096, 8192])}
                tmp = self.temp()
                if tmp is not None:
                    params["temperature"] = tmp
                if r.random() < 0.02:
                    params["n"] = r.randint(2, 4)
                if r.random() < 0.03:
                    params["logprobs"] = True
                    params["top_logprobs"] = r.choice([1, 5, 10])
                    if r.random() < 0.15:
                        params["logit_bias"] = True
                if pi[4] == "agentic" or r.random() < 0.08:
                    params["tools"] = r.randint(1, 20)
                params["stream"] = r.random() < 0.5
                ep = "/v1/completions" if model == "orion-3.5-turbo" else "/v1/chat/completions"
                self.emit(a, t, r.choice(locs), cl, model, pi, key=r.choice(a.keys), ep=ep, params=params,
                          strip=True, sysh=None if r.random() < 0.5 else self.sys(f"gw{r.randrange(400)}"),
                          think=model in ("orion-4-pro", NEW_MODEL) and r.random() < 0.3)

    def p_synthetic(self, n=8):
        r = self.r
        gens = [("creative", False, 'generate {n:3-10} diverse {genre}s about "{topic}" for {audience}. vary style.'),
                ("coding", True, 'write a {plang} programming exercise about "{codetask}" with a reference solution '
                                 'and a step-by-step explanation.'),
                ("math", True, 'create a word problem similar to "{math}" and provide a worked solution with '
                               'reasoning for each step.'),
                ("other", False, 'write a realistic customer support dialogue about "{sentence}" between an agent and '
                                 'a {tone} customer. output json.'),
                ("knowledge", False, 'write {n:5-20} question and answer pairs about "{topic}" for a {audience} '
                                     'quiz.')]
        for i in range(n):
            a = self.acct("synthetic_data", self.aged(60, 900, 300), r.choice(["tier4", "tier5"]), True)
            net = r.choice(CLOUDS_ALL)
            locs = [self.loc(net) for _ in range(r.randint(1, 4))]
            cl = make_client(r, r.choice(["py_openai", "py_anthropic", "aiohttp"]))
            mine = r.sample(gens, r.randint(1, 2))
            rubric = r.random() < 0.5
            model = r.choice(["orion-4", "orion-4-mini", "orion-4-pro"])
            rate = r.uniform(150, 500)
            sysh = self.sys(f"syn{a.id}")
            for t in self.arrivals(rate, self.t0, self.t1, None):
                if rubric and r.random() < 0.15:
                    pi = self.lib.make(RUBRIC_T, r, mine[0][0], False, True)
                    params = {"max_tokens": 256, "temperature": 0}
                else:
                    cat, cot, tp = r.choice(mine)
                    pi = self.lib.make(tp, r, cat, cot)
                    params = {"max_tokens": 4096, "temperature": r.choice([0.9, 1.0, 1.1, 1.2])}
                    if r.random() < 0.3:
                        params["n"] = r.randint(2, 4)
                self.emit(a, t, r.choice(locs), cl, self.pick_model(t, [(model, 1)]), pi, params=params, sysh=sysh,
                          ep="/v1/chat/completions")

    def p_enterprise(self, n_orgs=8):
        r = self.r
        zs = [self.in24(self.block24("zscaler")) for _ in range(12)]
        revoked_done = False
        for o in range(n_orgs):
            org = "org_" + self.hexid(12)
            card = self.card()
            cc = r.choice(["US", "US", "GB", "DE", "FR", "JP"])
            tz = TZ[cc]
            if r.random() < 0.5:
                egress = zs
            else:
                blk = self.block24(r.choice(["cogent", "lumen", "colt"]))
                egress = [self.in24(blk) for _ in range(r.randint(1, 4))]
            app_net = r.choice(CLOUDS_ALL)
            audit = o == 0
            for j in range(r.randint(3, 10)):
                a = self.acct("enterprise", self.aged(30, 800, 250), r.choice(["tier4", "enterprise", "enterprise"]),
                              True, pay=card, org=org, nkeys=r.randint(2, 6))
                rate = r.uniform(8, 60)
                cls = [make_client(r, r.choice(DEV_CLIENTS)) for _ in range(r.randint(2, 6))]
                homes = [self.home_loc(cc) for _ in range(r.randint(3, 15))]
                app = self._app_templates(r, r.choice(["other", "knowledge", "coding", "reasoning"]), 2)
                sysh = self.sys(f"ent{a.id}")
                revoke = None
                if not revoked_done and len(a.keys) > 1:
                    revoke = r.uniform(self.t0 + 1800, self.t1 - 1800)
                    revoked_done = True
                n403 = 0
                for t in self.arrivals(rate, self.t0, self.t1, tz, flat=0.15):
                    x = r.random()
                    if audit and j == 0:
                        pi = self.lib.make('review this transaction for compliance and explain the reasoning behind '
                                           'your decision step by step: {doc:150}', r, "reasoning", True)
                        lc, key = self.loc(app_net), a.keys[0]
                    elif x < 0.45:
                        pi = self.lib.make(r.choice(app), r, "other", extra_chars=r.randint(0, 3000))
                        lc, key = self.loc(app_net), a.keys[0]
                    else:
                        pi = self.lib.dev_chat(r)
                        lc = r.choice(egress) if r.random() < 0.7 else r.choice(homes)
                        key = r.choice(a.keys)
                    st = 200
                    if revoke and key == a.keys[0] and t > revoke:
                        if n403 < r.randint(2, 5):
                            st, n403 = 403, n403 + 1
                        else:
                            key = a.keys[1]
                    self.emit(a, t, lc, r.choice(cls), self.pick_model(t, [("orion-4", 3), ("orion-4-mini", 2),
                                                                           ("orion-4-pro", 1)], (3600, 3600, 0.2)),
                              pi, key=key, status=st, sysh=sysh, params={"max_tokens": 2048, "stream": True})

    def p_resellers(self, n=5):
        r = self.r
        for i in range(n):
            a = self.acct("reseller", self.aged(90, 900, 300), "tier5", True, nkeys=r.randint(15, 60))
            nets = r.sample(["aws_apse1", "alibaba_sg", "vultr_sg", "aws_use1", "hetzner", "tencent_sg"], 2)
            locs = [self.loc(nn) for nn in nets for _ in range(2)]
            cls = [make_client(r, r.choice(DEV_CLIENTS)) for _ in range(12)]
            rate = r.uniform(180, 450)
            for t in self.arrivals(rate, self.t0, self.t1, 8, flat=0.7):
                key = a.keys[min(len(a.keys) - 1, int(r.paretovariate(1.2)) - 1)]
                pi = self.lib.dev_chat(r, lang=r.choice(["en"] * 5 + ["zh", "ko", "ja", "vi", "es"]), p_cot=0.1)
                model = self.pick_model(t, [("orion-4", 5), ("orion-4-mini", 3), ("orion-4-pro", 2)],
                                        (900, 3000, 0.35))
                self.emit(a, t, r.choice(locs), r.choice(cls), model, pi, key=key, ep="/v1/chat/completions",
                          params={"max_tokens": 4096, "temperature": self.temp((0.7, 1.0, 0.5)), "stream": True},
                          think=model != "orion-4" and r.random() < 0.3)

    def p_coding_agents(self, n=45):
        r = self.r
        for i in range(n):
            new = r.random() < 0.1
            cc = r.choice(DEV_COUNTRIES)
            a = self.acct("coding_agent", self.t0 - r.uniform(0.1, 5) * 86400 if new else self.aged(10, 800, 150),
                          r.choice(["tier2", "tier3", "tier4"]), True or not new, nkeys=r.choice([1, 2]))
            cl = make_client(r, "orion_code")
            home = self.home_loc(cc)
            box = self.loc(r.choice(CLOUDS_ALL)) if r.random() < 0.3 else home
            background = r.random() < 0.25
            enth = r.random() < 0.35
            base = r.choice(["orion-4-pro", "orion-4", "orion-4-pro"])
            sysh = self.sys("orion-code-cli")
            starts = self.arrivals(0.6, self.t0, self.t1, TZ[cc], flat=0.2 if not background else 0.9)
            if not starts:
                starts = [r.uniform(self.t0, self.t1 - 900)]
            for s in starts[:3]:
                t, ctx = s, r.randint(6000, 20000)
                end = s + r.uniform(600, 5400) * (2 if background else 1)
                lc = box if background else home
                goal_pi = None
                while t < min(end, self.t1):
                    if goal_pi is None or r.random() < 0.08:
                        goal_pi = self.lib.make('{goal}', r, "agentic")
                        user_turn = True
                    tp = 'tool result: {doc:60} continue with the task.' if not user_turn else '{goal}'
                    pi = self.lib.make(tp, r, "agentic" if r.random() < 0.65 else "coding",
                                       extra_chars=ctx * 3)
                    user_turn = False
                    model = self.pick_model(t, [(base, 1)], (r.uniform(60, 900), 600, 0.9) if enth else None)
                    self.emit(a, t, lc, cl, model, pi, params={"max_tokens": 16000, "tools": r.randint(12, 40),
                                                               "stream": True, "temperature": 1.0}, sysh=sysh,
                              comp=r.randint(20, 1500), think=r.random() < 0.5)
                    ctx = ctx + r.randint(500, 6000)
                    if ctx > 150000:
                        ctx = r.randint(15000, 30000)  # compaction
                    t += r.lognormvariate(math.log(7), 0.7) + (r.expovariate(1 / 90) if r.random() < 0.1 else 0)

    def p_classifiers(self, n=8):
        r = self.r
        tpls = ['classify the following support ticket into one of: a) billing b) technical c) account d) other. '
                'ticket: "{sentence}" answer with the letter only.',
                'is the following comment toxic? answer yes or no. comment: "{review}"',
                'does this document mention {fields}? answer y or n. {doc:120}']
        for i in range(n):
            a = self.acct("classifier_app", self.aged(40, 900, 300), r.choice(["tier2", "tier3", "tier4"]), True)
            locs = [self.loc(r.choice(CLOUDS_ALL)) for _ in range(r.randint(1, 3))]
            cl = make_client(r, r.choice(["py_openai", "node_openai", "go", "java"]))
            tp = r.choice(tpls)
            legacy = r.random() < 0.3
            model = "orion-3.5-turbo" if legacy else "orion-4-mini"
            rate = r.uniform(80, 400)
            for t in self.arrivals(rate, self.t0, self.t1, r.choice([-5, 1]), flat=0.3):
                pi = self.lib.make(tp, r, "other", extra_chars=r.randint(0, 2000) if "{doc" in tp else 0)
                self.emit(a, t, r.choice(locs), cl, model, pi,
                          ep="/v1/completions" if legacy else "/v1/chat/completions",
                          params={"max_tokens": 1, "temperature": 0, "logprobs": True,
                                  "top_logprobs": r.choice([2, 4, 5]), "logit_bias": True}, comp=1)

    def p_research(self, n=4):
        r = self.r
        for i in range(n):
            uni = r.choice(["uni_berkeley", "uni_dfn", "uni_janet", "uni_bu"])
            a = self.acct("research_logprobs", self.aged(30, 500, 150), r.choice(["tier2", "tier3"]), True)
            locs = [self.loc(uni) for _ in range(2)] + [self.loc(r.choice(CLOUDS_ALL))]
            cl = make_client(r, r.choice(["py_openai", "requests"]))
            bias = i == 0
            t = self.t0 + r.uniform(0, 3600)
            while t < self.t1:
                bench = r.choice(["mmlu", "gsm", "arc"])
                model = NEW_MODEL if t > self.release and r.random() < 0.5 else r.choice(["orion-4", "orion-4-mini"])
                for it in range(r.randint(100, 400)):
                    pi = self._bench_pi(bench, it, 0)
                    params = {"max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": 20}
                    if bias:
                        params["logit_bias"] = True
                    self.emit(a, t, r.choice(locs), cl, model, pi, ep="/v1/chat/completions", params=params, comp=1)
                    t += r.uniform(0.5, 3)
                t += r.uniform(900, 5400)

    def p_migrations(self, n=4):
        r = self.r
        for i in range(n):
            org, card = "org_" + self.hexid(12), self.card()
            cat = r.choice(["other", "knowledge", "coding"])
            tpls = self._app_templates(r, cat, 2)
            sysh = self.sys(f"mig{i}")
            rate = r.uniform(120, 350)
            cl = make_client(r, r.choice(SDK_CLIENTS))
            visible_old = i < 2
            t_mig = r.uniform(self.t0 + 1200, self.t1 - 2400) if visible_old else self.t0 - r.uniform(3, 30) * 3600
            old = self.acct("workload_migration", self.aged(60, 700, 250), "tier1", True, pay=card, org=org) \
                if visible_old else None
            new = self.acct("workload_migration", t_mig - r.uniform(300, 3600), r.choice(["tier3", "tier4"]),
                            r.random() < 0.5, pay=card, org=org)
            old_locs = [self.loc(r.choice(CLOUDS_ALL)) for _ in range(2)]
            new_locs = [self.loc(r.choice(CLOUDS_ALL), 0.3) for _ in range(r.randint(1, 3))]
            model = r.choice(["orion-4", "orion-4-mini"])
            for t in self.arrivals(rate, self.t0, self.t1, -5, flat=0.5):
                if t < t_mig:
                    if old is None:
                        continue
                    acc, lc = old, r.choice(old_locs)
                    # the workload outgrew tier1: bursts above 50 rpm
                    if r.random() < 0.3:
                        for k in range(r.randint(5, 25)):
                            self.emit(acc, t + k * 0.4, lc, cl, model, self.lib.make(r.choice(tpls), r, cat),
                                      sysh=sysh, params={"max_tokens": 1024, "temperature": 0})
                else:
                    acc, lc = new, r.choice(new_locs)
                self.emit(acc, t, lc, cl, model, self.lib.make(r.choice(tpls), r, cat), sysh=sysh,
                          params={"max_tokens": 1024, "temperature": 0})

    # ================================================================ attack campaigns
    def _hydra_pi(self, r, lang):
        x = r.random() * sum(w for w, *_ in HYDRA_T)
        for w, cat, cot, rub, tp in HYDRA_T:
            x -= w
            if x <= 0:
                break
        return self.lib.make(tp, r, cat, cot, rub, lang, extra_chars=r.randint(0, 1500)), cat

    def c_hydra(self):
        r = self.r
        cid, P = "hydra-01", "hydra_fleet"
        cards = [self.card() for _ in range(16)]
        stations = []
        for net in ["vultr_sg", "vultr_jp", "hetzner"]:
            blk = self.block24(net)
            stations += [self.in24(blk) for _ in range(3)]
        resi = ["comcast", "att", "claro_br", "vnpt", "airtel_in", "turk_telekom", "kyivstar", "pldt", "telmex",
                "kt", "jio", "mtn_ng", "charter", "dtag", "telkom_id"]
        exits = [self.loc(r.choice(resi)) for _ in range(320)]
        py_ja4 = [JA4["py311_ossl3"], JA4["py312_ossl3"]]
        seed_pis = {}
        batches = [self.t0 - r.uniform(600, 5 * 86400) for _ in range(8)]
        n_active = 40
        life_mean = 55 * 60
        sysp = [self.sys(f"hydra-sys{k}") for k in range(3)]

        def new_acct(t_first, initial=False):
            x = r.random()
            if x < 0.1:
                created, verified, tier = self.aged(30, 400, 120), r.random() < 0.9, r.choice(["tier1", "tier2"])
            elif x < 0.45 or initial:
                b = r.choice([bb for bb in batches if bb < t_first] or [t_first - 3600])
                created, verified, tier = b + r.uniform(0, 900), r.random() < 0.35, r.choice(["free", "tier1", "tier1"])
            else:
                created, verified, tier = t_first - r.uniform(60, 1800), r.random() < 0.25, \
                    r.choice(["free", "tier1", "tier1"])
            a = self.acct(P, created, tier, verified, pay=None if tier == "free" else r.choice(cards), attack=True,
                          campaign=cid)
            kind = r.choice(SDK_CLIENTS + ["requests", "httpx"])
            ua = make_client(r, kind)[0]
            st = {"a": a, "ban": t_first + max(300, r.expovariate(1 / life_mean)), "n403": 0,
                  "max403": r.randint(1, 3), "cl": (ua, r.choice(py_ja4)), "loc": None, "loc_exp": 0,
                  "lang": r.choice(HYDRA_LANGS), "first": t_first, "p": r.uniform(0.45, 0.7),
                  "sys": r.choice(sysp + [None, "nonce"])}
            if initial:
                st["ban"] = self.t0 + r.expovariate(1 / life_mean)
            return st

        slots = [new_acct(self.t0, initial=True) for _ in range(n_active)]
        ready = [self.t0] * n_active
        lives = []
        t = self.t0 + r.uniform(0, 20)
        mix = [("orion-4-pro", 55), ("orion-4", 45)]
        adopt = (r.uniform(600, 1500), 1500, 0.55)
        while t < self.t1:
            for i, st in enumerate(slots):
                if st is None:
                    if t >= ready[i]:
                        slots[i] = st = new_acct(t)
                    else:
                        continue
                if r.random() > st["p"]:
                    continue
                a = st["a"]
                ts = t + r.uniform(0, 3.5)
                if ts >= st["loc_exp"]:
                    st["loc"] = r.choice(stations) if r.random() < 0.65 else r.choice(exits)
                    st["loc_exp"] = ts + r.uniform(300, 1500)
                sysh = st["sys"]
                if sysh == "nonce":
                    sysh = self.sys("hydra-nonce" + a.id)
                model = self.pick_model(ts, mix, adopt)
                if ts >= st["ban"]:
                    pi, _ = self._hydra_pi(r, st["lang"])
                    self.emit(a, ts, st["loc"], st["cl"], model, pi, status=403, sysh=sysh)
                    st["n403"] += 1
                    if st["n403"] >= st["max403"]:
                        lives.append((a, st["first"], ts))
                        slots[i] = None
                        ready[i] = ts + r.uniform(30, 480)
                    continue
                y = r.random()
                params = {"max_tokens": r.choice([8192, 16000, 32000]), "stream": r.random() < 0.2}
                tmp = r.choice([0.6, 0.7, 0.8, 1.0, None])
                if y < 0.05:
                    k = r.randrange(len(HYDRA_SEEDS))
                    cat, cot, text = HYDRA_SEEDS[k]
                    key = (k, st["lang"])
                    if key not in seed_pis:
                        seed_pis[key] = self.lib.info(text, cat, cot, False, st["lang"])
                    pi = seed_pis[key]
                    params["temperature"] = 1.0
                    ep = "/v1/chat/completions"
                    if r.random() < 0.5:
                        params["n"] = 4
                elif y < 0.17:
                    pi = self.lib.dev_chat(r, lang=st["lang"])
                    ep = "/v1/messages"
                    if tmp is not None:
                        params["temperature"] = tmp
                else:
                    pi, cat = self._hydra_pi(r, st["lang"])
                    if cat == "agentic":
                        params["tools"] = r.randint(5, 14)
                    if tmp is not None:
                        params["temperature"] = tmp
                    ep = "/v1/messages" if r.random() < 0.7 else "/v1/chat/completions"
                self.emit(a, ts, st["loc"], st["cl"], model, pi, ep=ep, params=params, sysh=sysh,
                          think=model != "orion-4" and r.random() < 0.3, extra_ptok=r.randint(0, 800))
            t += r.uniform(18, 42)
        for st in slots:
            if st is not None:
                lives.append((st["a"], st["first"], self.t1))
        # off-wave filler per account
        for a, s, e in lives:
            if not self.ev[a.id]:
                continue
            first = self.ev[a.id][0]
            for t in self.arrivals(6, s, e - 60):
                self.emit(a, t, (first["ip"], first["asn"], first["country"]), (first["user_agent"], first["ja4"]),
                          r.choice(["orion-4", "orion-4-mini"]), self.lib.dev_chat(r, lang=first["prompt"]["lang"]),
                          params={"max_tokens": 1024, "stream": True})

    def c_slowlow(self, n=80):
        r = self.r
        cid, P = "slowlow-02", "slow_low_fleet"
        shared_cards = [self.card() for _ in range(8)]
        pinned = ("Anthropic/Python 0.49.0", JA4["py311_ossl3"])
        countries = ["US"] * 5 + ["GB", "DE", "CA", "AU", "JP", "KR", "TW", "SG", "FR", "NL"]
        for i in range(n):
            cc = r.choice(countries)
            a = self.acct(P, self.aged(60, 600, 240), r.choice(["tier2", "tier2", "tier3"]), r.random() < 0.85,
                          pay=shared_cards[i % 8] if i < 16 else "new", attack=True, campaign=cid)
            locs = [self.home_loc(cc)] + ([self.home_loc(cc)] if r.random() < 0.4 else [])
            cl = pinned if r.random() < 0.3 else make_client(r, r.choice(SDK_CLIENTS + ["requests", "httpx"]))
            fams = {k: r.sample(range(len(v[2])), r.randint(2, 3)) for k, v in SLOW_FAM.items()}
            fam_w = [("reason", 35), ("math", 20), ("code", 30), ("agent", 15)]
            rate = r.uniform(10, 30)
            lang = "en" if r.random() < 0.7 else r.choice(["zh", "ko", "ja", "es", "de"])
            adopt = (r.uniform(3600, 7200), 3600, 0.3)
            for t in self.arrivals(rate, self.t0, self.t1, TZ[cc], flat=0.75):
                if r.random() < 0.38:
                    pi = self.lib.dev_chat(r, lang=lang)
                    params = {"max_tokens": r.choice([1024, 2048, 4096])}
                else:
                    x = r.random() * 100
                    for fk, w in fam_w:
                        x -= w
                        if x <= 0:
                            break
                    cat, _, variants = SLOW_FAM[fk]
                    v = variants[r.choice(fams[fk])]
                    if "{codetask_q}" in v:
                        v = v.replace("{codetask_q}", self.lib.codetask(r))
                    if "{goal_q}" in v:
                        v = v.replace("{goal_q}", self.lib.goal(r))
                    pi = self.lib.make(v, r, cat, True, False, lang)
                    params = {"max_tokens": r.choice([4096, 8192, 16000])}
                    if cat == "agentic":
                        params["tools"] = r.randint(3, 10)
                if r.random() < 0.8:
                    params["temperature"] = round(r.uniform(0.2, 1.0), 2)
                params["stream"] = r.random() < 0.5
                model = self.pick_model(t, [("orion-4-pro", 5), ("orion-4", 4), ("orion-4-mini", 1)], adopt)
                self.emit(a, t, r.choice(locs), cl, model, pi, params=params,
                          think=model != "orion-4" and r.random() < 0.4)

    def c_failover(self, workers=3):
        r = self.r
        cid, P = "failover-03", "failover_fleet"
        cards = [self.card() for _ in range(4)]
        infra_nets = ["digitalocean", "ovh", "hetzner", "linode", "aws_apse1", "oracle"]
        sleepers = []
        for _ in range(int(12 * self.hscale) + 2):
            sleepers.append(self.t0 - r.uniform(1, 9) * 86400)
        mix = [("orion-4-pro", 6), ("orion-4", 4)]
        for w in range(workers):
            t = self.t0 + r.uniform(0, 300)
            n_acc = 0
            infra = None
            while t < self.t1:
                if n_acc % 4 == 0:
                    blk = self.block24(r.choice(infra_nets))
                    infra = [self.in24(blk) for _ in range(3)]
                n_acc += 1
                if sleepers and r.random() < 0.6:
                    created, tier = sleepers.pop(), "tier1"
                    t += r.uniform(3, 60)
                else:
                    created = t + r.uniform(20, 150)
                    t = created + r.uniform(10, 120)
                    tier = r.choice(["free", "tier1"])
                a = self.acct(P, created, tier, r.random() < 0.2, pay=r.choice(cards) if tier != "free" or
                              r.random() < 0.3 else None, attack=True, campaign=cid)
                a.selfsim = True
                cl = make_client(r, r.choice(SDK_CLIENTS + ["httpx"]))
                cl = (cl[0], JA4["py312_ossl3"])
                quota = r.expovariate(1 / 350) + 30
                served, n429, blocked = 0, 0, False
                win = deque()
                lim = TIER_RPM[tier]
                while t < self.t1:
                    burst = r.randint(15, 40)
                    for _ in range(burst):
                        while win and win[0] <= t - 60:
                            win.popleft()
                        lc = r.choice(infra)
                        pi = self.lib.make(*self._failover_tpl(r))
                        model = self.pick_model(t, mix, (r.uniform(120, 600), 600, 0.7))
                        if blocked:
                            st = 403
                        elif len(win) >= lim:
                            st = 429
                            n429 += 1
                        else:
                            st = 200
                            served += 1
                            win.append(t)
                        params = {"max_tokens": 16000, "temperature": r.choice([0.7, 1.0, 0.8]),
                                  "tools": r.randint(6, 20) if pi[4] == "agentic" else None}
                        if params["tools"] is None:
                            del params["tools"]
                        self.emit(a, t, lc, cl, model, pi, status=st, params=params, extra_ptok=r.randint(500, 4000),
                                  think=r.random() < 0.3)
                        if st == 403:
                            break
                        if served >= quota or n429 >= 12:
                            blocked = True
                        t += r.uniform(5, 25) if st == 429 else r.uniform(0.8, 2.2)
                    if blocked:
                        for _ in range(r.randint(1, 3)):
                            t += r.uniform(1, 5)
                            self.emit(a, t, r.choice(infra), cl, model, pi, status=403)
                        break
                    t += r.uniform(20, 120)

    def _failover_tpl(self, r):
        x = r.random() * 100
        for w, cat, cot, rub, tp in FAILOVER_T:
            x -= w
            if x <= 0:
                break
        if r.random() < 0.12:
            return (r.choice(DEV_T)[1], r, "knowledge")
        return (tp, r, cat, cot, rub)

    def c_relay(self, n=6):
        r = self.r
        cid, P = "relay-04", "relay_station"
        shared = self.card()
        for i in range(n):
            a = self.acct(P, self.aged(60, 300, 150), "tier4", True, pay=shared if i < 2 else "new", attack=True,
                          campaign=cid, nkeys=r.randint(5, 20))
            locs = [self.loc(r.choice(["alibaba_hk", "alibaba_sg", "tencent_sg"])) for _ in range(r.randint(3, 5))]
            cls = [make_client(r, r.choice(DEV_CLIENTS)) for _ in range(8)]
            rate = r.uniform(250, 450)
            for t in self.arrivals(rate, self.t0, self.t1, 8, flat=0.8):
                lang = r.choice(["zh", "zh", "en", "en", "ko", "ja"])
                params = {"max_tokens": r.choice([4096, 8192, 16000]), "stream": r.random() < 0.6}
                if r.random() < 0.45:
                    pi, cat = self._hydra_pi(r, lang)
                    if cat == "agentic":
                        params["tools"] = r.randint(4, 12)
                    params["temperature"] = r.choice([0.7, 1.0])
                else:
                    pi = self.lib.dev_chat(r, lang=lang)
                model = self.pick_model(t, [("orion-4-pro", 4), ("orion-4", 4), ("orion-4-mini", 2)],
                                        (r.uniform(300, 1200), 1200, 0.5))
                self.emit(a, t, r.choice(locs), r.choice(cls), model, pi, key=r.choice(a.keys), params=params,
                          ep="/v1/chat/completions", think=model != "orion-4" and r.random() < 0.4)

    def c_solos(self):
        r = self.r
        # --- chain-of-thought harvester
        a = self.acct("solo_cot", self.aged(30, 120, 45), "tier3", True, attack=True, campaign="cot-solo-05")
        locs = [self.loc("aws_use1"), self.loc("aws_use1")]
        cl = make_client(r, "py_anthropic")
        cot_t = ['answer the following. think step by step in the user\'s language and write your complete chain of '
                 'thought before the final answer. "{puzzle}"',
                 'answer the following. think step by step in the user\'s language and write your complete chain of '
                 'thought before the final answer. "{math}"',
                 'explain the reasoning behind the answer to this question in full detail: "{question}"',
                 'solve "{codetask}". first write out every consideration and the reasoning behind it.']
        for t in self.arrivals(r.uniform(420, 560), self.t0, self.t1):
            lang = r.choice(["en", "zh", "zh", "ru", "ko", "es", "ja", "de"])
            if r.random() < 0.12:
                pi = self.lib.dev_chat(r, lang=lang)
            else:
                tp = r.choice(cot_t)
                pi = self.lib.make(tp, r, "coding" if "codetask" in tp else "math" if "math" in tp else "reasoning",
                                   True, False, lang)
            model = self.pick_model(t, [("orion-4-pro", 1)], (300, 400, 0.98))
            self.emit(a, t, r.choice(locs), cl, model, pi, think=True,
                      params={"max_tokens": 32000, "temperature": r.choice([0.6, 1.0])})
        # --- logit harvester
        a = self.acct("solo_logit", self.t0 - r.uniform(8, 10) * 86400, "tier2", False, attack=True,
                      campaign="logit-solo-06")
        lc = self.loc("digitalocean")
        cl = make_client(r, "requests")
        probes = [self.lib.info(self.lib.fixed_text(("probe", self.seed, k), lambda rr: rr.choice(
            ["the next word is", "repeat after me:", "complete:", "answer with a single token:", "say"]) + " " +
            self.lib.words(rr.randint(1, 6))), "other") for k in range(40)]
        k = 0
        for t in self.arrivals(r.uniform(800, 1000), self.t0, self.t1):
            if r.random() < 0.08:
                pi = self.lib.dev_chat(r)
                self.emit(a, t, lc, cl, "orion-4-mini", pi, ep="/v1/chat/completions", params={"max_tokens": 512})
                continue
            if r.random() < 0.03:
                k = (k + 1) % len(probes)
            legacy = r.random() < 0.4
            self.emit(a, t, lc, cl, "orion-3.5-turbo" if legacy else "orion-4-mini", probes[k],
                      ep="/v1/completions" if legacy else "/v1/chat/completions", comp=1,
                      params={"max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": 20,
                              "logit_bias": True})
        # --- reward-model use
        a = self.acct("solo_rubric", self.aged(20, 60, 30), "tier3", True, attack=True, campaign="rubric-solo-07")
        locs = [self.loc("gcp_us") for _ in range(2)]
        cl = make_client(r, "py_openai")
        for t in self.arrivals(r.uniform(250, 350), self.t0, self.t1):
            if r.random() < 0.1:
                pi = self.lib.dev_chat(r)
            elif r.random() < 0.5:
                pi = self.lib.info(JUDGE_T.replace("{q}", self.lib.question(r)).replace("{a}", self.lib.answer(r)),
                                   r.choice(["reasoning", "coding", "math"]), False, True)
            else:
                pi = self.lib.make(RUBRIC_T if r.random() < 0.5 else HYDRA_T[-1][4], r,
                                   r.choice(["reasoning", "coding"]), False, True)
            self.emit(a, t, r.choice(locs), cl, self.pick_model(t, [("orion-4", 1)], (900, 1800, 0.6)), pi,
                      ep="/v1/chat/completions", params={"max_tokens": 1024, "temperature": 0})
        # --- stealthy logit harvester
        a = self.acct("solo_logit_stealth", self.aged(150, 300, 200), "tier3", True, attack=True,
                      campaign="logit-stealth-08")
        lc = self.home_loc("US")
        cl = make_client(r, "py_openai")
        t = self.t0 + r.uniform(0, 300)
        tp = 'classify the following support ticket into one of: a) billing b) technical c) account d) other. ' \
             'ticket: "{sentence}" answer with the letter only.'
        while t < self.t1:
            if r.random() < 0.15:
                self.emit(a, t, lc, cl, "orion-4", self.lib.dev_chat(r), params={"max_tokens": 2048})
                t += r.expovariate(1 / 25)
                continue
            pi = self.lib.make(tp, r, "other")
            for _ in range(r.randint(5, 20)):
                params = {"max_tokens": r.choice([1, 1, 3]), "temperature": 0, "logprobs": True, "top_logprobs": 5}
                if r.random() < 0.7:
                    params["logit_bias"] = True
                self.emit(a, t, lc, cl, "orion-4-mini", pi, ep="/v1/chat/completions", params=params,
                          comp=params["max_tokens"])
                t += r.uniform(0.8, 6)
            t += r.expovariate(1 / 60)

    # ================================================================ post-processing
    def finalize(self):
        r = self.r
        inc0 = self.t0 + r.uniform(0.55, 0.8) * self.hours * 3600
        inc1 = inc0 + 8 * 60
        by_id = {a.id: a for a in self.accounts}
        for aid, evs in self.ev.items():
            a = by_id[aid]
            extra = []
            for ev in evs:
                if ev["status"] == 200 and inc0 <= ev["ts"] < inc1 and r.random() < 0.3:
                    self._fail(ev, 529)
                    if r.random() < a.retry:
                        extra.append(self._retry(ev, r.uniform(1, 20)))
                elif ev["status"] == 200 and r.random() < 0.0015:
                    self._fail(ev, 500)
                    if r.random() < a.retry:
                        extra.append(self._retry(ev, r.uniform(0.5, 8)))
            evs.extend(extra)
            evs.sort(key=lambda e: e["ts"])
            if a.selfsim:
                continue
            lim = TIER_RPM[a.tier]
            win = deque()
            extra = []
            for ev in evs:
                if ev["status"] not in (200,):
                    continue
                t = ev["ts"]
                while win and win[0] <= t - 60:
                    win.popleft()
                if len(win) >= lim:
                    self._fail(ev, 429)
                    if not a.attack and r.random() < a.retry:
                        extra.append(self._retry(ev, r.uniform(2, 30)))
                    elif a.attack and r.random() < 0.5:
                        extra.append(self._retry(ev, r.uniform(5, 60)))
                else:
                    win.append(t)
            evs.extend(extra)
        out = []
        for aid, evs in self.ev.items():
            out.extend(e for e in evs if self.t0 <= e["ts"] < self.t1 and e["ts"] >= by_id[aid].created)
        out.sort(key=lambda e: (e["ts"], e["event_id"]))
        return out

    def _fail(self, ev, status):
        ev["status"] = status
        ev["prompt_tokens"] = 0
        ev["completion_tokens"] = 0
        ev.pop("reasoning_tokens", None)
        ev["latency_ms"] = round({429: self.r.uniform(8, 60), 529: self.r.uniform(200, 4000)}.get(
            status, self.r.uniform(500, 30000)), 1)

    def _retry(self, ev, delay):
        r = self.r
        e = dict(ev)
        e["event_id"] = "req_" + self.hexid(24)
        e["ts"] = round(ev["ts"] + delay, 3)
        e["status"] = 200
        p = ev["prompt"]
        e["prompt_tokens"] = int(p["chars"] / CPT.get(p["lang"], 3.6)) + 1
        e["completion_tokens"] = 0 if ev["model"] == "orion-embed-2" else (
            1 if ev.get("params", {}).get("max_tokens") == 1 else self.comp_tokens(p["category"], p["cot_request"]))
        mt = ev.get("params", {}).get("max_tokens")
        if mt and e["completion_tokens"] > mt:
            e["completion_tokens"] = mt
        spec = MODELS[ev["model"]]
        e["latency_ms"] = round(spec[1] + (e["completion_tokens"] / spec[0] * 1000 if spec[0] else 0), 1)
        return e

    def build(self):
        self.p_dev_individual(300)
        self.p_students()
        self.p_hackathon(30)
        self.p_small_apps(120)
        self.p_consumer_apps(4)
        self.p_batch_docs(14)
        self.p_eval_harness(10)
        self.p_ci_runners(18)
        self.p_gateways(6)
        self.p_synthetic(8)
        self.p_enterprise(8)
        self.p_resellers(5)
        self.p_coding_agents(45)
        self.p_classifiers(8)
        self.p_research(4)
        self.p_migrations(4)
        self.c_hydra()
        self.c_slowlow(80)
        self.c_failover(3)
        self.c_relay(6)
        self.c_solos()
        return self.finalize()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Synthetic API traffic (legitimate personas + adversarial-distillation "
                                             "campaigns) in the distillguard api.events contract.")
    ap.add_argument("--seed", type=int, required=True, help="random seed (deterministic output)")
    ap.add_argument("--hours", type=float, default=4.0, help="length of the window in hours (default 4)")
    ap.add_argument("--out", required=True, help="output directory (events.jsonl, truth.jsonl)")
    args = ap.parse_args(argv)
    if not (0.25 <= args.hours <= 48):
        ap.error("--hours must be between 0.25 and 48")
    t_start = time.time()
    w = World(args.seed, args.hours)
    events = w.build()
    os.makedirs(args.out, exist_ok=True)
    seen = set()
    with open(os.path.join(args.out, "events.jsonl"), "w") as f:
        for e in events:
            seen.add(e["account_id"])
            f.write(json.dumps(e, separators=(",", ":")) + "\n")
    n_acc = 0
    with open(os.path.join(args.out, "truth.jsonl"), "w") as f:
        for a in w.accounts:
            if a.id in seen:
                n_acc += 1
                f.write(json.dumps({"account_id": a.id, "persona": a.persona, "is_attack": a.attack,
                                    "campaign": a.campaign}) + "\n")
    print(f"wrote {len(events)} events, {n_acc} accounts to {args.out} in {time.time() - t_start:.1f}s "
          f"(window {dt.datetime.fromtimestamp(w.t0, dt.timezone.utc):%Y-%m-%d %H:%M}Z +{args.hours}h, "
          f"release {dt.datetime.fromtimestamp(w.release, dt.timezone.utc):%H:%M}Z)", file=sys.stderr)


if __name__ == "__main__":
    main()
