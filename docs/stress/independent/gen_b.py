#!/usr/bin/env python3
"""gen_b.py - synthetic AI-API request logs for evaluating "adversarial distillation" detectors.
Emphasis: hard cases at realistic proportions (~85-90% legitimate accounts): enterprise tenants, resellers, release-day
research evals, labeling vendors, carrier-NAT mobile apps, synchronized cron, shared student accounts, migrations,
translation services, logprob classifiers vs. proxy fleet, ASN piggyback, sleepers, failover, enterprise CoT harvester,
logit extraction.  Usage: python gen_b.py --seed N --hours H --out DIR   (stdlib only, deterministic per seed)
"""
import argparse, collections, copy, datetime, hashlib, heapq, ipaddress, json, math, os, random, re, time

T0 = datetime.datetime(2026, 9, 14, 13, 0, tzinfo=datetime.timezone.utc).timestamp()
REL = T0 + 1800.0                      # orion-3 release
DAY = 86400.0
M2, M2F, M3 = "orion-2", "orion-2-fast", "orion-3"
CHAT, RESP, COMPL = "/v1/chat/completions", "/v1/responses", "/v1/completions"
RPM = {"free": 10, "tier1": 60, "tier2": 300, "tier3": 1000, "tier4": 3000, "tier5": 10000, "enterprise": 30000}
DEFAULT_SYS = "You are a helpful assistant."
def hx(s, n=16): return hashlib.blake2b(s.encode(), digest_size=n // 2).hexdigest()
def h64(s): return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")

# ---------------------------------------------------------------- SimHash (64 lanes x 16 bit in one big int)
LANE, LMASK = 16, (1 << 16) - 1
_SP8 = [sum(1 << (i * LANE) for i in range(8) if b >> i & 1) for b in range(256)]
_FC = {}
def _spread(h): return sum(_SP8[(h >> (8 * k)) & 255] << (8 * k * LANE) for k in range(8))
def simhash(toks):
    feats = toks + [a + " " + b for a, b in zip(toks, toks[1:])]
    acc = 0
    for f in feats:
        s = _FC.get(f)
        if s is None:
            if len(_FC) > 300000: _FC.clear()
            s = _FC[f] = _spread(h64(f))
        acc += s
    n, out = len(feats), 0
    for i in range(64):
        if ((acc >> (i * LANE)) & LMASK) * 2 > n: out |= 1 << i
    return out

# ---------------------------------------------------------------- prompt material
def L(s): return s.split("|")
WORDS = L("the|a|report|customer|data|system|update|policy|quarter|revenue|team|meeting|project|deadline|server|error|latency|"
          "user|account|price|order|shipping|invoice|contract|clause|product|feature|market|growth|risk|model|test|deploy|"
          "release|budget|plan|review|quality|issue|ticket|response|support|service|network|storage|cloud|region|metric|"
          "dashboard|forecast|trend|campaign|audience|brand|content|draft|summary|analysis|result|value|cost|time|week|"
          "month|year|city|store|inventory|supplier|patient|appointment|student|course|lesson|exam|score|feedback|"
          "travel|hotel|flight|booking|refund|delay|warranty|battery|screen|install|login|password|backup|cache")
PL = L("Python|JavaScript|TypeScript|Go|Rust|Java|C++|SQL|Bash|Kotlin|Swift|C#")
TASKS = L("parses a CSV file into records|reverses a linked list in place|debounces another function|merges overlapping "
          "intervals|computes the longest common subsequence of two strings|validates a JSON document against a schema|"
          "rate-limits calls with a token bucket|finds the k most frequent words in a text|serializes a binary tree|"
          "detects a cycle in a directed graph|implements an LRU cache|retries an HTTP request with exponential backoff|"
          "converts Roman numerals to integers|flattens a nested dictionary|computes a running median over a stream|"
          "deduplicates rows by a composite key|orders tasks with dependencies topologically|parses ISO 8601 durations|"
          "paginates results from a REST API|computes the edit distance between two words")
SNIPS = ["for i in range(len(xs)): total += xs[i + {a}]", "if (user.id = {a}) return cache[user.id];",
         "SELECT name, COUNT(*) FROM orders JOIN users ON orders.uid = users.id WHERE total > {a} GROUP BY name",
         "while n > {a}: n = n // {b}", "const v = arr.map(x => x * {a}).filter(x => x % {b});",
         "fn get(v: &Vec<i32>) -> i32 [ v[{a}] ]", "go func() [ ch <- compute({a}) ]()"]
TOPICS = L("photosynthesis|the French Revolution|how vaccines train the immune system|TCP versus UDP|how interest rates "
           "affect inflation|the plot of Hamlet|how black holes form|Bayesian statistics|how transformers work in machine "
           "learning|the Silk Road|plate tectonics|the Krebs cycle|how GPS determines position|the Peace of Westphalia|"
           "CRISPR gene editing|how compilers optimize loops|monetary policy in the eurozone|the water cycle|quantum "
           "entanglement|the fall of the Roman Empire|supply and demand|the causes of World War I|how vaccines are tested")
NAMES = L("Alice|Bob|Carol|Dmitri|Eve|Farah|Gustavo|Hana|Ivan|Julia|Kenji|Lena|Mateo|Nadia|Omar|Priya")
NONCE = L("bloops|razzies|lazzies|wugs|daxes|feps|zorbs|quils")
CITIES = L("Lisbon|Osaka|Denver|Nairobi|Krakow|Austin|Lyon|Seoul|Bogota|Perth|Toronto|Hanoi")
CH = {k: L(v) for k, v in (x.split("=", 1) for x in """err=a KeyError|a null pointer exception|a segmentation fault|an off-by-one error|a race condition|a deadlock
form=haiku|short poem|limerick|product description|wedding toast|short story opening|song chorus
thing=autumn rain|a lonely lighthouse|coffee|a robot learning to paint|the first day of school|a lost umbrella|a cat who hates Mondays
tone=formal|friendly|apologetic|persuasive
recip=landlord|manager|team|client|professor
subj=a delayed shipment|the quarterly budget|a vacation request|a broken heater|the project deadline
biz=coffee shop|fintech startup|dog grooming service|bakery|cybersecurity firm
author=Hemingway|Dr. Seuss|Jane Austen|a noir detective novel
tl=English|Spanish|German|French|Japanese|Portuguese|Korean
phrase=good morning|see you tomorrow|where is the station|thank you very much
role=mathematician|software engineer|physicist|logician|competitive programmer|data scientist
proj=a Discord bot|a budgeting app|my thesis pipeline|an internal dashboard|a Shopify store|a game mod
kw=best running shoes|home solar panels|vegan meal prep|budget travel Japan|small business payroll
prod=a bamboo cutting board|wireless earbuds|a standing desk|a ceramic mug set|a trail backpack
feat=durability|battery life|eco-friendly materials|a lifetime warranty|a sea view|a renovated kitchen
pq=does whitening hurt|how often should I floss|is a root canal painful|what does a crown cost
home=apartment|townhouse|cottage|loft
job=product manager|nurse|data analyst|teacher|sales lead
crit=accuracy, helpfulness and safety|factuality and concision|instruction following, tone and formatting|correctness of code and clarity
svc=checkout-api|auth-gateway|billing-worker|search-indexer
lg=Spanish|Japanese|German|Korean|French""".split("\n"))}
for _k, _v in [("pl", PL), ("task", TASKS), ("topic", TOPICS), ("topic2", TOPICS), ("city", CITIES), ("n1", NAMES), ("n2", NAMES),
               ("n3", NAMES), ("n4", NAMES), ("x", NONCE), ("y", NONCE), ("z", NONCE)]: CH[_k] = _v
FILL = {k: (lambda v: lambda r: r.choice(v))(v) for k, v in CH.items()}
FILL.update({
    "a": lambda r: r.randint(2, 40), "b": lambda r: r.randint(2, 12), "b2": lambda r: r.randint(10, 59), "c": lambda r: r.randint(50, 5000),
    "snip": lambda r: r.choice(SNIPS).replace("{a}", str(r.randint(1, 99))).replace("{b}", str(r.randint(2, 9))),
    "goal": lambda r: r.choice(["find three flights from %s to %s under %d dollars" % (r.choice(CITIES), r.choice(CITIES), r.randint(200, 900)),
                                "fix the failing test in %s" % r.choice(L("tests/test_api.py|src/billing.ts|pkg/queue_test.go")),
                                "collect the latest quarterly revenue for %s and build a table" % r.choice(L("Globex|Initech|Umbrella Health|Stark Logistics")),
                                "schedule a meeting with the team next %s" % r.choice(L("Monday|Tuesday|Thursday")),
                                "extract the price history from the product page", "reconcile invoices_q%d.csv against the ledger" % r.randint(1, 4)]),
    "json": lambda r: '{"status": "ok", "rows": %d, "next": "page_%d"}' % (r.randint(0, 500), r.randint(2, 40)),
    "words": lambda r: words(r, 8, 40), "tid": lambda r: "%08x" % r.getrandbits(32),
    "complaint": lambda r: "my %s arrived %s and %s" % (r.choice(L("order|package|refund|replacement")), r.choice(L("late|damaged|empty|twice")),
                                                       r.choice(L("nobody answers|I want a refund|the tracking is wrong"))),
    "lines": lambda r: " ".join(r.choice(["GET", "POST", "/api/v1/items", "200", "500", "timeout", "retry", "%dms" % r.randint(5, 900),
                                          "worker-%d" % r.randint(1, 8)]) for _ in range(30))})
MATH = ["A tank holds {c} liters and drains at {a} liters per minute while a pump adds {b} liters per minute. How long until it is empty?",
        "Find all integer solutions of {a}x + {b}y = {c}.", "What is the remainder when {a}^{c} is divided by {b}?",
        "A shop discounts an item by {a}% and then raises the new price by {b}%. The final price is {c} dollars. What was the original price?",
        "What is the probability that {b} fair dice sum to exactly {a}?", "Let f(x) = {a}x^2 - {c}x + {b}. Find the minimum value of f and where it occurs.",
        "In how many ways can {a} people sit around a round table if {b} particular people must sit together?",
        "A car drives {c} km at {a} km/h and returns at {b} km/h. What is its average speed for the round trip?",
        "Evaluate the integral of x^{b} e^(-{a}x) from 0 to infinity.", "The sum of {b} consecutive integers is {c}. What is the largest of them?",
        "A geometric sequence has first term {b} and ratio {a}. Which term first exceeds {c}?", "How many positive divisors does {c} have?"]
CODE = ["Write a {pl} function that {task}.", "Implement a {pl} class that {task}, with tests.", "Why does this {pl} code cause {err}? {snip}",
        "Optimize this {pl} code for speed and explain the complexity: {snip}", "Refactor the following {pl} snippet to be more idiomatic: {snip}",
        "Write a {pl} script that {task} and handles errors gracefully.", "What is the time complexity of code that {task}? Give {pl} code."]
REASON = ["{n1}, {n2} and {n3} each own a different pet: a cat, a dog and a parrot. {n1} does not own the dog and {n2} is allergic to cats. Who owns the parrot?",
          "If all {x} are {y} and some {y} are {z}, does it follow that some {x} are {z}? Justify.",
          "A bat and a ball cost {c} cents in total. The bat costs {a} cents more than the ball. How much does the ball cost?",
          "You have {a} coins and one is counterfeit and lighter. What is the minimum number of weighings on a balance scale to find it?",
          "{n1} is taller than {n2}, {n2} is taller than {n3}, and {n3} is taller than {n4}. Who is the second shortest?",
          "A clock shows {b}:{b2}. What is the angle between the hour and minute hands?",
          "There are {a} doors and a prize is behind one. After you pick, the host opens {b} empty doors. Should you switch?",
          "Every {x} in the village either always lies or always tells the truth. {n1} says {n2} is a liar, and {n2} says both are truthful. Who is lying?"]
KNOW = ["Explain {topic}.", "What are the main causes of {topic}?", "Compare {topic} and {topic2}.", "Give me a summary of {topic} in {b} bullet points.",
        "Why is {topic} important?", "What are common misconceptions about {topic}?"]
CREAT = ["Write a {form} about {thing}.", "Draft a {tone} email to my {recip} about {subj}.", "Give me {b} name ideas for a {biz}.",
         "Write a {form} in the style of {author} about {thing}."]
AGENT = ["Use the available tools to {goal}. Plan the steps first.", "You have access to a browser and a code interpreter. {goal}.",
         "Call the search tool to {goal} and return JSON.", "Tool result: {json}. Continue the task: {goal}."]
OTHER = ["hi", "what can you do?", "test", "Translate '{phrase}' into {tl}.", "tl;dr: {words}", "ping {a}", "are you better than the old model?"]
QS = {"math": MATH, "coding": CODE, "reasoning": REASON, "knowledge": KNOW, "creative": CREAT, "agentic": AGENT, "other": OTHER}
PRODUCTS = {"seo": ("creative", ["Write a {c}-word SEO blog post about {kw}.", "Suggest {b} meta descriptions for a page about {kw}.", "Rewrite this paragraph to rank for {kw}: {words}"]),
            "shop": ("creative", ["Write a product description for {prod} highlighting {feat}.", "Write {b} bullet points for {prod}."]),
            "support": ("other", ["Customer says: {complaint}. Draft a polite reply.", "Classify this ticket and suggest a response: {complaint}"]),
            "dental": ("knowledge", ["Patient asks: {pq}. Answer briefly and suggest booking an appointment."]),
            "realty": ("creative", ["Write a listing for a {b}-bedroom {home} in {city} with {feat}."]),
            "legal": ("knowledge", ["Summarize the key obligations in this clause: {words}", "Flag risky terms in this contract excerpt: {words}"]),
            "resume": ("creative", ["Rewrite this resume bullet to be more impactful: {words}", "Write a cover letter opening for a {job} role."]),
            "reviews": ("creative", ["Reply to this {b}-star review: {words}"]),
            "codereview": ("coding", ["Review this diff and point out bugs: {snip}", "Suggest a better name and docstring for: {snip}"])}
LANGS = {  # translate instruction, explain instruction, vocabulary
    "es": ("Traduce al {tl} y explica las elecciones gramaticales paso a paso:", "Explícame {topic} con ejemplos sencillos.", "el la de que y en un una por para con casa tiempo trabajo mañana ciudad amigo libro agua nuevo grande"),
    "de": ("Übersetze ins {tl} und erkläre die grammatischen Entscheidungen:", "Erkläre mir {topic} mit einfachen Beispielen.", "der die das und ist nicht mit auf für Haus Zeit Arbeit morgen Stadt Freund Buch Wasser neu groß"),
    "fr": ("Traduis en {tl} et explique les choix de traduction étape par étape :", "Explique-moi {topic} avec des exemples simples.", "le la les de et un une pour avec maison temps travail demain ville ami livre eau nouveau grand"),
    "pt": ("Traduza para o {tl} e explique as escolhas gramaticais passo a passo:", "Explique {topic} com exemplos simples.", "o a de que e em um uma por para com casa tempo trabalho amanhã cidade amigo livro água novo grande"),
    "it": ("Traduci in {tl} e spiega le scelte grammaticali:", "Spiegami {topic} con esempi semplici.", "il la di che e in un una per con casa tempo lavoro domani città amico libro acqua nuovo grande"),
    "ja": ("次の文を{tl}に翻訳し、文法を説明してください：", "{topic}について簡単な例で説明してください。", "私 は 今日 明日 会社 学校 友達 本 水 行きます 食べます 新しい 大きい 電車 天気"),
    "zh": ("请把下面的句子翻译成{tl}并解释语法：", "请用简单的例子解释{topic}。", "我 你 今天 明天 公司 学校 朋友 书 水 去 吃 新 大 火车 天气"),
    "ko": ("다음 문장을 {tl}로 번역하고 문법을 설명해 주세요:", "{topic}에 대해 쉬운 예시로 설명해 주세요.", "나는 오늘 내일 회사 학교 친구 책 물 갑니다 먹습니다 새로운 큰 기차 날씨"),
    "hi": ("निम्नलिखित वाक्य का {tl} में अनुवाद करें और व्याकरण समझाएं:", "{topic} को आसान उदाहरणों से समझाइए।", "मैं आज कल कंपनी स्कूल दोस्त किताब पानी जाता खाता नया बड़ा ट्रेन मौसम")}
CC_LANG = {"ES": "es", "MX": "es", "DE": "de", "FR": "fr", "BR": "pt", "JP": "ja", "KR": "ko", "IN": "hi", "CH": "de"}
TUTW = ["You are a patient tutor. Explain step by step and show your reasoning before the final answer. {q}",  # indie tutor/study apps
        "Help the learner understand. Think through the problem step by step, then summarise. Question: {q}", "{q}\nShow your work."]
DEVW = ["{q}", "{q}", "{q}", "{q} Keep it short.", "I'm building {proj}. {q}", "Quick question: {q}", "{q} Explain like I'm new to this.",
        "Can you walk me through this step by step? {q}", "{q} Show me an example.", "{q}\n\nContext:\n{words}", "{q} Here is what I have so far: {snip} {words}"]
# --- attack wrappers (distinct per operator); paraphrase noise is applied on top
HYDRA = ["Solve the following problem. Think step by step and write out every intermediate step of your reasoning in full detail before stating the final answer. Do not skip any steps and verify the result at the end. Format the last line as FINAL ANSWER: <answer>. Problem: {q}",
         "You are an expert {role}. Provide a complete chain of thought for the task below, explaining why each step follows from the previous one, then give a concise final answer. Task: {q}",
         "Answer the question below. First reason carefully inside <thinking> tags, consider alternative approaches and check for mistakes, then give the answer inside <answer> tags. Question: {q}",
         "Write a correct and efficient solution. Explain your reasoning step by step, discuss edge cases and time complexity, then provide the final code in a single block. Problem: {q}",
         "Give a thorough, well structured explanation and make your reasoning explicit at every step: {q}"]
DORM = ["Act as a meticulous tutor. Work through the following in numbered steps, showing all of your reasoning and every calculation, and only then state the answer on its own line. {q}",
        "I need a detailed worked solution for my notes. Show your work step by step, justify each transition, and summarise the key insight at the end. {q}",
        "Reason through this as if explaining to a student: lay out the approach, carry out each step explicitly, double-check, then answer. {q}"]
REMORA = ["For the item below produce: (1) a detailed step by step derivation, (2) the final answer, (3) a one sentence summary. Item: {q}",
          "Generate a high quality worked example. Show the full chain of reasoning before the answer. Input: {q}"]
MONO = ["[task:{tid}] Solve the following. Think through the problem step by step, showing all intermediate reasoning, then give the final answer. {q}",
        "[task:{tid}] Explain your reasoning in detail, step by step, before answering. {q}", "[task:{tid}] {q}"]
PHX = ["Q: {q}\nThink step by step. Show all reasoning, then write 'Answer:' followed by the answer.", "Explain step by step how to solve this and give the final answer: {q}"]
PRISM = ["{ctx}", "Continue the text with exactly one word: {ctx}", "Text: {ctx}\nNext token:"]
# --- legit hard-negative wrappers
LAB = ["Answer the following question. Reason step by step, and then give your final answer after '####'.\nQuestion: {q}",
       "Solve the problem. Put your final answer within \\boxed{}. Think step by step.\n{q}"]
RUBRIC = ["You are grading a model response. Rubric: {crit}. Prompt: {q} Response: {words} Score each criterion from 1 to 5 and justify each score step by step, then output a JSON object with the scores.",
          "Evaluate the response below according to the following criteria: {crit}. Give a grade from 1 to 10. Response: {words}"]
CLS = ["Classify the sentiment of the following review as positive or negative.\nReview: {words}\nSentiment:", "Is the following message spam? Answer yes or no.\nMessage: {words}\nAnswer:",
       "Does this comment violate the community guidelines? Answer yes or no. Comment: {words}"]
NOISE = L("please|kindly|hey|ok|so|now|just|really|also|actually|thanks|pls|hi|basically|quickly")
NOISE_SET = set(NOISE)
SYN = [("Solve", "Work out"), ("problem", "question"), ("final answer", "final result"), ("step by step", "one step at a time"),
       ("Explain", "Walk through"), ("explain", "walk through"), ("complete", "full"), ("Provide", "Give"), ("detailed", "thorough")]
def words(r, lo, hi): return " ".join(r.choice(WORDS) for _ in range(r.randint(lo, hi)))
def S(v): return "\x01%s\x02" % v
_PH = re.compile(r"\{(\w+)\}")
def fill(r, s): return _PH.sub(lambda m: S(FILL[m.group(1)](r)), s)
def Q(r, cat): return fill(r, r.choice(QS[cat]))
def paraphrase(r, w):
    syn = [ab for ab in SYN if ab[0] in w]
    if syn and r.random() < 0.25: w = w.replace(*r.choice(syn), 1)
    ws = w.split(" ")
    for _ in range(r.choice((0, 1, 1, 2, 3))): ws.insert(r.randrange(len(ws) + 1), r.choice(NOISE))
    w = " ".join(ws)
    if r.random() < 0.3: w = w.replace(". ", ".\n")
    if r.random() < 0.2: w = w.lower()
    if r.random() < 0.2: w = w.replace(": ", " - ")
    return w
def wrap(r, tpl, q, noise=False):
    if noise: tpl = paraphrase(r, tpl)
    return fill(r, tpl.replace("{q}", "\x03")).replace("\x03", q)
def sysp(r, name): return "You are %s. %s" % (name, words(r, 15, 120))
_TOK, _SLOT = re.compile(r"\w+"), re.compile("\x01[^\x02]*\x02")
COT_RE = re.compile(r"step[ -]by[ -]step|chain of (thought|reasoning)|show (all |your )?(work|reasoning)|showing all|reason(ing)? (carefully|through)|think (carefully|through)|"
                    r"explain your reasoning|intermediate (steps|reasoning)|worked solution|<thinking>|paso a paso|étape par étape|passo a passo")
RUB_RE = re.compile(r"rubric|grading|grade (from|the|this)|score (each|from|the|this)|according to the following criteria")
def P(r, marked, cat, lang="en", system=None):
    text = marked.replace("\x01", "").replace("\x02", "")
    low = text.lower()
    tt = []
    for t in _TOK.findall(_SLOT.sub(" zzslotzz ", marked).lower()):
        if t in NOISE_SET: continue
        if t.isdigit(): t = "zznumzz"
        if tt and t == tt[-1] == "zzslotzz": continue
        tt.append(t)
    if r.random() < 0.04: cat = "other"                       # classifier noise
    return {"fingerprint": "%016x" % simhash(_TOK.findall(low)), "template": hx("tpl:" + " ".join(tt)),
            "system_hash": hx("sys:" + system) if system else None, "chars": len(text), "lang": lang, "category": cat,
            "cot_request": bool(COT_RE.search(low)), "rubric_request": bool(RUB_RE.search(low)),
            "_st": (len(system) // 4 + 4) if system else 0}
def prm(temp=None, top_p=None, n=1, mx=None, tl=None, tools=0, lp=False, lb=False, stream=False):
    return {"temperature": temp, "top_p": top_p, "n": n, "max_tokens": mx, "top_logprobs": tl, "tools": tools,
            "logprobs": lp, "logit_bias": lb, "stream": stream}

# ---------------------------------------------------------------- network & clients
ASN = {  # asn: (country, kind, v4 /16 prefixes, v6 prefix)
    7922: ("US", "res", ["73.12", "98.33", "24.60"], "2601:"), 7018: ("US", "res", ["99.105", "108.220"], "2600:1700:"), 20115: ("US", "res", ["47.152", "75.130"], "2600:6c40:"),
    701: ("US", "res", ["71.181", "108.56"], ""), 812: ("CA", "res", ["99.224", "174.112"], ""), 3320: ("DE", "res", ["87.150", "91.58"], "2003:"),
    2856: ("GB", "res", ["86.160", "81.129"], "2a00:23c5:"), 3215: ("FR", "res", ["90.24", "86.247"], "2a01:cb00:"), 3352: ("ES", "res", ["88.6", "83.44"], ""),
    1136: ("NL", "res", ["77.163", "84.104"], ""), 26599: ("BR", "res", ["177.9", "191.33"], ""), 8151: ("MX", "res", ["187.188", "189.146"], ""),
    4766: ("KR", "res", ["121.130", "175.223"], ""), 2516: ("JP", "res", ["106.128", "111.97"], "240f:"), 9829: ("IN", "res", ["117.200", "59.94"], ""),
    24560: ("IN", "res", ["122.161", "182.68"], ""), 1221: ("AU", "res", ["110.142", "120.150"], ""), 9121: ("TR", "res", ["78.180", "85.105"], ""),
    45899: ("VN", "res", ["113.161", "14.176"], ""), 17974: ("ID", "res", ["36.72", "180.252"], ""), 9299: ("PH", "res", ["112.198", "124.106"], ""),
    6830: ("PL", "res", ["89.64", "83.24"], ""), 16509: ("US", "cloud", ["3.92", "54.210", "18.206"], "2600:1f18:"), 15169: ("US", "cloud", ["34.66", "35.188"], "2600:1900:"),
    8075: ("NL", "cloud", ["20.50", "52.174"], ""), 24940: ("DE", "cloud", ["88.198", "116.203", "95.216"], "2a01:4f8:"), 14061: ("US", "cloud", ["159.89", "167.99", "64.227"], "2604:a880:"),
    16276: ("FR", "cloud", ["51.77", "141.94"], "2001:41d0:"), 20473: ("US", "cloud", ["45.76", "149.28"], ""), 63949: ("US", "cloud", ["172.104", "45.79"], ""),
    3356: ("US", "biz", ["4.14", "8.42"], ""), 4755: ("IN", "biz", ["115.113", "14.141"], ""), 3209: ("DE", "biz", ["109.40", "94.134"], ""),
    53813: ("US", "vpn", ["165.225", "136.226"], ""), 559: ("CH", "edu", ["129.132", "82.130"], "2001:67c:"), 25: ("US", "edu", ["128.32", "169.229"], "2607:f140:"),
    21928: ("US", "mob", ["172.58", "172.56"], "2607:fb90:"), 22394: ("US", "mob", ["174.192", "174.224"], "2600:1000:"), 20057: ("US", "mob", ["166.170", "107.77"], "2600:380:"),
    55836: ("IN", "mob", ["157.32", "49.36"], "2409:4040:"), 45609: ("IN", "mob", ["106.205", "223.178"], "2401:4900:"), 26615: ("BR", "mob", ["177.79", "179.100"], ""),
    9605: ("JP", "mob", ["1.66", "49.96"], "2400:4050:"), 3329: ("GB", "mob", ["31.94", "46.64"], "2a00:1028:")}
RES_BY_CC = {}
for _a, (_c, _k, _, _) in sorted(ASN.items()):
    if _k == "res": RES_BY_CC.setdefault(_c, []).append(_a)
RES_CCS = sorted(RES_BY_CC)
MOB_BY_CC = {"US": [21928, 22394, 20057], "IN": [55836, 45609], "BR": [26615], "JP": [9605], "GB": [3329]}
AMER, EMEA = {"US", "CA", "MX", "BR"}, {"DE", "GB", "FR", "ES", "NL", "CH", "TR", "PL"}
def ip4(r, asn): return "%s.%d.%d" % (r.choice(ASN[asn][2]), r.randint(0, 255), r.randint(1, 254))
def ip6(r, asn):
    g = [x for x in ASN[asn][3].split(":") if x]
    return str(ipaddress.IPv6Address(":".join(g + ["%x" % r.getrandbits(16) for _ in range(8 - len(g))])))
def net(r, asn, v6p=0.0, cc=None):
    ip = ip6(r, asn) if ASN[asn][3] and r.random() < v6p else ip4(r, asn)
    return (ip, asn, cc or ASN[asn][0])
def res_net(r, cc=None, v6p=0.2):
    cc = cc or r.choice(RES_CCS)
    return net(r, r.choice(RES_BY_CC.get(cc, RES_BY_CC["US"])), v6p, cc if cc in RES_BY_CC else None)
def rand_cc(r, us=0.45): return "US" if r.random() < us else r.choice(RES_CCS)
UAS = {"py": (lambda r: "orion-python/1.%d.%d" % (r.randint(38, 48), r.randint(0, 9)), "py"),
       "node": (lambda r: "orion-node/4.%d.%d" % (r.randint(60, 78), r.randint(0, 5)), "node"),
       "requests": (lambda r: "python-requests/2.%d.%d" % (r.randint(28, 32), r.randint(0, 3)), "py"),
       "httpx": (lambda r: "python-httpx/0.%d.%d" % (r.randint(25, 28), r.randint(0, 2)), "py"),
       "aiohttp": (lambda r: "Python/3.%d aiohttp/3.%d.%d" % (r.randint(10, 12), r.randint(9, 10), r.randint(0, 9)), "py"),
       "langchain": (lambda r: "langchain-orion/0.3.%d orion-python/1.%d.0" % (r.randint(0, 9), r.randint(40, 48)), "py"),
       "nodefetch": (lambda r: "node-fetch/3.3.%d" % r.randint(0, 2), "node"),
       "curl": (lambda r: "curl/8.%d.%d" % (r.randint(4, 10), r.randint(0, 1)), "curl"),
       "go": (lambda r: "Go-http-client/2.0", "go"), "java": (lambda r: "Java-http-client/21.0.%d" % r.randint(1, 5), "java"),
       "chrome": (lambda r: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36" % r.randint(126, 131), "chrome"),
       "safari": (lambda r: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.%d Safari/605.1.15" % r.randint(0, 3), "safari"),
       "okhttp": (lambda r: "okhttp/4.12.0", "android"),
       "nocode": (lambda r: r.choice(("n8n/1.%d.0" % r.randint(50, 70), "Zapier", "Make/production", "Bubble/1.0")), "node")}
JA4 = {k: tuple(v.split(",")) for k, v in (x.split("=") for x in """py=t13d1812h2_e8a523a41297_2aa26d9ec0b3,t13d1813h2_e8a523a41297_0f8b9a7c3e21
node=t13d1516h2_8daaf6152771_02713d6af862,t13d1517h2_8daaf6152771_b1ff8ab2d16f
curl=t13d3112h2_e8f1e7e78f70_6bebaf5329ac,t13d3113h2_e8f1e7e78f70_ce5650b735ce
go=t13d1311h2_f57a46bbacb6_d4b0d0ee1a4c,t13d1311h2_f57a46bbacb6_e1f0d55aa2f7
java=t13d5911h2_a33745022dd6_dbd39dd1d406,t13d5912h2_a33745022dd6_4f04edce68a7
chrome=t13d1516h2_8daaf6152771_d8a2da3f94cd,t13d1517h2_8daaf6152771_b0da82dd1658
safari=t13d2014h2_a09f3c656075_14788d8d241b,t13d2014h2_a09f3c656075_e42f34c56612
android=t13d1614h2_3c6f4f5b2c1a_7f2d3e9a1b44,t13d1615h2_3c6f4f5b2c1a_9e0a7c5d3b21
ios=t13d2013h2_a09f3c656075_7f0f34a4126d,t13d2014h2_a09f3c656075_7f0f34a4126d""".split())}
def client(r, kind, stack=None):
    f, s = UAS[kind]
    j = JA4[stack or s]
    return (f(r), j[0] if r.random() < 0.7 else j[1])
def poisson(r, t0, t1, rpm):
    out, t = [], t0
    while rpm > 0:
        t += r.expovariate(rpm / 60.0)
        if t >= t1: return out
        out.append(t)
    return out
def human(r, t, t1, n, gap):  # one interactive session: n requests with log-normal think time
    out = []
    while len(out) < n and t < t1: out.append(t); t += r.lognormvariate(math.log(gap), 0.8)
    return out
def work_act(ts, tz):
    h = ((ts - T0) / 3600 + 13 + tz) % 24
    if 9 <= h < 12.5 or 13.5 <= h < 18: return 1.0
    if 8 <= h < 9 or 12.5 <= h < 13.5 or 18 <= h < 20: return 0.5
    return 0.2 if 20 <= h < 23 else 0.04

# ---------------------------------------------------------------- world
class Acct:
    __slots__ = ("id", "persona", "campaign", "created", "tier", "verified", "pay", "org", "keys")
class Ev:
    __slots__ = ("ts", "a", "key", "net", "cli", "model", "ep", "p", "prm", "pt", "ct", "rt", "st")
CAT_MED = {"coding": 420, "math": 320, "reasoning": 360, "agentic": 140, "creative": 300, "knowledge": 330, "other": 60}
class World:
    def __init__(self, seed, hours):
        self.r = random.Random("gen_b:%d" % seed)
        self.end, self.H, self.span = T0 + hours * 3600, hours, hours * 3600
        self.ev, self.accts, self.ids, self.legacy, self.shared = [], [], set(), set(), {}
    def rid(self, pre, n):
        s = pre + "%0*x" % (n, self.r.getrandbits(4 * n))
        return self.rid(pre, n) if s in self.ids else (self.ids.add(s) or s)
    def card(self): return "pf_" + hx("card:%d" % self.r.getrandbits(64), 24)
    def org(self): return self.rid("org_", 12)
    def acct(self, persona, campaign, created, tier, verified, pay, org, nkeys=1, legacy_p=0.08):
        a = Acct()
        a.id, a.persona, a.campaign, a.created, a.tier = self.rid("acct_", 12), persona, campaign, created, tier
        a.verified, a.pay, a.org, a.keys = verified, pay, org, [self.rid("key_", 16) for _ in range(nkeys)]
        self.legacy.update(k for k in a.keys if self.r.random() < legacy_p)     # keys routed via the legacy edge
        self.accts.append(a)
        return a
    def emit(self, a, ts, key, nt, cli, model, p, pr, ep=CHAT, st=None, hist=0):
        if not (T0 <= ts < self.end) or ts < a.created: return
        r = self.r
        x = r.random()
        if st is None: st = 500 if x < 0.003 else 503 if x < 0.005 else 400 if x < 0.008 else None
        e = Ev()
        e.ts, e.a, e.key, e.net, e.cli, e.model, e.ep, e.p, e.prm, e.st = ts, a, key, nt, cli, model, ep, p, pr, st
        mx, n, cot = pr["max_tokens"] or 8192, pr["n"] or 1, p["cot_request"]
        med = (260 if p["rubric_request"] else CAT_MED.get(p["category"], 200)) * (2.6 if cot else 1.0) * (0.7 if model == M2F else 1.0)
        e.ct = mx if mx <= 2 else min(mx, int(med * r.lognormvariate(0, 0.55)) + 1) * n
        e.rt = None if model == M2F or (model == M2 and r.random() < 0.5) else 0
        if model == M3 and mx > 2 and r.random() > 0.07: e.rt = int((2.2 if cot else 0.9) * med * r.lognormvariate(0, 0.7)) * n
        e.pt = int(p["chars"] / 3.9) + p["_st"] + hist + pr["tools"] * 110 + 8
        self.ev.append(e)
    def apply_limits(self):
        """Per-account sliding-minute RPM limiter with client retries; only events with unset status."""
        by, extra = {}, []
        for e in self.ev:
            if e.st is None: by.setdefault(e.a.id, []).append(e)
        for lst in by.values():
            lim, win = RPM[lst[0].a.tier], collections.deque()
            h = [(e.ts, i, 0, e) for i, e in enumerate(lst)]
            heapq.heapify(h); seq = len(h)
            while h:
                ts, _, tries, e = heapq.heappop(h)
                while win and win[0] <= ts - 60: win.popleft()
                if len(win) >= lim:
                    e.st = 429
                    if tries < 3 and self.r.random() < 0.65:
                        c = copy.copy(e); c.ts = ts + (2 ** tries) * self.r.uniform(1.0, 3.0); c.st = None
                        if c.ts < self.end: heapq.heappush(h, (c.ts, seq, tries + 1, c)); seq += 1; extra.append(c)
                else: e.st = 200; win.append(ts)
        self.ev.extend(extra)

# ---------------------------------------------------------------- legitimate personas
ICATS, IW = ["coding", "knowledge", "creative", "math", "reasoning", "agentic", "other"], [50, 15, 10, 7, 5, 8, 5]
def g_indie(w, r, n):
    for _ in range(n):
        cc, new = rand_cc(r), r.random() < 0.04
        created = T0 + r.uniform(0, 0.7 * w.span) if new else T0 - DAY * r.choice((r.uniform(1, 1100), r.uniform(1, 90)))
        tier = "tier1" if new else r.choices(["free", "tier1", "tier2", "tier3", "tier4"], [18, 32, 26, 17, 7])[0]
        a = w.acct("indie_dev", None, created, tier, r.random() < 0.6, None if tier == "free" and r.random() < 0.7 else w.card(),
                   w.org() if r.random() < 0.7 else None, r.choice((1, 1, 1, 2, 3)))
        cli = client(r, r.choice(("py", "py", "py", "node", "node", "requests", "curl", "chrome", "langchain", "httpx", "go", "java")))
        home, alt = res_net(r, cc, 0.25), net(r, r.choice(MOB_BY_CC.get(cc, MOB_BY_CC["US"]))) if r.random() < 0.15 else None
        system = None if r.random() < 0.4 else DEFAULT_SYS if r.random() < 0.5 else sysp(r, "a coding assistant for a side project")
        lang = CC_LANG.get(cc, "en") if r.random() < 0.15 else "en"
        tutor = r.choice(TUTW) if r.random() < 0.06 else None                 # side-project study app: CoT-heavy, legit
        tries3, b0, start = r.random() < 0.45, (r.uniform(T0, w.end) if r.random() < 0.02 else None), max(T0, created + 30)
        b1 = b0 + r.uniform(600, 1500) if b0 else None                      # billing failure window -> 403s, then resumes
        for _s in range(1 + (r.random() < 0.35) + (r.random() < 0.12)):
            for t in human(r, r.uniform(start, w.end), w.end, int(r.lognormvariate(2.0, 0.9)) + 1, r.uniform(20, 90)):
                model = M3 if tries3 and t >= REL and r.random() < 0.6 else (M2F if r.random() < 0.3 else M2)
                cat = r.choices(ICATS, IW)[0]
                if model == M3 and r.random() < 0.35: cat = r.choice(("math", "reasoning"))     # poking at the new model
                ql = lang if lang != "en" and cat in ("knowledge", "other") else "en"
                if tutor and r.random() < 0.8: cat = r.choice(("math", "reasoning", "coding", "knowledge"))
                q = fill(r, LANGS[lang][1]) if ql != "en" else wrap(r, tutor if tutor and r.random() < 0.8 else r.choice(DEVW), Q(r, cat))
                pr = prm(r.choice((None, 0, 0.2, 0.7, 1.0)), None, 1, r.choice((None, None, 1024, 4096)),
                         tools=r.randint(1, 6) if cat == "agentic" else 0, stream=r.random() < 0.4)
                w.emit(a, t, r.choice(a.keys), alt if alt and r.random() < 0.2 else home, cli, model, P(r, q, cat, ql, system), pr,
                       ep=RESP if r.random() < 0.2 else CHAT, st=403 if b0 and b0 <= t < b1 else None)
def g_hobby(w, r, n):
    for _ in range(n):
        cc = rand_cc(r, 0.35)
        fresh = r.random() < 0.3                                            # release-day sign-ups
        created = r.uniform(REL - 900, w.end - 300) if fresh else T0 - DAY * r.uniform(2, 900)
        tier = "free" if r.random() < 0.75 else "tier1"
        a = w.acct("hobbyist", None, created, tier, r.random() < 0.3, w.card() if tier != "free" else None, None, 1)
        cli = client(r, r.choice(("nocode", "nocode", "chrome", "safari", "py", "node")))
        nt = net(r, r.choice(MOB_BY_CC[cc])) if cc in MOB_BY_CC and r.random() < 0.3 else res_net(r, cc, 0.3)
        for t in human(r, r.uniform(max(T0, created + 60), w.end), w.end, r.randint(1, 12), r.uniform(30, 150)):
            model = M3 if (fresh or r.random() < 0.3) and t >= REL and r.random() < 0.7 else r.choice((M2, M2F))
            cat = r.choice(("creative", "knowledge", "other", "math", "reasoning", "coding"))
            q = wrap(r, "Explain step by step: {q}", Q(r, cat)) if cat in ("math", "reasoning") and r.random() < 0.5 else Q(r, cat)
            w.emit(a, t, a.keys[0], nt, cli, model, P(r, q, cat, "en", DEFAULT_SYS if r.random() < 0.3 else None),
                   prm(r.choice((None, 0.7, 1.0)), None, 1, None, stream=r.random() < 0.6))
TENANTS = [("US", 3356, -4.0, 60, "py", "Northwind Copilot"), ("DE", 3209, 2.0, 35, "java", "Kestrel Assist"), ("IN", 4755, 5.5, 25, "node", "Sarvam Desk")]
def g_enterprise(w, r):
    for cc, asn, tz, size, ck, tool in TENANTS:
        org, card, office = w.org(), w.card(), [net(r, asn, 0, cc) for _ in range(r.randint(2, 4))]
        sysx, bulk = sysp(r, tool), T0 - DAY * r.uniform(200, 700)
        wr, vpn = "[%s] You are helping an employee. Relevant documents: {words} Request: {q}" % tool, [net(r, 53813, 0, cc) for _ in range(2)]
        plug_ua = "%s/2.%d %s" % (tool.replace(" ", ""), r.randint(1, 6), UAS[ck][0](r))
        nh = r.randint(5, 8) if cc == "US" else 0
        hire_t = T0 + r.uniform(0.05, 0.2) * w.span
        for i in range(size + nh):
            if i >= size: created = hire_t + (i - size) * r.uniform(3, 20)          # onboarding batch created today
            elif r.random() < 0.65: created = bulk + i * r.uniform(1, 4)             # bulk SCIM provisioning
            else: created = bulk + DAY * r.uniform(1, (T0 - bulk) / DAY - 1)
            a = w.acct("enterprise_employee", None, created, "enterprise" if r.random() < 0.9 else "tier5", True, card, org, 1)
            home, pw = res_net(r, cc, 0.3), r.choice(((0.8, 0.15), (0.5, 0.4), (0.1, 0.5)))    # office / VPN / home mix
            cli_dev, cli_plug = client(r, ck), (plug_ua, JA4[UAS[ck][1]][0])
            o3 = r.random() < 0.12
            times = [(t, r.choice(office)) for t in human(r, created + r.uniform(60, 400), w.end, r.randint(3, 6), 25)] if i >= size else []
            for _s in range(r.randint(1, 4)):
                t, x = r.uniform(T0, w.end), r.random()
                loc = r.choice(office) if x < pw[0] else r.choice(vpn) if x < pw[0] + pw[1] else home
                if r.random() < work_act(t, tz): times += [(u, loc) for u in human(r, t, w.end, int(r.lognormvariate(2.0, 0.7)) + 1, r.uniform(40, 120))]
            for j, (t, loc) in enumerate(sorted(times)):
                if i >= size and j < 4:
                    q, cat, cli = wrap(r, "Onboarding exercise {b}: ask the copilot to explain {topic}. {q}", Q(r, "knowledge")), "knowledge", cli_plug
                elif r.random() < 0.55:
                    cat = r.choice(("coding", "knowledge", "creative", "knowledge")); q, cli = wrap(r, wr, Q(r, cat)), cli_plug
                else:
                    cat = r.choices(ICATS, IW)[0]; q, cli = wrap(r, r.choice(DEVW), Q(r, cat)), cli_dev
                w.emit(a, t, a.keys[0], loc, cli, M3 if o3 and t >= REL else M2, P(r, q, cat, "en", sysx if cli is cli_plug else None),
                       prm(0.2, None, 1, 2048, tools=r.randint(0, 3), stream=True))
RESELLERS = [(14061, "US", "nodefetch", 40), (24940, "DE", "requests", 25)]
def g_resellers(w, r):
    for ri, (asn, cc, ck, nc) in enumerate(RESELLERS):
        card, egress, cli = w.card(), [net(r, asn, 0, cc) for _ in range(r.randint(6, 12))], client(r, ck)
        if ri == 0: w.shared["r1"] = (cli, egress)
        for i in range(nc):
            prod = r.choice(sorted(PRODUCTS)); pcat, sks = PRODUCTS[prod]
            created = T0 - DAY * (r.uniform(0.3, 7) if i < 3 else r.uniform(7, 420))
            a = w.acct("reseller_client", None, created, r.choice(("tier2", "tier2", "tier3")), r.random() < 0.5, card,
                       w.org() if r.random() < 0.6 else None, 1)
            sysx, rpm = sysp(r, "the %s assistant of client %d" % (prod, i)), min(10, max(0.2, r.lognormvariate(0.3, 0.9)))
            m, up = r.choice((M2, M2F)), r.random() < 0.15
            for t in poisson(r, T0, w.end, rpm):
                w.emit(a, t, a.keys[0], r.choice(egress), cli, M3 if up and t >= REL else m, P(r, fill(r, r.choice(sks)), pcat, "en", sysx),
                       prm(0.7, None, 1, 1024))
def g_lab(w, r):
    org, card, cli = w.org(), w.card(), client(r, "py")
    nets = [net(r, 559, 0.3) for _ in range(3)] + [net(r, 16509, 0, "US")]
    for j in range(10):
        a = w.acct("research_lab_eval", None, T0 - DAY * r.uniform(150, 900), "tier4", True, card, org, 2)
        plan = [(T0, REL, r.uniform(3, 6), M2)] if j < 4 else []
        s = REL + r.uniform(240, 900)
        plan.append((s, min(w.end, s + r.uniform(55, 100) * 60), r.uniform(15, 30), M3))
        for t0, t1, rpm, model in plan:
            for t in poisson(r, t0, t1, rpm):
                cat = r.choices(("math", "reasoning", "coding"), (45, 35, 20))[0]
                k = r.random() < 0.3
                w.emit(a, t, r.choice(a.keys), r.choice(nets), cli, model, P(r, wrap(r, r.choice(LAB), Q(r, cat)), cat),
                       prm(0.6 if k else 0.0, None, 4 if k else 1, 32768))
def g_vendor(w, r):
    org, card, cli = w.org(), w.card(), client(r, "httpx")
    for j in range(8):
        a = w.acct("labeling_vendor", None, T0 - DAY * r.uniform(60, 500), "tier4", True, card, org, 1)
        nets, rpm = [net(r, 16509, 0, "SG") for _ in range(2)], r.uniform(6, 14)
        for t in poisson(r, T0, w.end, rpm):
            q = wrap(r, r.choice(RUBRIC), Q(r, r.choice(("knowledge", "coding", "math", "creative"))))
            w.emit(a, t, a.keys[0], r.choice(nets), cli, M3 if j < 4 and t >= REL and r.random() < 0.5 else M2,
                   P(r, q, "other"), prm(0.0, None, 1, 1024))
APPS = [("HomeworkHero", ["US", "IN"], (40, 110)), ("TripPal", ["US", "BR", "GB", "JP"], (30, 60)), ("LingoPal", ["US", "JP", "BR", "IN"], (30, 70))]
def g_mobile(w, r):
    for name, ccs, (lo, hi) in APPS:
        a = w.acct("mobile_app", None, T0 - DAY * r.uniform(200, 600), "tier5", True, w.card(), w.org(), 2 if name == "TripPal" else 1)
        sysx = sysp(r, name)
        pools = {asn: [ip4(r, asn) for _ in range(250)] for cc in ccs for asn in MOB_BY_CC[cc]}   # CGNAT: shared IPv4s
        def user():
            cc = r.choice(ccs); asn = r.choice(MOB_BY_CC[cc]); ios = r.random() < 0.55
            ua = ("%s/3.%d CFNetwork/1568.100.1 Darwin/24.0.0" % (name, r.randint(0, 4)), JA4["ios"][0]) if ios else ("okhttp/4.12.0", JA4["android"][r.random() < 0.3])
            return [cc, asn, ua, None]
        users = [user() for _ in range(r.randint(1500, 4000))]
        for t in poisson(r, T0, w.end, r.uniform(lo, hi)):
            u = users[int(len(users) * r.random() ** 2)]
            if u[3] is None or r.random() < 0.05:
                u[3] = (ip6(r, u[1]) if ASN[u[1]][3] and r.random() < 0.45 else r.choice(pools[u[1]]), u[1], u[0])
            if name == "HomeworkHero":
                cat = r.choice(("math", "math", "reasoning", "knowledge")); q, lang = wrap(r, "Explain step by step like a friendly tutor: {q}", Q(r, cat)), "en"
            elif name == "TripPal":
                cat, lang = r.choice(("knowledge", "creative")), "en"
                q = fill(r, r.choice(["What should I see in {city} in {b} days?", "Plan a {b}-day budget trip to {city}.", "Is {city} safe at night?"]))
            else:
                lang = r.choice(sorted(LANGS)); cat = "other"
                q = fill(r, "lang=%s Explain the difference between {x} and {y} and give examples. " % lang) + S(" ".join(r.choice(LANGS[lang][2].split()) for _ in range(r.randint(3, 12))))
            w.emit(a, t, r.choice(a.keys), u[3], u[2], M2F, P(r, q, cat, lang, sysx), prm(0.7, None, 1, 800, stream=True), hist=r.randint(0, 1500))
def g_cron(w, r):
    org, card = w.org(), w.card()
    for j in range(6):
        a = w.acct("cron_jobs", None, T0 - DAY * r.uniform(100, 400), "tier3", True, card, org, 1)
        nt, cli = net(r, 15169, 0, "US"), client(r, "go")
        jobs = [(r.choice((60, 300, 300, 900)), r.randint(1, 3), FILL["svc"](r)) for _ in range(r.randint(1, 3))] + [(3600, 5, "hourly-report")]
        for period, burst, svc in jobs:
            t = math.ceil(T0 / period) * period                            # aligned to wall clock => synchronized across accounts
            while t < w.end:
                tt = t + r.uniform(0.01, 0.25)
                for k in range(burst):
                    q = fill(r, "Summarize the following log excerpt for %s and list any anomalies. Lines: {lines}" % svc)
                    w.emit(a, tt, a.keys[0], nt, cli, M2F, P(r, q, "other", "en", "You are an SRE assistant."), prm(0.0, None, 1, 512))
                    tt += r.uniform(0.8, 3.0)
                t += period
def g_students(w, r):
    for _ in range(3):
        a = w.acct("shared_student_account", None, T0 - DAY * r.uniform(3, 13), "free", False, None, None, 1)
        campus = [net(r, 25, 0.3) for _ in range(3)]
        hw = [(c, Q(r, c)) for c in ("math", "math", "coding", "coding", "knowledge", "reasoning", "math", "coding")]
        dl = T0 + r.uniform(0.5, 0.95) * w.span                                 # homework deadline crunch
        for _st in range(r.randint(8, 20)):
            x = r.random()
            nt = r.choice(campus) if x < 0.5 else res_net(r, "US", 0.3) if x < 0.85 else net(r, r.choice(MOB_BY_CC["US"]), 0.5)
            cli = client(r, r.choice(("chrome", "chrome", "safari", "py")))
            for _s in range(r.randint(1, 2)):
                for t in human(r, r.uniform(dl - 3600, dl), w.end, int(r.lognormvariate(2.2, 0.6)), r.uniform(15, 60)):
                    cat, q = r.choice(hw) if r.random() < 0.5 else (lambda c: (c, Q(r, c)))(r.choice(("math", "coding", "knowledge", "creative")))
                    if cat == "math" and r.random() < 0.5: q = wrap(r, "Explain step by step: {q}", q)
                    w.emit(a, t, a.keys[0], nt, cli, M3 if t >= REL and r.random() < 0.2 else M2, P(r, q, cat), prm(None, None, 1, None, stream=True))
def g_migrated(w, r):
    for i in range(4):
        card, org = w.card(), w.org()
        prod = r.choice(sorted(PRODUCTS)); pcat, sks = PRODUCTS[prod]
        sysx, nets, cli = sysp(r, "the %s backend" % prod), [net(r, 16509, 0, "US") for _ in range(3)], client(r, "py")
        sw = T0 + r.uniform(0.15, 0.6) * w.span
        old = w.acct("migrated_workload", None, T0 - DAY * r.uniform(300, 800), "tier3", True, card, org, 1)
        new = w.acct("migrated_workload", None, sw - r.uniform(60, 900), "tier1", r.random() < 0.5,
                     card if r.random() < 0.6 else w.card(), org if r.random() < 0.5 else None, 1)
        rpm = r.uniform(35, 75)
        for a, t0, t1 in ((old, T0, sw + r.uniform(0, 120)), (new, sw, w.end)):
            for t in poisson(r, t0, t1, rpm):
                w.emit(a, t, a.keys[0], r.choice(nets), cli, M2, P(r, fill(r, r.choice(sks)), pcat, "en", sysx), prm(0.5, None, 1, 1500))
def g_translation(w, r):
    for asn, cc in ((8075, "NL"), (63949, "SG")):
        org, card, cli = w.org(), w.card(), client(r, "node")
        sysx = sysp(r, "a professional translation and localization engine")
        for _ in range(r.randint(3, 4)):
            a = w.acct("translation_service", None, T0 - DAY * r.uniform(30, 600), "tier3", True, card, org, 1)
            nt = net(r, asn, 0, cc)
            for t in poisson(r, T0, w.end, r.uniform(4, 15)):
                lang = r.choice(sorted(LANGS) + ["en"])
                if lang == "en": q = fill(r, "Translate into {tl} and explain the nuance of each phrase step by step: {words}")
                else: q = fill(r, LANGS[lang][0]) + " " + S(" ".join(r.choice(LANGS[lang][2].split()) for _ in range(r.randint(5, 30))))
                w.emit(a, t, a.keys[0], nt, cli, M2, P(r, q, "other", lang, sysx), prm(0.3, None, 1, 2000))
def g_saas(w, r):
    specs = [("code_agent", 16509, "US", (40, 80)), ("support_bot", 8075, "NL", (30, 60)), ("edtech_tutor", 15169, "US", (20, 40)),
             ("content_platform", 14061, "US", (20, 50)), ("analytics_sql", 16509, "US", (10, 30))]
    for name, asn, cc, (lo, hi) in specs:
        a = w.acct("saas_heavy", None, T0 - DAY * r.uniform(200, 900), r.choice(("tier5", "enterprise")), True, w.card(), w.org(), 3)
        nets, cli, sysx = [net(r, asn, 0, cc) for _ in range(r.randint(3, 8))], client(r, r.choice(("py", "node"))), sysp(r, name)
        for t in poisson(r, T0, w.end, r.uniform(lo, hi)):
            tools, hist, model, cat = 0, 0, M2, {"support_bot": "other", "edtech_tutor": "math", "content_platform": "creative"}.get(name, "coding")
            if name == "code_agent":
                cat = r.choice(("agentic", "coding")); q, tools, hist = Q(r, cat), r.randint(8, 30), r.randint(2000, 40000)
            elif name == "support_bot": q, model = fill(r, r.choice(PRODUCTS["support"][1])), M2F
            elif name == "edtech_tutor": q = wrap(r, "Show the solution step by step for the student. Student question: {q}", Q(r, "math"))
            elif name == "content_platform": q = Q(r, "creative")
            else: q = fill(r, "Write a SQL query that {task}. Schema: {words}")
            if name in ("code_agent", "edtech_tutor") and t >= REL and r.random() < 0.55: model = M3
            w.emit(a, t, r.choice(a.keys), r.choice(nets), cli, model, P(r, q, cat, "en", sysx),
                   prm(0.2, 1.0, 1, 4096, tools=tools, stream=True), ep=RESP if name == "code_agent" else CHAT, hist=hist)
def g_classifier(w, r):
    for _ in range(3):
        a = w.acct("logprob_classifier", None, T0 - DAY * r.uniform(90, 700), "tier4", True, w.card(), w.org(), 1)
        nt, cli, tl, tpl = net(r, r.choice((16509, 15169, 8075)), 0), client(r, "py"), r.choice((2, 3, 5)), r.choice(CLS)
        for t in poisson(r, T0, w.end, r.uniform(20, 50)):
            w.emit(a, t, a.keys[0], nt, cli, M2F, P(r, fill(r, tpl), "other"), prm(0.0, None, 1, 1, tl, 0, True, r.random() < 0.8),
                   ep=COMPL if r.random() < 0.3 else CHAT)

# ---------------------------------------------------------------- attacks
HCATS, HW = ("math", "coding", "reasoning", "knowledge", "agentic"), (30, 30, 25, 10, 5)
def g_hydra(w, r, n):  # (1) proxy fleet: short-lived slow accounts, residential proxies, shared cards/templates w/ paraphrase noise.
    cards, fake_orgs, asked = [], [w.org() for _ in range(max(3, n // 12))], []
    hsys = [DEFAULT_SYS, DEFAULT_SYS, "You are a world-class problem solver who always explains reasoning.", None]
    for i in range(n):
        if not cards or cards[-1][1] <= 0: cards.append([w.card(), r.randint(3, 10)])
        start = r.uniform(T0 + 0.12 * w.span, REL) if r.random() < 0.2 else r.uniform(REL, max(REL + 60, w.end - 1500))
        paid = r.random() < 0.85
        if paid: cards[-1][1] -= 1
        a = w.acct("proxy_fleet", "hydra", start - r.uniform(20, 900), "tier1" if paid else "free", r.random() < 0.25,
                   cards[-1][0] if paid else None, r.choice(fake_orgs) if r.random() < 0.3 else None, 1 if r.random() < 0.8 else 2)
        cli = client(r, r.choice(("py", "node", "requests", "chrome", "safari", "langchain", "curl", "httpx")), "chrome" if r.random() < 0.15 else "py")
        system, rpm, nt, rot = r.choice(hsys), r.uniform(1, 4), None, 0
        for t in poisson(r, start, min(w.end, start + r.uniform(30, 60) * 60), rpm):
            if t >= rot:
                nt, rot = res_net(r, "US" if r.random() < 0.65 else None, 0.05), t + r.uniform(180, 900)
            if r.random() < 0.1:
                cat = r.choice(("other", "knowledge", "creative")); q = Q(r, cat)          # warm-up / filler
            else:
                if asked and r.random() < 0.25: cat, qq, wi = r.choice(asked)               # re-sample same question
                else:
                    cat = r.choices(HCATS, HW)[0]; qq = Q(r, cat)
                    wi = 3 if cat == "coding" and r.random() < 0.6 else r.choice((0, 1, 2, 4)); asked.append((cat, qq, wi))
                q = wrap(r, HYDRA[wi], qq, noise=True)
            w.emit(a, t, r.choice(a.keys), nt, cli, M3 if t >= REL and r.random() < 0.9 else M2, P(r, q, cat, "en", system),
                   prm(r.choice((0.6, 0.7, 0.8, 1.0)), r.choice((None, 1.0, 0.95)), 4 if r.random() < 0.08 else 1,
                       r.choice((8192, 16384, 32768)), stream=r.random() < 0.5))
def g_remora(w, r, n=30):  # (2) piggybacks on reseller #1's cloud ASN; 40% reseller-looking filler, 60% CoT harvest.
    (ua, _j), _eg = w.shared["r1"]
    cards = [w.card() for _ in range(4)]
    for i in range(n):
        a = w.acct("asn_piggyback", "remora", T0 - DAY * r.uniform(8, 25), "tier2", r.random() < 0.5, cards[i % 4],
                   w.org() if r.random() < 0.75 else None, 1)
        nets = [net(r, 14061, 0, "US") for _ in range(r.randint(1, 2))]
        cli = (ua, JA4["py"][0] if r.random() < 0.8 else JA4["node"][0])
        prod = r.choice(sorted(PRODUCTS)); pcat, sks = PRODUCTS[prod]
        sysx = sysp(r, "the %s assistant" % prod)
        for t in poisson(r, T0 + r.uniform(0, 1200), w.end, r.uniform(2, 6)):
            if r.random() < 0.4:
                q, cat, sy, m = fill(r, r.choice(sks)), pcat, sysx, r.choice((M2, M2F))
            else:
                cat = r.choices(("math", "reasoning", "coding"), (40, 35, 25))[0]
                q, sy, m = wrap(r, r.choice(REMORA), Q(r, cat), noise=True), sysx if r.random() < 0.5 else None, M3 if t >= REL and r.random() < 0.95 else M2
            w.emit(a, t, a.keys[0], r.choice(nets), cli, m, P(r, q, cat, "en", sy), prm(0.7, None, 1, r.choice((1024, 16384))))
def g_dormant(w, r, n=25):  # (3) aged, verified sleeper accounts that wake up together shortly after the release.
    wake = REL + r.uniform(120, 300)
    for i in range(n):
        a = w.acct("sleeper", "dormant", T0 - DAY * r.uniform(120, 270), r.choice(("tier2", "tier3")), True, w.card(),
                   w.org() if r.random() < 0.15 else None, 1)
        nt = res_net(r, "US" if r.random() < 0.8 else None, 0.1)                 # static ISP proxy
        cli = ("orion-python/1.%d.%d" % (r.randint(20, 29), r.randint(0, 9)), JA4["py"][1])
        for t in poisson(r, wake + r.uniform(0, 360), w.end, r.uniform(3, 8)):
            cat = r.choices(("math", "reasoning", "coding", "knowledge"), (35, 30, 25, 10))[0]
            w.emit(a, t, a.keys[0], nt, cli, M3 if r.random() < 0.95 else M2, P(r, wrap(r, r.choice(DORM), Q(r, cat), noise=True), cat),
                   prm(r.choice((None, 0.8)), None, 1, 16384))
def g_phoenix(w, r):  # (4) failover: banned (403) / throttled (429) accounts are replaced within minutes by fresh ones.
    cards, cap, made, ends = [w.card() for _ in range(4)], int(40 * w.H) + 10, 0, []
    s0 = T0 + 0.33 * w.span
    h = [(s0 + r.uniform(0, 600), i) for i in range(8)]
    heapq.heapify(h); seq = 8
    while h and made < cap:
        st, _ = heapq.heappop(h)
        if st >= w.end or sum(x > st for x in ends) >= 12: continue          # operator keeps ~8-12 live accounts
        made += 1
        if r.random() < 0.2: cards.append(w.card())
        tier = "free" if r.random() < 0.5 else "tier1"
        a = w.acct("failover", "phoenix", st - r.uniform(10, 150), tier, False, r.choice(cards), None, 1)
        nt, cli = net(r, r.choice((20473, 16276, 14061, 63949)), 0), client(r, "httpx")
        rpm, ban, lim = r.uniform(10, 25), st + r.uniform(6, 20) * 60, RPM[tier]
        win, t, first403, left, scaled, n429, nreq = collections.deque(), st, None, r.randint(3, 15), False, 0, 0
        wi = r.randrange(len(PHX))
        while t < w.end:
            if t >= ban:
                stt = 403
                if first403 is None:
                    first403 = t
                    heapq.heappush(h, (t + r.uniform(60, 300), seq)); seq += 1
                left -= 1
            else:
                while win and win[0] <= t - 60: win.popleft()
                if len(win) >= lim: stt = 429; n429 += 1
                else: stt = 200; win.append(t)
            nreq += 1
            if not scaled and nreq >= 20 and n429 > 0.4 * nreq:
                scaled = True; heapq.heappush(h, (t + r.uniform(90, 240), seq)); seq += 1
            cat = r.choices(("math", "reasoning", "coding"), (40, 30, 30))[0]
            w.emit(a, t, a.keys[0], nt, cli, M3 if t >= REL else M2, P(r, wrap(r, PHX[wi], Q(r, cat), noise=True), cat),
                   prm(0.7, None, 1, 8192), st=stt)
            if stt == 403 and left <= 0: break
            t += r.expovariate(rpm / 60)
        ends.append(t)
def g_monolith(w, r):  # (5) one enterprise-tier account harvesting CoT at high, flat volume.
    a = w.acct("enterprise_cot_harvester", "monolith", T0 - DAY * r.uniform(80, 110), "enterprise", True, w.card(), w.org(), 3)
    nets, cli = [net(r, 16509, 0, "US") for _ in range(4)], client(r, "httpx")
    sysx = "You are an expert tutor. Always show complete reasoning."
    plan = [(T0, REL, 25, M2), (REL + r.uniform(60, 240), w.end, 55, M3)]
    i = 0
    for t0, t1, rpm, m in plan:
        for t in poisson(r, t0, t1, rpm):
            cat = r.choices(HCATS + ("creative",), (30, 25, 25, 10, 5, 5))[0]
            q = wrap(r, MONO[r.choices((0, 1, 2), (55, 30, 15))[0]], Q(r, cat), noise=True)
            w.emit(a, t, a.keys[i % 3], r.choice(nets), cli, m, P(r, q, cat, "en", sysx), prm(0.8, 0.95, 1, 32768), ep=RESP)
            i += 1
def g_prism(w, r):  # (6) logit-bias / top_logprobs extraction on 1-token outputs, spread over 5 accounts.
    cards, prefixes = [w.card(), w.card()], [words(r, 25, 40) for _ in range(4)]
    for i in range(5):
        a = w.acct("logit_extraction", "prism", T0 - DAY * r.uniform(20, 60), "tier2", r.random() < 0.6, cards[i % 2], None, 1)
        nets, cli = [net(r, r.choice((63949, 20473)), 0) for _ in range(2)], client(r, "py")
        for t in poisson(r, T0 + r.uniform(0, 900), w.end, r.uniform(8, 20)):
            q = r.choice(PRISM).replace("{ctx}", S(r.choice(prefixes) + " " + words(r, 1, 3)))
            comp = r.random() < 0.6
            w.emit(a, t, a.keys[0], r.choice(nets), cli, M3 if t >= REL and r.random() < 0.6 else M2, P(r, q, "other"),
                   prm(0.0, None, 1, 1, 20, 0, True, r.random() < 0.7), ep=COMPL if comp else CHAT)

# ---------------------------------------------------------------- output
def serialize(e, r, eid, legacy):
    a, (ip, asn, cc) = e.a, e.net
    st, ok, leg, rej = e.st, e.st == 200, e.key in legacy, e.st in (400, 403, 429)
    d = {"event_id": eid, "ts": round(e.ts, 3), "account_id": a.id, "api_key_id": e.key, "ip": ip, "endpoint": e.ep,
         "model": e.model, "status": st, "prompt_tokens": 0 if rej else e.pt, "completion_tokens": e.ct if ok else 0}
    keep = lambda: r.random() >= 0.015
    if cc not in EMEA and keep(): d["org_id"] = a.org                       # EMEA gateways never log org_id
    if keep(): d["asn"] = asn
    if keep(): d["country"] = cc
    if cc in AMER or cc in EMEA:
        for k, v in (("user_agent", e.cli[0]), ("ja4", e.cli[1])):
            if keep(): d[k] = v
    elif cc != "IN":
        d["user_agent"] = d["ja4"] = None                                     # APAC gateways: null; ap-south: absent
    if e.rt is not None: d["reasoning_tokens"] = e.rt if ok else 0
    if not leg and keep():
        if rej: lat = r.randint(3, 40)
        elif st >= 500: lat = r.randint(200, 30000)
        else: lat = int(r.uniform(180, 900) + (e.ct + (e.rt or 0)) * 1000.0 / {M2: 70, M2F: 160, M3: 85}[e.model] * r.uniform(0.8, 1.25))
        d["latency_ms"] = lat
    if not leg and keep(): d["params"] = e.prm                               # legacy edge omits params & system_hash
    if keep():
        p = {k: v for k, v in e.p.items() if k[0] != "_"}
        if leg: del p["system_hash"]
        d["prompt"] = p
    if r.random() < 0.97:
        d["account"] = {"created_at": round(a.created, 1), "tier": a.tier, "verified": a.verified, "payment_fingerprint": a.pay}
    return d
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0); ap.add_argument("--hours", type=float, default=2.0); ap.add_argument("--out", required=True)
    args, t_start = ap.parse_args(), time.time()
    w, H = World(args.seed, args.hours), args.hours
    for g, *extra in [(g_indie, int(650 * H)), (g_hobby, int(300 * H)), (g_enterprise,), (g_resellers,), (g_lab,), (g_vendor,), (g_mobile,),
                      (g_cron,), (g_students,), (g_migrated,), (g_translation,), (g_saas,), (g_classifier,),
                      (g_hydra, max(100, min(300, int(100 * H)))), (g_remora,), (g_dormant,), (g_phoenix,), (g_monolith,), (g_prism,)]:
        g(w, w.r, *extra)
    w.apply_limits()
    w.ev.sort(key=lambda e: e.ts)
    os.makedirs(args.out, exist_ok=True)
    r2, seen, used = random.Random("gen_b-ser:%d" % args.seed), set(), set()
    with open(os.path.join(args.out, "events.jsonl"), "w") as f:
        for e in w.ev:
            eid = "evt_%016x" % r2.getrandbits(64)
            while eid in used: eid = "evt_%016x" % r2.getrandbits(64)
            used.add(eid); seen.add(e.a.id)
            f.write(json.dumps(serialize(e, r2, eid, w.legacy), separators=(",", ":")) + "\n")
    cnt = collections.Counter()
    with open(os.path.join(args.out, "truth.jsonl"), "w") as f:
        for a in sorted(w.accts, key=lambda a: a.id):
            if a.id not in seen: continue
            cnt[(a.persona, a.campaign is not None)] += 1
            f.write(json.dumps({"account_id": a.id, "persona": a.persona, "is_attack": a.campaign is not None, "campaign": a.campaign}) + "\n")
    na = sum(v for (p, att), v in cnt.items() if att)
    print("events=%d accounts=%d attack_accounts=%d (%.1f%%) runtime=%.1fs" % (len(w.ev), len(seen), na, 100.0 * na / max(1, len(seen)), time.time() - t_start))
    for (p, att), v in sorted(cnt.items(), key=lambda kv: (kv[0][1], -kv[1])):
        print("  %-28s %-6s %d" % (p, "ATTACK" if att else "legit", v))

if __name__ == "__main__":
    main()
