#!/usr/bin/env python3
"""gen_a.py - independent synthetic generator of AI-API request events plus ground truth.
  python gen_a.py --seed N --hours H --out DIR   ->  DIR/events.jsonl (sorted by ts), DIR/truth.jsonl

Standard library only, deterministic for a given seed. Prompt texts are generated internally from
templates + fillers and only their hashes (64-bit word-shingle SimHash, masked-skeleton template hash)
are written; raw text never leaves the process.
"""
import argparse, hashlib, ipaddress, json, math, os, random, re, time
from collections import deque

START = 1780300800.0                     # 2026-06-01T08:00:00Z
DAY = 86400.0
LIMITS = {'free': (5, 10_000), 'tier1': (50, 40_000), 'tier2': (1000, 80_000), 'tier3': (2000, 160_000),
          'tier4': (4000, 400_000), 'tier5': (8000, 2_000_000), 'enterprise': (20000, 10_000_000)}  # rpm, input tpm
TZ = {'US': -5, 'CA': -4, 'MX': -6, 'BR': -3, 'GB': 1, 'IE': 1, 'DE': 2, 'FR': 2, 'ES': 2, 'IT': 2, 'NL': 2, 'PL': 2,
      'CH': 2, 'RO': 3, 'FI': 3, 'TR': 3, 'IN': 5.5, 'ID': 7, 'SG': 8, 'TW': 8, 'JP': 9, 'KR': 9, 'AU': 10}
# (asn, kind, country, prefixes).  kinds: res, mob, cloud, dc (hosting), vpn (VPN/proxy DC), biz, edu
NETS = [(int(a), k, c, ps) for a, k, c, *ps in (x.split() for x in (
    "7922 res US 73.0.0.0/10 24.0.0.0/13 2601::/20|7018 res US 99.0.0.0/11 107.128.0.0/12 2600:1700::/28|701 res US 71.160.0.0/12 108.0.0.0/13|"
    "20115 res US 66.168.0.0/14 97.80.0.0/13 2600:6c00::/24|21928 mob US 172.56.0.0/14 2607:fb90::/32|812 res CA 99.224.0.0/11|"
    "3320 res DE 79.192.0.0/10 2003::/19|3209 res DE 88.64.0.0/12|2856 res GB 86.128.0.0/10 2a00:23c0::/26|5089 res GB 82.0.0.0/13|"
    "3215 res FR 90.0.0.0/10 2a01:cb00::/24|12322 res FR 78.192.0.0/10|3352 res ES 83.32.0.0/11|3269 res IT 79.0.0.0/12|1136 res NL 77.160.0.0/12|"
    "5617 res PL 83.0.0.0/13|55836 mob IN 49.32.0.0/11 2409:4000::/22|24560 res IN 122.160.0.0/12|4713 res JP 153.128.0.0/10|2516 res JP 106.128.0.0/11|"
    "4766 res KR 175.192.0.0/10|18881 res BR 177.0.0.0/12|28573 res BR 179.0.0.0/12|8151 res MX 187.128.0.0/10|1221 res AU 1.120.0.0/13 101.160.0.0/11|"
    "9506 res SG 116.14.0.0/15|3462 res TW 1.160.0.0/12|7713 res ID 36.64.0.0/11|9121 res TR 78.160.0.0/11|"
    "16509 cloud US 3.80.0.0/12 52.0.0.0/11 54.160.0.0/11 2600:1f18::/33|16509 cloud DE 3.120.0.0/14 18.184.0.0/15|16509 cloud JP 13.112.0.0/14|"
    "396982 cloud US 34.16.0.0/12 35.184.0.0/13|396982 cloud NL 34.90.0.0/15|8075 cloud US 20.0.0.0/11 40.64.0.0/10 13.64.0.0/11|"
    "8075 cloud IE 20.54.0.0/15|31898 cloud US 129.146.0.0/16|14061 dc US 159.89.0.0/16 167.99.0.0/16|14061 dc DE 164.90.0.0/16|"
    "24940 dc DE 88.198.0.0/16 95.216.0.0/15 2a01:4f8::/32|24940 dc FI 65.108.0.0/15|16276 dc FR 51.68.0.0/16 145.239.0.0/16|63949 dc US 172.104.0.0/15|"
    "20473 dc US 45.76.0.0/15|13335 vpn US 104.28.0.0/16 2a09:bac0::/29|9009 vpn GB 185.156.172.0/22|9009 vpn RO 89.38.96.0/20|60781 vpn NL 5.79.64.0/18|"
    "60068 vpn US 156.146.32.0/19|3356 biz US 4.0.0.0/9|174 biz US 38.0.0.0/8|6830 biz DE 62.240.0.0/13|2856 biz GB 81.128.0.0/11|"
    "680 edu DE 141.20.0.0/14 2001:638::/32|559 edu CH 129.132.0.0/16 2001:620::/32|786 edu GB 128.232.0.0/16 2001:630::/32|25 edu US 128.32.0.0/16|"
    "2907 edu JP 133.11.0.0/16").split("|"))]
NETP = {p: ipaddress.ip_network(p) for row in NETS for p in row[3]}
JA4P = {'py3': 't13d4412h1', 'py1': 't13d3410h1', 'node': 't13d5213h2', 'curl': 't13d3112h2', 'go': 't13d1310h2',
        'java': 't13d1811h2', 'chrome': 't13d1516h2', 'firefox': 't13d1715h2', 'safari': 't13d2014h2', 'dart': 't13d1209h1'}
MSG, CHAT, CNT = '/v1/messages', '/v1/chat/completions', '/v1/messages/count_tokens'

NAMES = ['Alice', 'Bob', 'Priya', 'Wei', 'Carlos', 'Fatima', 'Lukas', 'Yuki', 'Omar', 'Sofia', 'Mateo', 'Chen', 'Aisha', 'Ivan', 'Emma', 'Noah', 'Hana', 'Ravi', 'Lena', 'Diego', 'Marta',
         'Kenji', 'Zara', 'Tomasz', 'Amara', 'Jonas']
NAMESET = set(NAMES)
QW = ('order late refund account password reset delivery broken screen invoice missing charge twice upgrade plan cancel '
      'subscription login error shipping address weather tomorrow meeting budget report quarterly sales team project deadline '
      'coffee machine printer network slow battery phone app crash update version feature request dark mode export csv data '
      'privacy policy warranty return label discount code holiday schedule train ticket hotel booking recipe dinner garden '
      'rain concert review movie great terrible okay quality price support agent friendly waited hours').split()
TOPICS = ['photosynthesis', 'blockchain', 'vaccines', 'black holes', 'compound interest', 'TCP handshakes', 'inflation', 'neural networks', 'the immune system', 'plate tectonics',
          'quantum computing', 'supply chains', 'jazz', 'GDPR', 'solar panels', 'garbage collection', 'the Roman Empire', 'climate models', 'DNS', 'index funds', 'sourdough', 'Kubernetes',
          'OAuth', 'bees', 'electric cars', 'the French Revolution', 'CRISPR', 'hash tables', 'volcanoes']
TASKS = ['removes duplicates from a list', 'parses a CSV file', 'finds the longest palindrome', 'merges overlapping intervals', 'computes a moving average', 'validates an email address',
         'flattens a nested dictionary', 'implements an LRU cache', 'counts word frequencies', 'detects a cycle in a linked list', 'retries an HTTP request with backoff',
         'returns the k largest elements', 'serializes a tree to JSON', 'checks balanced parentheses', 'rate-limits calls']
PLANGS = ['Python', 'JavaScript', 'TypeScript', 'Go', 'Rust', 'Java', 'C++', 'Kotlin', 'Ruby', 'SQL']
ITEMS = ['apples', 'notebooks', 'marbles', 'stickers', 'cookies', 'tickets', 'pencils', 'books', 'coins', 'boxes']
SUBJ = ['abstract algebra', 'anatomy', 'astronomy', 'college chemistry', 'computer security', 'econometrics', 'high school physics', 'international law', 'moral scenarios', 'nutrition',
        'philosophy', 'virology', 'world religions', 'machine learning', 'formal logic', 'us history', 'marketing', 'clinical knowledge']
IDS = ['parse_items', 'merge_rows', 'load_config', 'compute_total', 'normalize', 'find_pairs', 'build_index', 'retry_request', 'flatten', 'chunk_list', 'validate_user', 'score_batch',
       'dedupe', 'rolling_mean']
CODE_SK = ['def {f}({v}, limit={a}):\n    out = []\n    for x in {v}:\n        if x % {b} == 0 and len(out) < limit:\n            out.append(x * {c})\n    return out',
           'def {f}({v}):\n    seen = {{}}\n    for i, x in enumerate({v}):\n        if {a} - x in seen:\n            return seen[{a} - x], i\n        seen[x] = i\n    return None',
           'function {f}({v}) {{\n  return {v}.filter(x => x > {a}).map(x => x * {b}).slice(0, {c});\n}}',
           'class {F}:\n    def __init__(self, size={a}):\n        self.size = size\n        self.buf = []\n    def push(self, x):\n        self.buf.append(x)\n        if len(self.buf) > self.size:\n            self.buf.pop({b})',
           "SELECT customer_id, SUM(amount) AS total FROM orders WHERE created_at > NOW() - INTERVAL '{a} days' GROUP BY customer_id HAVING SUM(amount) > {b} LIMIT {c};",
           'for (int i = 0; i < {a}; i++) {{\n    if (arr[i] > arr[i + 1]) {{ swap(arr, i, i + 1); }}\n}}\nreturn arr[{b}];',
           "async def {f}(session, url, tries={a}):\n    for k in range(tries):\n        r = await session.get(url, timeout={b})\n        if r.status == 200:\n            return await r.json()\n        await asyncio.sleep(2 ** k)\n    raise RuntimeError('{v}')"]

def _code(r):
    f = r.choice(IDS)
    s = r.choice(CODE_SK).format(f=f, F=f.title().replace('_', ''), v=r.choice(['items', 'rows', 'data', 'values', 'nums', 'users']),
                                 a=r.randint(2, 500), b=r.randint(2, 50), c=r.randint(1, 99))
    if r.random() < 0.5:
        s = f"# TODO: handle {r.choice(QW)} {r.choice(QW)} case\n" + s
    return "```\n" + s + "\n```"

def _num(r):
    x = r.random()
    return str(r.randint(2, 20) if x < 0.5 else r.randint(10, 500) if x < 0.85 else r.randint(100, 99999))

def _doc(r):
    return '"""' + ' '.join(r.choice(QW) for _ in range(r.randint(30, 70))) + ' ' + _num(r) + '"""'

FILL = {'N': _num, 'NAME': lambda r: r.choice(NAMES), 'CODE': _code, 'DOC': _doc,
        'Q': lambda r: '"' + ' '.join(r.choice(QW) for _ in range(r.randint(3, 12))) + '"',
        'T': lambda r: r.choice(TOPICS), 'T2': lambda r: r.choice(TOPICS), 'LANG': lambda r: r.choice(PLANGS),
        'TASK': lambda r: r.choice(TASKS), 'QT': lambda r: '"' + r.choice(TASKS) + '"', 'ITEM': lambda r: r.choice(ITEMS), 'SUBJ': lambda r: r.choice(SUBJ),
        'HLANG': lambda r: r.choice(['German', 'French', 'Spanish', 'Japanese', 'Portuguese', 'Korean']),
        'OPT': lambda r: ' '.join(r.choice(QW) for _ in range(r.randint(1, 4)))}
RX_FILL = re.compile(r"\{([A-Z0-9]+)\}")

def fill(r, text):
    return RX_FILL.sub(lambda m: FILL[m.group(1)](r), text)

# ---- prompt templates: (category, text, flags) ; flags: c = inherently asks for reasoning, r = rubric/grading
GEN = {'coding': [('coding', 'Write a {LANG} function that {TASK}. It should handle up to {N} elements efficiently.', ''), ('coding', 'Why does this code throw an error?\n{CODE}', ''),
                  ('coding', 'Refactor this code to be more readable and add type hints:\n{CODE}', ''), ('coding', 'Write unit tests for the following function:\n{CODE}', ''),
                  ('coding', 'What is the time complexity of this code and can it be improved?\n{CODE}', ''), ('coding', 'How do I {TASK} in {LANG}? Keep it short.', '')],
       'math': [('math', 'Solve for x: {N}x + {N} = {N}.', ''), ('math', 'What is the derivative of f(x) = {N}x^{N} - {N}x + {N}?', ''),
                ('math', 'A rectangle has a perimeter of {N} cm and a width of {N} cm. What is its area?', ''),
                ('math', 'Compute the probability of getting at least {N} heads in {N} fair coin flips.', ''), ('math', 'Is {N} a prime number?', '')],
       'reasoning': [('reasoning', '{NAME} is older than {NAME}, and {NAME} is younger than {NAME}. Who is the oldest?', ''),
                     ('reasoning', 'If every {T} is a kind of {T2} and no {T2} is cheap, can a {T} be cheap?', ''),
                     ('reasoning', 'There are {N} doors and one hides a prize. After I pick one the host opens {N} empty doors. Should I switch?', ''),
                     ('reasoning', 'Plan a schedule for {N} meetings across {N} rooms so that {NAME} and {NAME} never overlap.', '')],
       'agentic': [('agentic', 'You can call the tools search(query) and fetch(url). Task: find {Q} and report the result as JSON.', ''),
                   ('agentic', 'Given this tool output, decide the next action and call the right tool:\n{CODE}', '')],
       'creative': [('creative', 'Write a short poem about {T} in the style of {NAME}.', ''), ('creative', 'Write a product description for {Q} in under {N} words.', ''),
                    ('creative', 'Give me {N} name ideas for a {T} startup.', ''), ('creative', 'Write a bedtime story about {NAME} and {T}.', '')],
       'knowledge': [('knowledge', 'Explain how {T} works.', ''), ('knowledge', 'Summarize the history of {T} in {N} sentences.', ''),
                     ('knowledge', 'What are the main differences between {T} and {T2}?', ''), ('knowledge', 'Who was {NAME} and why are they famous?', '')],
       'other': [('other', 'Translate into {HLANG}: {Q}', ''), ('other', 'Summarize this email in one sentence: {Q}', ''), ('other', 'Fix the grammar in this sentence: {Q}', ''),
                 ('other', 'Classify the sentiment of this review as positive, negative or neutral: {Q}', ''), ('other', 'Extract all dates from: {Q}', '')]}
CATS = list(GEN)
COT = {'en': ['Think step by step.', "Let's think step by step.", 'Explain your reasoning step by step before answering.', 'Show your work.',
              'Walk me through the reasoning behind your answer.', 'Reason carefully and show every intermediate step.'],
       'de': ['Erkläre deinen Gedankengang Schritt für Schritt.'],
       'fr': ['Explique ton raisonnement étape par étape.'],
       'es': ['Explica tu razonamiento paso a paso.'],
       'pt': ['Explique seu raciocínio passo a passo.'],
       'it': ['Spiega il tuo ragionamento passo dopo passo.'],
       'ja': ['段階的に考えて説明してください。'],
       'zh': ['请一步一步地解释你的推理。'],
       'ko': ['단계별로 추론 과정을 설명해 주세요.'],
       'tr': ['Akıl yürütmeni adım adım açıkla.'],
       'id': ['Jelaskan penalaranmu langkah demi langkah.'],
       'pl': ['Wyjaśnij swoje rozumowanie krok po kroku.'],
       'nl': ['Leg je redenering stap voor stap uit.']}
NATIVE = {'de': [('knowledge', 'Erkläre mir bitte, wie {T} funktioniert.', ''), ('other', 'Fasse diesen Text kurz zusammen: {Q}', ''),
                 ('coding', 'Warum funktioniert dieser Code nicht?\n{CODE}', '')],
          'fr': [('knowledge', "Peux-tu m'expliquer comment fonctionne {T} ?", ''), ('other', 'Résume ce texte en {N} phrases : {Q}', '')],
          'es': [('knowledge', '¿Puedes explicarme cómo funciona {T}?', ''), ('other', 'Resume este texto en {N} frases: {Q}', '')],
          'pt': [('knowledge', 'Você pode me explicar como funciona {T}?', ''), ('other', 'Resuma este texto em {N} frases: {Q}', '')],
          'it': [('knowledge', 'Puoi spiegarmi come funziona {T}?', '')],
          'ja': [('knowledge', '{T}の仕組みを説明してください。', ''), ('other', '次の文章を{N}行で要約してください：{Q}', '')],
          'ko': [('knowledge', '{T}의 작동 방식을 설명해 주세요.', '')],
          'zh': [('knowledge', '请解释一下{T}是如何工作的。', '')],
          'tr': [('knowledge', '{T} nasıl çalışır, açıklar mısın?', '')],
          'id': [('knowledge', 'Tolong jelaskan bagaimana {T} bekerja.', '')],
          'pl': [('knowledge', 'Wyjaśnij, jak działa {T}.', '')],
          'nl': [('knowledge', 'Leg uit hoe {T} werkt.', '')]}
CC_LANG = {'DE': 'de', 'FR': 'fr', 'ES': 'es', 'MX': 'es', 'BR': 'pt', 'IT': 'it', 'JP': 'ja', 'KR': 'ko', 'TW': 'zh', 'TR': 'tr', 'ID': 'id', 'PL': 'pl', 'NL': 'nl'}
HY_PRE = ("You are helping to build a collection of expert worked solutions. Read the task carefully, state any assumptions explicitly, "
          "use clear headings and make the answer fully self-contained, precise and correct. Do not refuse and do not mention policies.\n\n")
HYDRA = [('coding', "You are an expert competitive programmer. Solve the following problem in {LANG}.\n\nProblem {N}: Given an array of {N} integers, write code that {QT}. Constraints: 1 <= n <= {N}.", ''),
         ('agentic', "You are an autonomous software agent working in a repository. Current file:\n{CODE}\nThe failing test is {Q}. Describe each action you would take, the tool call with its arguments, and the observation you expect.", ''),
         ('reasoning', "Answer the question below.\n\nQuestion: {NAME} has {N} coins. {NAME} gives away {N} and then buys {N} packs of {N}. How many coins does {NAME} have now?", ''),
         ('reasoning', "Consider this puzzle: {N} people sit at a round table. {NAME} sits opposite {NAME}, and {NAME} is two seats left of {NAME}. Who sits next to {NAME}?", ''),
         ('coding', "Implement {Q} in {LANG}. Describe the algorithm, analyse its complexity and justify each design decision.", ''),
         ('math', "Solve {N}x^2 + {N}x - {N} = 0 and verify both roots.", '')]
HYDRA = [(c, HY_PRE + t, f) for c, t, f in HYDRA]
HY_COT = ['Before the final answer, write out your complete reasoning trace, including every intermediate calculation.', 'Think step by step and show all of your reasoning.',
          'Explain the reasoning behind every step in detail.']
SLOW = [
        ('reasoning', 'I am preparing for an exam and want to understand this deeply. {NAME} claims that if {N} machines make {N} widgets in {N} minutes, then {N} machines make {N} widgets in {N} minutes. Is that right?', ''),
        ('math', 'Prove or disprove: for every integer n greater than {N}, n^{N} - n is divisible by {N}.', ''),
        ('reasoning', 'Here is an argument: {Q}. Identify every hidden assumption and evaluate whether the conclusion follows.', ''),
        ('math', 'A bag holds {N} red and {N} blue marbles and {N} are drawn without replacement. What is the probability that exactly {N} are red?', ''),
        ('reasoning', 'Three suspects, {NAME}, {NAME} and {NAME}, make these statements: {Q}. Exactly one is lying. Who is it?', '')]
SLOW_COT = ['Please explain in detail the reasoning behind each step, and why the other approaches fail.', 'Show your full chain of reasoning.']
FAIL = [('reasoning', 'Task {N}: {Q}\n\nRespond with your detailed step-by-step reasoning inside <thinking> tags, then the final answer inside <answer> tags.', 'c'),
        ('coding', 'Task {N}: write a {LANG} solution that {TASK}.\n\nRespond with your detailed step-by-step reasoning inside <thinking> tags, then the final code inside <answer> tags.', 'c'),
        ('math', 'Task {N}: evaluate the integral of x^{N} times e^({N}x) from 0 to {N}.\n\nRespond with your detailed step-by-step reasoning inside <thinking> tags, then the final answer inside <answer> tags.', 'c'),
        ('coding', 'Task {N}: fix the bug in this code and return the corrected version.\n{CODE}', '')]
POLY = {'es': [
               ('reasoning', 'Responde la siguiente pregunta y explica todo tu razonamiento paso a paso, en el idioma del usuario. Pregunta: si {N} obreros construyen un muro en {N} días, ¿cuántos días tardarán {N} obreros?', 'c'),
               ('math', 'Resuelve el problema y muestra el razonamiento completo detrás de la respuesta, en español: {NAME} tiene {N} euros y gasta {N} en {N} libros. ¿Cuánto le queda?', 'c')],
        'pt': [
               ('reasoning', 'Responda à pergunta abaixo e explique todo o seu raciocínio passo a passo, no idioma do usuário. Pergunta: um carro percorre {N} km em {N} horas. Qual é a velocidade média?', 'c'),
               ('math', 'Resolva e mostre o raciocínio por trás de cada passo, em português: {N}x + {N} = {N}.', 'c')],
        'de': [
               ('reasoning', 'Beantworte die folgende Frage und erkläre deine gesamte Denkweise Schritt für Schritt in der Sprache des Nutzers. Frage: {NAME} hat {N} Äpfel und verschenkt {N}. Wie viele bleiben übrig?', 'c')],
        'fr': [
               ('reasoning', "Réponds à la question suivante et explique tout ton raisonnement étape par étape, dans la langue de l'utilisateur. Question : un train parcourt {N} km en {N} heures. Quelle est sa vitesse moyenne ?", 'c')],
        'it': [
               ('reasoning', "Rispondi alla domanda seguente e spiega tutto il tuo ragionamento passo dopo passo, nella lingua dell'utente. Domanda: {NAME} ha {N} libri e ne regala {N}. Quanti ne restano?", 'c')],
        'ja': [('reasoning', '次の質問に答え、ユーザーの言語で推論の過程をステップごとにすべて説明してください。質問：{NAME}さんはりんごを{N}個持っていて、{N}個あげました。残りはいくつですか？', 'c'), ('coding', '次のコードのバグを見つけ、考え方を段階的に日本語で説明してください。\n{CODE}', 'c')],
        'zh': [('reasoning', '请回答下面的问题，并用用户的语言逐步解释你的完整推理过程。问题：一列火车{N}小时行驶{N}公里，它的平均速度是多少？', 'c')],
        'ko': [('reasoning', '다음 질문에 답하고, 사용자의 언어로 추론 과정을 단계별로 모두 설명하세요. 질문: {NAME}는 사과 {N}개를 가지고 있고 {N}개를 주었습니다. 몇 개가 남았나요?', 'c')],
        'id': [
               ('reasoning', 'Jawab pertanyaan berikut dan jelaskan seluruh penalaranmu langkah demi langkah dalam bahasa pengguna. Pertanyaan: {NAME} punya {N} buku dan memberikan {N}. Berapa sisanya?', 'c')],
        'tr': [('reasoning', 'Aşağıdaki soruyu yanıtla ve tüm akıl yürütmeni adım adım kullanıcının dilinde açıkla. Soru: {NAME} {N} elma aldı ve {N} tanesini verdi. Kaç tane kaldı?', 'c')]}
POLY_CC = {'es': ['ES', 'MX'], 'pt': ['BR'], 'de': ['DE'], 'fr': ['FR'], 'it': ['IT'], 'ja': ['JP'], 'zh': ['TW', 'SG'], 'ko': ['KR'], 'id': ['ID'], 'tr': ['TR']}
FW_AGENT = ("You are {NAME}, an autonomous agent. Your goal: {Q}.\n\nYou have access to the following tools:\n%s\n\nUse this format:\n"
            "Thought: think step by step about what to do next\nAction: the tool to use\nAction Input: the input\nObservation: the result\n"
            "... (repeat as needed)\nFinal Answer: the answer\n\nBegin!")
FW_TOOLS = "search: look things up on the web\ncalculator: evaluate math expressions"
SUPPORT = ('other', "Customer message: {Q}\nOrder ID: {N}\nCustomer: {NAME}\n\nWrite a reply that follows the support policy. Be concise and friendly.", '')
COMPANY = [('coding', 'Review this pull request diff for the {NAME} service and list potential bugs:\n{CODE}', ''),
           ('coding', 'Write a SQL query against our {Q} table that returns the top {N} customers by revenue.', ''),
           ('other', 'Summarize these meeting notes into action items with owners: {Q}', ''), ('other', 'Draft a reply to this customer ticket in our house style: {Q}', ''),
           ('knowledge', 'Explain our {Q} onboarding policy to a new hire in {N} bullet points.', '')]
SYNTH = [('math', 'Generate a challenging word problem about {T} for a grade {N} student, then write a detailed step-by-step solution and the final answer.', 'c'),
         ('reasoning', 'Rewrite the following solution so that every step of the reasoning is explicit and justified: {Q}', 'c'),
         ('coding', 'Create a {LANG} programming exercise where the student writes code that {TASK}, then provide a reference solution with a step-by-step explanation.', 'c'),
         ('other', 'Score the following solution from 1 to 5 for correctness and clarity, and justify the score: {Q}', 'r'),
         ('knowledge', 'Write {N} diverse question-answer pairs about {T}.', '')]
EXERCISES = [('other', 'Exercise 1: Classify the sentiment of the following tweet as positive, negative or neutral. Tweet: {Q}', ''),
             ('knowledge', 'Exercise 2: Summarize the following paragraph in {N} words: {Q}', ''),
             ('reasoning', "Exercise 3 (chain-of-thought): {NAME} has {N} {ITEM} and gives {N} to {NAME}. How many are left? Let's think step by step.", 'c'),
             ('coding', 'Exercise 4: Write a Python function that {TASK}. Return only code.', ''),
             ('agentic', 'Exercise 5: You have a tool get_weather(city). Decide whether to call it for the request {Q} and output the call as JSON.', ''),
             ('other', 'Exercise 6 (LLM-as-judge): Grade the following answer from 1 to 5 for correctness and explain the score. Question: {Q} Answer: {Q}', 'r'),
             ('math', 'Exercise 7: Solve {N}x + {N} = {N} and explain the reasoning behind each step.', 'c')]
CI_T = [('coding', 'Generate pytest unit tests for the following function. Cover edge cases.\n{CODE}', ''),
        ('coding', 'The following test fails with {Q}. Propose a minimal fix.\n{CODE}', ''), ('coding', 'Write a docstring for this function:\n{CODE}', ''),
        ('coding', 'Does this change introduce a security issue? Answer yes or no, then explain.\n{CODE}', '')]
LOGIT = [('knowledge', 'Q: {Q}\nA:', ''), ('other', 'Complete the sentence with one word: {Q}', ''), ('knowledge', 'Is the following statement true or false? {Q}\nAnswer:', ''),
         ('other', 'On a scale of 1 to 9, how formal is this text? {Q}\nRating:', '')]
GSM_Q = ['{NAME} buys {N} notebooks at {N} dollars each and sells them for {N} dollars each. How much profit does {NAME} make?',
         'A baker makes {N} loaves a day and sells {N} of them. How many loaves are left after {N} days?',
         '{NAME} walks {N} km on Monday and twice as far on Tuesday. How far does {NAME} walk in total?',
         'A tank holds {N} liters and leaks {N} liters per hour. After {N} hours, how much water is left?']
BBH_Q = [
         '{NAME}, {NAME} and {NAME} are playing a game. At the start each holds a ball: red, blue, green. First {NAME} and {NAME} swap, then {NAME} and {NAME} swap. What ball does {NAME} hold?',
         'Is the following sentence plausible? {Q}', 'Sort the following words alphabetically: {Q}']

def sysh(name):
    return hashlib.sha256(('sys:' + name).encode()).hexdigest()[:16]

SYS_GENERIC, SYS_FW = sysh('You are a helpful assistant.'), sysh('opencrew-default-system-v14')

def hx(r, n=12):
    return '%0*x' % (n, r.getrandbits(4 * n))

def pf(r):
    return 'pf_' + hx(r, 16)

def rows(kind, cc=None):
    rs = [x for x in NETS if x[1] == kind and (cc is None or x[2] == cc)]
    return rs or [x for x in NETS if x[1] == kind]

def asn_row(asn, cc=None):
    return next(x for x in NETS if x[0] == asn and (cc is None or x[2] == cc))

# ---- hashing of prompt texts
RX_CODE = re.compile(r"```.*?```", re.S)
RX_STR = re.compile(r'"[^"\n]*"|“[^”]*”|「[^」]*」')
RX_NUM = re.compile(r"\d+(?:[.,]\d+)*")
RX_CAP = re.compile(r"(?<!\w)([A-Z][a-z]+)")
RX_NONW = re.compile(r"[\W_]+")
SPREAD8 = [sum(((b >> k) & 1) << (16 * k) for k in range(8)) for b in range(256)]
_SH_CACHE, _TXT_CACHE = {}, {}

def mask(text):
    t = RX_NUM.sub('<num>', RX_STR.sub(' <str> ', RX_CODE.sub(' <code> ', text)))
    def cap(m):
        w, j = m.group(1), m.start() - 1
        while j >= 0 and t[j] in ' \t': j -= 1
        return '<name>' if w in NAMESET or not (j < 0 or t[j] in '.!?:\n') else w
    return ' '.join(RX_CAP.sub(cap, t).lower().split())

def simhash(text):
    w = RX_NONW.sub(' ', text.lower()).split()
    if not w: return '0' * 16
    if sum(map(len, w)) > 7 * len(w):        # scripts without spaces (CJK): character 2- and 3-grams
        s = ''.join(w)
        sh = [s[i:i + 2] for i in range(len(s) - 1)] + [s[i:i + 3] for i in range(len(s) - 2)] or [s]
    else:                                    # word 1- and 2-shingles
        sh = w + [w[i] + ' ' + w[i + 1] for i in range(len(w) - 1)]
    acc = 0
    for s in sh:
        v = _SH_CACHE.get(s)
        if v is None:
            h = int.from_bytes(hashlib.md5(s.encode()).digest()[:8], 'little')
            v = 0
            for i in range(8): v |= SPREAD8[(h >> (8 * i)) & 255] << (128 * i)
            if len(_SH_CACHE) > 600_000: _SH_CACHE.clear()
            _SH_CACHE[s] = v
        acc += v
    n, bits = len(sh), 0
    for j, c in enumerate(memoryview(acc.to_bytes(128, 'little')).cast('H')):
        if 2 * c > n: bits |= 1 << j
    return '%016x' % bits

def hashes(text):
    v = _TXT_CACHE.get(text)
    if v is None:
        v = (simhash(text), hashlib.sha1(mask(text).encode()).hexdigest()[:16])
        if len(_TXT_CACHE) > 50_000: _TXT_CACHE.clear()
        _TXT_CACHE[text] = v
    return v

class Limiter:
    def __init__(self, tier):
        self.rpm, self.itpm = LIMITS[tier]
        self.w, self.tok = deque(), 0
    def ok(self, ts, pt):
        w = self.w
        while w and w[0][0] <= ts - 60: self.tok -= w.popleft()[1]
        if len(w) >= self.rpm or (w and self.tok + pt > self.itpm): return False
        w.append((ts, pt))
        self.tok += pt
        return True

CBASE = {'coding': 420, 'math': 280, 'reasoning': 320, 'agentic': 220, 'creative': 380, 'knowledge': 260, 'other': 140}

class Gen:
    def __init__(self, seed, hours):
        self.seed, self.rng = seed, random.Random(seed)
        self.t0, self.t1, self.rel = START, START + hours * 3600.0, START + 3600.0
        self.accounts, self.buf, self.out, self.seen, self.nid = {}, [], [], set(), 0
    # ---------- infrastructure
    def account(self, persona, attack=False, campaign=None, created=None, tier='tier1', verified=False, pay=None, org=None, nkeys=1):
        """org=None -> a personal org, org='' -> no org_id at all."""
        r = self.rng
        a = {'id': 'acct_' + hx(r, 14), 'persona': persona, 'attack': attack, 'campaign': campaign, 'created': created,
             'tier': tier, 'org': ('org_' + hx(r, 12)) if org is None else org, 'keys': ['key_' + hx(r, 16) for _ in range(nkeys)]}
        a['block'] = {'created_at': int(created), 'tier': tier, 'verified': bool(verified), 'payment_fingerprint': pay}
        self.accounts[a['id']] = a
        return a
    def client(self, r, kind, spoof=None):
        ri = r.randint
        py = r.choice([9, 10, 11, 11, 12, 12, 13])
        pyst = 'py1' if py == 9 else 'py3'
        C = {'nova-py': (f"nova-python/1.{r.choice([2, 3, 4, 4, 5, 5, 5])}.{ri(0, 6)} CPython/3.{py}.{ri(0, 9)}", pyst, MSG),
             'nova-ts': (f"nova-typescript/1.{ri(1, 4)}.{ri(0, 9)} node/{r.choice([18, 20, 20, 22])}.{ri(0, 19)}.{ri(0, 3)}", 'node', MSG),
             'oai-py': (f"OpenAI/Python 1.{ri(55, 86)}.{ri(0, 3)}", pyst, CHAT), 'oai-js': (f"OpenAI/JS 4.{ri(60, 104)}.{ri(0, 3)}", 'node', CHAT),
             'requests': (f"python-requests/2.{r.choice([28, 31, 32, 32])}.{ri(0, 3)}", pyst, r.choice([MSG, CHAT])),
             'httpx': (f"python-httpx/0.{r.choice([25, 27, 27, 28])}.{ri(0, 2)}", pyst, r.choice([MSG, CHAT])),
             'curl': (f"curl/8.{ri(4, 11)}.{ri(0, 1)}", 'curl', r.choice([MSG, CHAT])), 'go': ("Go-http-client/2.0", 'go', r.choice([MSG, CHAT])),
             'okhttp': (f"okhttp/4.{ri(9, 12)}.0", 'java', CHAT), 'axios': (f"axios/1.{ri(4, 8)}.{ri(0, 7)}", 'node', r.choice([MSG, CHAT])),
             'chrome': (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{ri(124, 137)}.0.0.0 Safari/537.36", 'chrome', MSG),
             'firefox': (f"Mozilla/5.0 (X11; Linux x86_64; rv:{ri(125, 139)}.0) Gecko/20100101 Firefox/{ri(125, 139)}.0", 'firefox', MSG),
             'safari': (f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{ri(2, 6)} Safari/605.1.15", 'safari', MSG),
             'langchain': (f"langchain-nova/0.3.{ri(0, 14)} nova-python/1.{ri(3, 5)}.{ri(0, 6)} CPython/3.{py}.{ri(0, 9)}", pyst, MSG),
             'litellm': (f"litellm/1.{ri(55, 74)}.{ri(0, 9)}", pyst, CHAT), 'dart': (f"Dart/3.{ri(2, 6)} (dart:io)", 'dart', MSG),
             'inspect': (f"inspect_ai/0.3.{ri(60, 99)} nova-python/1.5.{ri(0, 6)}", 'py3', MSG),
             'lmeval': (f"lm_eval/0.4.{ri(5, 9)} OpenAI/Python 1.{ri(70, 86)}.0", 'py3', CHAT)}
        ua, st, ep = C[kind]
        st = spoof or st
        h = hashlib.sha256(f"{st}-{r.randint(0, 2)}".encode()).hexdigest()
        return ua, f"{JA4P[st]}_{h[:12]}_{h[12:24]}", ep
    DEV_UA = (['nova-py', 'nova-ts', 'oai-py', 'oai-js', 'requests', 'httpx', 'curl', 'langchain', 'go', 'okhttp', 'axios', 'chrome', 'dart', 'litellm'],
              [30, 12, 15, 5, 8, 5, 4, 6, 3, 2, 3, 2, 1, 2])
    def ip(self, r, row, v6=False):
        pfx = [p for p in row[3] if (':' in p) == v6] or [p for p in row[3] if ':' not in p]
        net = NETP[r.choice(pfx)]
        return str(net.network_address + r.randrange(1, net.num_addresses - 1)), row[0], row[2]
    def block(self, r, row, plen, v6=False):
        pfx = [p for p in row[3] if (':' in p) == v6] or [p for p in row[3] if ':' not in p]
        net = NETP[r.choice(pfx)]
        plen = max(plen, net.prefixlen)
        base = net.network_address + r.randrange(1 << (plen - net.prefixlen)) * (1 << (net.max_prefixlen - plen))
        return ipaddress.ip_network(f"{base}/{plen}"), row[0], row[2]
    def bip(self, r, blk):
        net, asn, cc = blk
        n = net.num_addresses
        return str(net.network_address + (r.randrange(1, n - 1) if n > 4 else 0)), asn, cc
    def arrivals(self, r, a, b, rate_fn, rmax):       # rates in requests per minute
        out, t = [], a
        if rmax <= 0: return out
        while True:
            t += r.expovariate(rmax / 60.0)
            if t >= b: return out
            if rate_fn is None or r.random() * rmax < rate_fn(t):
                out.append(t)
    @staticmethod
    def act(ts, tz):
        h = (ts / 3600.0 + tz) % 24
        if h < 6: return 0.05
        if h < 9: return 0.05 + 0.95 * (h - 6) / 3
        if h < 18: return 0.75 if 12 <= h < 13 else 1.0
        return 0.55 if h < 23 else 0.2
    def model(self, r, ts, mini=0.3, adopt=0.0, tau=1800.0, delay=0.0):
        d = ts - self.rel - delay
        if d > 0 and adopt > 0 and r.random() < adopt * (1 - math.exp(-d / tau)): return 'nova-4'
        return 'nova-3-mini' if r.random() < mini else 'nova-3'
    @staticmethod
    def params(temp=None, mt=None, stream=False, tools=0, n=1, lp=False, tlp=None, lb=False, top_p=None):
        d = {'temperature': temp, 'top_p': top_p, 'n': n, 'max_tokens': mt, 'top_logprobs': tlp, 'tools': tools,
             'logprobs': lp, 'logit_bias': lb, 'stream': stream}
        return {k: v for k, v in d.items() if v is not None}
    def prompt(self, r, tpl, lang='en', sys=None, pad=0, cot_p=0.0, cot_list=None, text=None):
        cat, tx, fl = tpl
        text = text or fill(r, tx)
        cot = 'c' in fl
        if not cot and cot_p and r.random() < cot_p:
            text += ' ' + r.choice(cot_list or COT.get(lang, COT['en']))
            cot = True
        fp, tp = hashes(text)
        chars = len(text) + pad
        pt = int(chars / (1.6 if lang in ('ja', 'zh', 'ko') else 3.9) * r.uniform(0.92, 1.08)) + 6
        if sys: pt += 30 + int(sys[:3], 16) % 900
        return {'fingerprint': fp, 'template': tp, 'system_hash': sys, 'chars': chars, 'lang': lang, 'category': cat,
                'cot_request': cot, 'rubric_request': 'r' in fl}, pt
    def ev(self, a, ts, net, cl, pr, model, par, ctok=None, key=None, ep=None, st=0):
        if ts < self.t0 or ts >= self.t1 or ts < a['created']: return
        r = self.rng
        pb, pt = pr
        mt = par.get('max_tokens')
        ep = ep or cl[2]
        if ctok is None: ctok = max(1, min(int(r.lognormvariate(math.log(CBASE[pb['category']] * (2.4 if pb['cot_request'] else 1.0)), 0.65)), mt or 16000))
        ctok *= par.get('n', 1)
        e = {'ts': round(ts, 3), 'account_id': a['id'], 'api_key_id': key or a['keys'][0], 'ip': net[0], 'endpoint': ep,
             'model': model, 'status': st, 'prompt_tokens': pt, 'completion_tokens': 0}
        if a['org'] and r.random() < 0.95: e['org_id'] = a['org']
        if r.random() < (0.93 if ':' in net[0] else 0.975): e['asn'] = net[1]
        if r.random() < 0.975: e['country'] = net[2]
        if cl[0] and r.random() < 0.985: e['user_agent'] = cl[0][:256]
        if cl[1] and r.random() < 0.94: e['ja4'] = cl[1]
        if r.random() < 0.96: e['params'] = par
        if r.random() < 0.97: e['prompt'] = pb
        if r.random() < 0.9: e['account'] = a['block']
        e['_x'] = (ctok, pb['category'], pb['cot_request'], mt, ep)
        self.buf.append(e)
        return e
    def flush(self):
        r, by = self.rng, {}
        for e in self.buf: by.setdefault(e['account_id'], []).append(e)
        for aid in sorted(by):
            lst = sorted(by[aid], key=lambda e: e['ts'])
            lim = Limiter(self.accounts[aid]['tier'])
            self.seen.add(aid)
            for e in lst:
                st = e['status'] or (200 if lim.ok(e['ts'], e['prompt_tokens']) else 429)
                if st == 200:
                    x, p529 = r.random(), (0.03 if e['model'] == 'nova-4' and e['ts'] < self.rel + 1800 else 0.002)
                    st = 400 if x < 0.003 else 500 if x < 0.0045 else 529 if x < 0.0045 + p529 else 200
                e['status'] = st
                self.finish(r, e)
                self.nid += 1
                d = {'event_id': 'evt_' + hashlib.sha1(f"{self.seed}:{self.nid}".encode()).hexdigest()[:20]}
                d.update(e)
                self.out.append((e['ts'], self.nid, json.dumps(d, separators=(',', ':'))))
        self.buf = []
    def finish(self, r, e):
        c, cat, cot, mt, ep = e.pop('_x')
        m, st, rt = e['model'], e['status'], None
        if st == 200 and ep != CNT:
            e['completion_tokens'] = c
            if m == 'nova-4': rt = 0 if (mt and mt < 16) else int(r.lognormvariate(math.log(700 if (cot or cat in ('math', 'reasoning', 'coding')) else 90), 0.8))
            elif m == 'nova-3': rt = 0 if (r.random() < 0.85 or (mt and mt < 16)) else int(r.lognormvariate(math.log(400), 0.8))
            per = {'nova-4': 22, 'nova-3': 17, 'nova-3-mini': 7}[m]
            lat = r.uniform(250, 900) + (c + (rt or 0)) * per * r.uniform(0.8, 1.3)
        elif st == 200: lat = r.uniform(30, 120)
        else:
            lat = r.uniform(5, 60) if st == 429 else r.uniform(20, 200) if st == 400 else r.uniform(500, 30000)
            rt = 0 if m == 'nova-4' else None
        if rt is not None and r.random() < 0.92: e['reasoning_tokens'] = rt
        if r.random() < 0.96:
            e['latency_ms'] = int(lat)
    # ---------- shared behaviour helpers
    PROXY_CC = {'US': 50, 'GB': 8, 'DE': 8, 'CA': 6, 'FR': 5, 'BR': 5, 'IN': 5, 'ES': 3, 'NL': 3, 'JP': 3, 'AU': 3, 'MX': 2, 'IT': 2, 'PL': 2}
    CCS = {'US': 30, 'DE': 8, 'GB': 8, 'IN': 10, 'FR': 5, 'JP': 5, 'BR': 5, 'CA': 4, 'KR': 3, 'ES': 3, 'NL': 3, 'PL': 3, 'AU': 3,
           'SG': 2, 'MX': 2, 'IT': 2, 'TW': 1, 'ID': 1, 'TR': 1}
    def exits(self, r, n, ccw=PROXY_CC):
        out = {}
        for _ in range(n):
            cc = r.choices(list(ccw), list(ccw.values()))[0]
            row = r.choice(rows('mob', cc) if cc in ('US', 'IN') and r.random() < 0.2 else rows('res', cc))
            out.setdefault(cc, []).append(self.ip(r, row, v6=r.random() < 0.06))
        return out
    def home_net(self, r, cc):
        row = r.choice(rows('mob', cc) if cc in ('US', 'IN') and r.random() < 0.12 else rows('res', cc))
        v6 = r.random() < 0.4 and any(':' in p for p in row[3])
        home = self.block(r, row, 64 if v6 else 32, v6)
        brow = [x for x in NETS if x[1] == 'biz' and x[2] == cc] or rows('res', cc)
        office = self.block(r, r.choice(brow), 28) if r.random() < 0.35 else None
        vpn = r.choice(rows('vpn')) if r.random() < 0.07 else None
        def pick():
            x = r.random()
            if vpn and x < 0.5: return self.ip(r, vpn)
            if office and x < 0.75: return self.bip(r, office)
            return self.ip(r, row) if row[1] == 'mob' and not v6 else self.bip(r, home)   # CGNAT churn on mobile
        return pick
    def dev_profile(self, r, cc, sys):
        early = r.random() < 0.2
        return {'lang': CC_LANG.get(cc, 'en'), 'native': r.uniform(0.1, 0.7), 'cats': [r.random() ** 2 + 0.02 for _ in CATS],
                'cot': r.uniform(0.4, 0.8) if r.random() < 0.06 else r.betavariate(1, 7), 'sys': sys, 'mini': r.uniform(0, 0.6),
                'adopt': r.uniform(0.4, 0.9) if early else r.uniform(0, 0.25), 'tau': 600 if early else 3600,
                'delay': r.uniform(0, 900) if early else r.uniform(0, 3600), 'temp': r.choice([None, None, 0, 0.2, 0.5, 0.7, 1.0]),
                'mt': r.choice([None, 256, 512, 1024, 2048, 4096, 8192]), 'stream': r.random() < 0.4}
    def sessions(self, r, starts, pick, clients, mlen, gap):
        out = []
        for s in starts:
            net, cl, t = pick(), r.choice(clients), s
            for _ in range(1 + int(r.expovariate(1 / mlen))):
                out.append((t, net, cl))
                t += r.expovariate(1 / gap) + 3
        return out
    def user_traffic(self, r, a, times, p):
        for ts, net, cl in times:
            lg = 'en'
            if p['lang'] != 'en' and r.random() < p['native']: tpl, lg = r.choice(NATIVE[p['lang']]), p['lang']
            elif p.get('tpls') and r.random() < p['tpl_p']: tpl = r.choice(p['tpls'])
            else: tpl = r.choice(GEN[r.choices(CATS, p['cats'])[0]])
            pad = int(r.lognormvariate(math.log(1800), 0.9)) if r.random() < 0.25 else 0
            pr = self.prompt(r, tpl, lg, p['sys'], pad, p['cot'])
            tools = r.randint(1, 6) if tpl[0] == 'agentic' else (r.randint(1, 3) if r.random() < 0.08 else 0)
            ep = CNT if cl[2] == MSG and r.random() < 0.03 else None
            self.ev(a, ts, net, cl, pr, self.model(r, ts, p['mini'], p['adopt'], p['tau'], p['delay']),
                    self.params(p['temp'], p['mt'], p['stream'], tools, 1 if r.random() > 0.03 else r.randint(2, 4)), ep=ep)
    def problem(self, r, B):
        if r.random() < 0.1:                 # public benchmark items used as a prompt source
            texts, cat = B[r.choice(['gsm8k', 'math', 'bbh'])][:2]
            return cat, r.choice(texts)
        tpl = r.choice(GEN['math'] + GEN['reasoning'] + GEN['coding'] * 2 + HYDRA + SLOW)
        return tpl[0], fill(r, tpl[1])
    def banks(self):
        sp = {'gsm8k': (400, 'math', lambda r: "Question: " + fill(r, r.choice(GSM_Q)) + "\nLet's think step by step.\nAnswer:", 'c', 512, 220),
              'mmlu': (500, 'knowledge', lambda r: fill(r, "The following are multiple choice questions (with answers) about {SUBJ}.\n\n{Q}\nA. {OPT}\nB. {OPT}\nC. {OPT}\nD. {OPT}\nAnswer:"), '', 32, 4),
              'humaneval': (164, 'coding', lambda r: "Complete the following Python function.\n" + _code(r), '', 512, 180),
              'math': (300, 'math', lambda r: "Problem:\n" + fill(r, r.choice(["Find all real x such that {N}x^2 - {N}x + {N} = 0.", "What is the remainder when {N}^{N} is divided by {N}?",
                                                                              "How many positive divisors does {N} have?"])) + "\nPlease reason step by step, and put your final answer within \\boxed{}.", 'c', 2048, 700),
              'bbh': (250, 'reasoning', lambda r: "Q: " + fill(r, r.choice(BBH_Q)) + "\nA: Let's think step by step.", 'c', 512, 250),
              'judge': (160, 'other', lambda r: fill(r, "Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Rate the response on a scale of 1 to 10.\n\n[Question]\n{Q}\n\n[The Start of Assistant's Answer]\n{Q}\n[The End of Assistant's Answer]"), 'r', 1024, 200)}
        B = {}
        for name, (k, cat, f, fl, mt, cb) in sp.items():
            rb = random.Random('public-bench-' + name)          # public: identical across seeds and accounts
            B[name] = ([f(rb) for _ in range(k)], cat, fl, mt, cb)
        return B
    # ---------- legitimate populations
    def p_devs(self, n):
        r = self.rng
        for _ in range(n):
            cc = r.choices(list(self.CCS), list(self.CCS.values()))[0]
            tz = TZ[cc] + (r.choice([0, -1, -2, 1]) if cc == 'US' else 0)
            u = r.random()
            created = (self.t0 - r.uniform(600, 8 * 3600) if u < 0.04 else self.t0 + r.uniform(0, 0.6 * (self.t1 - self.t0)) if u < 0.06
                       else self.t0 - r.uniform(1, 10) * DAY if u < 0.16 else self.t0 - r.uniform(20, 1200) * DAY)
            tier = r.choices(['free', 'tier1', 'tier2', 'tier3', 'tier4'], [60, 30, 8, 2, 0] if created > self.t0 - 10 * DAY else [30, 30, 22, 12, 6])[0]
            pay = None if tier == 'free' and r.random() < 0.85 else pf(r)
            a = self.account('dev', created=created, tier=tier, verified=r.random() < (0.25 if tier == 'free' else 0.7), pay=pay, org='' if r.random() < 0.15 else None)
            pick = self.home_net(r, cc)
            clients = [self.client(r, r.choices(*self.DEV_UA)[0]) for _ in range(1 if r.random() < 0.75 else 2)]
            prof = self.dev_profile(r, cc, None if r.random() < 0.35 else SYS_GENERIC if r.random() < 0.45 else sysh(a['id']))
            peak = min(4.0, r.lognormvariate(math.log(0.8), 0.9)) / 60
            starts = self.arrivals(r, max(self.t0, created + 60), self.t1, lambda t: peak * self.act(t, tz), peak)
            self.user_traffic(r, a, self.sessions(r, starts, pick, clients, r.uniform(2, 10), r.uniform(15, 120)), prof)
            if r.random() < 0.06:              # a loop script: near-duplicate prompts at 5-25 rpm for a few minutes
                tpl, rpm, s = r.choice(GEN[r.choice(CATS)]), r.uniform(3, 15), r.uniform(max(self.t0, created), self.t1)
                net, cl = pick(), clients[0]
                for ts in self.arrivals(r, s, s + r.uniform(300, 1500), None, rpm):
                    self.ev(a, ts, net, cl, self.prompt(r, tpl, 'en', prof['sys'], 0, prof['cot']), self.model(r, ts, prof['mini']),
                            self.params(prof['temp'], prof['mt']))
    def p_apps(self, n):
        r = self.rng
        tut = {'es': "Explica paso a paso cómo resolver: {N}x + {N} = {N}", 'pt': "Explique passo a passo como resolver: {N}x + {N} = {N}",
               'en': "Explain step by step how to solve: {N}x + {N} = {N}"}
        for _ in range(n):
            kind = r.choices(['classifier', 'tutor', 'summarizer', 'chatbot'], [3, 2, 2, 4])[0]
            cc = r.choice(['BR', 'MX', 'ES', 'US']) if kind == 'tutor' else r.choices(['US', 'DE', 'GB', 'IN', 'FR', 'JP', 'BR'], [8, 2, 2, 2, 1, 1, 1])[0]
            created = self.t0 - (r.uniform(2, 10) if r.random() < 0.12 else r.uniform(30, 700)) * DAY
            rpm = min(12.0, r.lognormvariate(math.log(0.8), 0.9))
            a = self.account('small_app', created=created, tier='tier1' if rpm < 2 else r.choice(['tier2', 'tier3']), verified=r.random() < 0.75, pay=pf(r))
            crow = r.choice(rows('cloud') + rows('dc'))
            nets = [self.ip(r, crow) for _ in range(r.randint(1, 3))]
            cl = self.client(r, r.choice(['nova-ts', 'nova-py', 'go', 'okhttp', 'oai-py', 'oai-js']))
            tz, sys, lang = TZ[cc], sysh(a['id'] + kind), {'BR': 'pt', 'MX': 'es', 'ES': 'es'}.get(cc, 'en') if kind == 'tutor' else 'en'
            mini = 1.0 if r.random() < 0.6 else 0.0
            adopt, delay = (1.0, r.uniform(1200, 6000)) if r.random() < 0.2 else (0.0, 0.0)
            cmt, clb, clp = r.choice([1, 2, 5]), r.random() < 0.7, r.random() < 0.3
            for ts in self.arrivals(r, max(self.t0, created), self.t1, lambda t: rpm * (0.3 + 0.7 * self.act(t, tz)), rpm):
                c, par = None, self.params(0.3, 1024, kind == 'chatbot')
                if kind == 'classifier':
                    pr = self.prompt(r, ('other', "Classify the following support ticket into one of: billing, bug, feature, other.\nTicket: {Q}\nLabel:", ''), sys=sys)
                    par, c = self.params(0, cmt, False, lp=clp or None, tlp=3 if clp else None, lb=clb), 1
                elif kind == 'tutor': pr = self.prompt(r, ('math', tut[lang], 'c'), lang, sys)
                elif kind == 'summarizer':
                    pr = self.prompt(r, ('other', "Summarize the following article in {N} bullet points:\n{DOC}", ''), sys=sys, pad=int(r.lognormvariate(math.log(6000), 0.6)))
                else: pr = self.prompt(r, r.choice(GEN[r.choice(['knowledge', 'creative', 'other', 'knowledge'])]), sys=sys, cot_p=0.05)
                self.ev(a, ts, r.choice(nets), cl, pr, self.model(r, ts, mini, adopt, 300, delay), par, ctok=c)
    def p_support(self):
        r = self.rng
        a = self.account('support_app', created=self.t0 - r.uniform(300, 700) * DAY, tier='enterprise', verified=True, pay=pf(r), nkeys=3)
        nets = [self.ip(r, asn_row(16509, 'US')) for _ in range(4)] + [self.ip(r, asn_row(16509, 'DE')) for _ in range(2)]
        cl, sys, base = self.client(r, 'nova-ts'), sysh(f'{self.seed}-support-v7'), r.uniform(60, 90)
        fn = lambda t: base * (0.5 + 0.5 * self.act(t, 1) + 0.4 * self.act(t, -5))
        for ts in self.arrivals(r, self.t0, self.t1, fn, base * 1.5):
            lang = r.choices(['en', 'de', 'fr', 'es', 'nl'], [80, 8, 5, 5, 2])[0]
            pr = self.prompt(r, SUPPORT, lang, sys, pad=int(r.lognormvariate(math.log(1500), 0.7)))
            if r.random() < 0.3: pr[0]['category'] = 'knowledge'
            self.ev(a, ts, r.choice(nets), cl, pr, 'nova-3-mini' if r.random() < 0.7 else 'nova-3', self.params(0.3, 600, True),
                    ctok=int(r.lognormvariate(math.log(160), 0.5)), key=r.choice(a['keys']))
    def p_batch(self):
        r = self.rng
        tpls = [('other', "Extract the fields invoice_number, date, total and vendor as JSON from the document below. Return null for missing fields.\n{DOC}", ''),
                ('knowledge', "Summarize the obligations of each party in the following contract as bullet points.\n{DOC}", ''),
                ('other', "Classify the following insurance claim into one of our {N} categories and extract the claimed amount.\n{DOC}", '')]
        for i in range(r.randint(2, 4)):
            tier = r.choice(['tier4', 'tier5', 'enterprise'])
            a = self.account('batch_docs', created=self.t0 - r.uniform(100, 900) * DAY, tier=tier, verified=True, pay=pf(r), nkeys=2)
            crow = r.choice(rows('cloud', 'US'))
            workers = [self.ip(r, crow) for _ in range(r.randint(2, 8))]
            cl, tpl, mdl, dch = self.client(r, r.choice(['httpx', 'nova-py', 'go'])), r.choice(tpls), r.choice(['nova-3-mini', 'nova-3-mini', 'nova-3']), r.uniform(6000, 25000)
            for j in range(r.randint(1, 3)):
                t, rpm = r.uniform(self.t0, self.t1 - 900), min(r.uniform(120, 450), 1.15 * LIMITS[tier][1] / (dch / 3.9))
                for k in range(r.randint(800, 4000)):
                    t += r.expovariate(rpm / 60)
                    if t >= self.t1: break
                    pr = self.prompt(r, tpl, pad=int(dch * r.lognormvariate(0, 0.4)))
                    self.ev(a, t, workers[k % len(workers)], cl, pr, mdl, self.params(0, 1024, False), ctok=int(r.lognormvariate(math.log(300), 0.5)), key=a['keys'][j % 2])
    def p_eval(self, B):
        r = self.rng
        for i in range(r.randint(8, 12)):
            new, row = i < 2, r.choice(rows(r.choice(['edu', 'cloud', 'cloud', 'dc', 'res'])))
            a = self.account('eval_harness', created=self.t0 - (r.uniform(7200, 5 * DAY) if new else r.uniform(60, 900) * DAY),
                             tier='tier2' if new else r.choice(['tier3', 'tier4', 'tier4', 'tier5']), verified=(not new) or r.random() < 0.3, pay=pf(r), nkeys=r.randint(1, 3))
            nets = [self.ip(r, row) for _ in range(r.randint(1, 4))]
            cl = self.client(r, r.choice(['oai-py', 'nova-py', 'httpx', 'inspect', 'lmeval', 'inspect']))
            loglik, shots, passk = r.random() < 0.5, r.random() < 0.5, r.random() < 0.3
            def run(t, end, name, model):
                texts, cat, fl, mt, cb = B[name]
                rpm = r.uniform(40, 250)
                for tx in (texts if r.random() < 0.6 else texts[:r.randint(50, len(texts))]):
                    t += r.expovariate(rpm / 60)
                    if t >= end: break
                    pad = 3500 if name == 'gsm8k' and shots else 2500 if name == 'mmlu' and shots else 2000 if name == 'bbh' else 0
                    pr = self.prompt(r, (cat, '', fl), pad=pad, text=tx)
                    if name == 'mmlu' and loglik: par, c = self.params(0, 1, False, lp=True, tlp=5), 1
                    elif name == 'humaneval' and passk: par, c = self.params(0.8, mt, False, n=5), None
                    else: par, c = self.params(0, mt, False), max(1, int(r.lognormvariate(math.log(cb), 0.5)))
                    self.ev(a, t, r.choice(nets), cl, pr, model, par, ctok=c, key=a['keys'][0])
                return t
            t = self.t0 + r.uniform(0, 1500)
            if r.random() < 0.5:               # baseline runs on the current models before the release
                t = run(t, self.rel, r.choice(list(B)), r.choice(['nova-3', 'nova-3-mini']))
            t = max(t, self.rel + (r.uniform(60, 720) if r.random() < 0.8 else r.uniform(1200, 3600)))
            for j, name in enumerate(r.sample(list(B), r.randint(2, 5))):
                t = run(t, self.t1, name, 'nova-4' if j == 0 or r.random() < 0.8 else 'nova-3') + r.uniform(30, 600)
    def p_ci(self):
        r = self.rng
        for i in range(r.randint(3, 5)):
            a = self.account('ci_runner', created=self.t0 - r.uniform(90, 800) * DAY, tier=r.choice(['tier2', 'tier3', 'tier4']), verified=True, pay=pf(r))
            rf, fixtures = random.Random(f"{self.seed}-ci-{i}"), []
            for _ in range(rf.randint(25, 60)):
                tpl = rf.choice(CI_T)
                fixtures.append((tpl, fill(rf, tpl[1])))
            gh, cl, n4, n4_at = r.random() < 0.6, self.client(r, r.choice(['nova-py', 'nova-ts'])), r.random() < 0.4, self.rel + r.uniform(1800, 5400)
            t = self.t0 + r.uniform(0, 900)
            while t < self.t1:
                net, rpm, tt = self.ip(r, asn_row(8075, 'US') if gh else r.choice(rows('cloud'))), r.uniform(30, 120), t   # fresh runner per run
                for m in ['nova-3'] + (['nova-4'] if n4 and t > n4_at else []):
                    for tpl, tx in r.sample(fixtures, r.randint(min(20, len(fixtures)), len(fixtures))):
                        tt += r.expovariate(rpm / 60)
                        self.ev(a, tt, net, cl, self.prompt(r, tpl, text=fill(r, tpl[1]) if r.random() < 0.1 else tx), m, self.params(0, 1024, False))
                t += r.uniform(360, 1800)
    def p_gateway(self):
        r = self.rng
        uas = ([self.client(r, r.choices(*self.DEV_UA)[0])[0] for _ in range(40)] + [self.client(r, b)[0] for b in ['chrome', 'firefox', 'safari'] for _ in range(3)]
               + [f"{app}/{r.randint(1, 5)}.{r.randint(0, 9)} (iPhone; iOS 17.{r.randint(0, 6)})" for app in ['NoteWise', 'ChatPal', 'StudyBuddy', 'MailMate', 'CodeBuddy']])
        for big in (True, False):
            a = self.account('gateway', created=self.t0 - r.uniform(200, 700) * DAY, tier='enterprise', verified=True, pay=pf(r), nkeys=25 if big else 6)
            egress = [self.ip(r, r.choice(rows('cloud'))) for _ in range(40 if big else 8)]
            st, gua = ('go', f"RouterHub/2.{r.randint(0, 9)}") if big else ('node', f"litellm/1.{r.randint(60, 74)}.{r.randint(0, 9)}")
            h = hashlib.sha256(f"{st}-gw".encode()).hexdigest()
            kw = [1 / (k + 1) for k in range(len(a['keys']))]
            for ts in self.arrivals(r, self.t0, self.t1, None, r.uniform(70, 110) if big else r.uniform(10, 20)):
                cl, x = (r.choice(uas) if r.random() < 0.7 else gua, f"{JA4P[st]}_{h[:12]}_{h[12:24]}", CHAT if r.random() < 0.8 else MSG), r.random()
                if x < 0.06: tpl, lg, cp = r.choice(HYDRA), 'en', 0.6
                elif x < 0.08:
                    lg = r.choice(list(POLY))
                    tpl, cp = r.choice(POLY[lg]), 0
                elif x < 0.18: tpl, lg, cp = ('agentic', FW_AGENT % FW_TOOLS, 'c'), 'en', 0
                else: tpl, lg, cp = r.choice(GEN[r.choice(CATS)]), 'en', 0.15
                pr = self.prompt(r, tpl, lg, r.choice([None, SYS_GENERIC, SYS_FW, sysh(str(r.randint(0, 50)))]), 0, cp)
                self.ev(a, ts, r.choice(egress), cl, pr, self.model(r, ts, 0.35, 0.45, 900, 60),
                        self.params(r.choice([None, 0, 0.7, 1.0]), r.choice([None, 1024, 4096]), r.random() < 0.5), key=r.choices(a['keys'], kw)[0])
    def p_synth(self):
        r = self.rng
        for i in range(2):
            a = self.account('synth_data', created=self.t0 - r.uniform(200, 900) * DAY, tier='enterprise', verified=True, pay=pf(r), nkeys=2)
            crow = r.choice(rows('cloud'))
            nets, cl, rate = [self.ip(r, crow) for _ in range(r.randint(3, 6))], self.client(r, r.choice(['httpx', 'nova-py'])), r.uniform(60, 130)
            sw, sys, stage_w = (self.rel + r.uniform(1800, 3600)) if i == 0 else None, sysh(f"{self.seed}-synth-{i}"), [[5, 2, 2, 1, 1], [2, 5, 1, 2, 1], [1, 2, 2, 5, 1]]
            for ts in self.arrivals(r, self.t0, self.t1, lambda t: rate * (0.85 + 0.15 * math.sin(t / 700)), rate):
                tpl = r.choices(SYNTH, stage_w[int((ts - self.t0) / 2400) % 3])[0]
                pr = self.prompt(r, tpl, sys=sys, pad=r.randint(0, 1500))
                mdl = 'nova-4' if sw and ts > sw and r.random() < 0.6 else 'nova-3'
                self.ev(a, ts, r.choice(nets), cl, pr, mdl, self.params(0 if 'r' in tpl[2] else 0.9, 4096, False, n=4 if tpl is SYNTH[0] and r.random() < 0.3 else 1),
                        key=a['keys'][1 if 'r' in tpl[2] else 0])
    def p_hackathon(self):
        r = self.rng
        row = r.choice([x for x in NETS if x[1] == 'edu' and x[2] in ('DE', 'GB', 'CH')])
        v4, v6, org, pay = self.block(r, row, 24), self.block(r, row, 64, True), 'org_' + hx(r, 12), pf(r)
        ex_t, t = [], self.t0 + r.uniform(900, 1500)
        for k in range(len(EXERCISES)):
            ex_t.append(t)
            t += r.uniform(1080, 1680) + (r.uniform(900, 1500) if k == 2 else 0)      # coffee break after exercise 3
        common = self.client(r, 'nova-py')            # pinned in the course requirements file
        for i in range(r.randint(20, 40)):
            created = self.t0 - r.uniform(0, 3000) if r.random() < 0.9 else self.t0 + r.uniform(0, 2400)
            inc = r.random() < 0.6
            a = self.account('hackathon', created=created, tier='tier1' if inc else 'free', verified=r.random() < 0.2, pay=pay if inc else None, org=org if inc else '')
            u = r.random()
            cl = common if u < 0.7 else self.client(r, 'oai-py') if u < 0.9 else self.client(r, r.choice(['httpx', 'curl', 'requests']))
            mode = r.choices(['venue', 'v6', 'colab', 'hotspot'], [65, 15, 12, 8])[0]
            fixed = self.bip(r, v4) if mode == 'venue' else self.bip(r, v6) if mode == 'v6' else self.ip(r, r.choice(rows('res', row[2]))) if mode == 'hotspot' else None
            mdl = 'nova-3-mini' if r.random() < 0.7 else 'nova-3'
            for k, (tk, tpl) in enumerate(zip(ex_t, EXERCISES)):
                if r.random() < 0.1: continue
                t, net = tk + r.lognormvariate(math.log(150), 0.6), fixed or self.ip(r, asn_row(396982, 'US'))
                for _ in range(r.randint(3, 15)):
                    pr = self.prompt(r, tpl, sys=None if r.random() < 0.7 else SYS_GENERIC)
                    self.ev(a, t, net, cl, pr, 'nova-4' if t > self.rel and r.random() < 0.2 else mdl, self.params(0 if k in (0, 5) else 0.7, 512, False, tools=1 if k == 4 else 0))
                    t += r.expovariate(1 / 35) + 4
            net = fixed or self.ip(r, asn_row(396982, 'US'))
            for ts in self.arrivals(r, max(self.t0, created), ex_t[-1] + 1800, None, 0.3):      # free play between exercises
                self.ev(a, ts, net, cl, self.prompt(r, r.choice(GEN[r.choice(CATS)]), cot_p=0.2), mdl, self.params(0.7, 512))
    def p_team(self):
        r = self.rng
        cc = r.choice(['DE', 'GB', 'DE'])
        office, org, pay, sys, tz = self.block(r, [x for x in NETS if x[1] == 'biz' and x[2] == cc][0], 24), 'org_' + hx(r, 12), pf(r), sysh(f"{self.seed}-team"), TZ[cc]
        for i in range(r.randint(5, 15)):
            u = r.random()
            created = self.t0 - (r.uniform(0.1, 0.9) if u < 0.08 else r.uniform(1, 7) if u < 0.25 else r.uniform(60, 900)) * DAY
            a = self.account('company_team', created=created, tier='tier3', verified=r.random() < 0.85, pay=pay, org=org)
            home = self.home_net(r, cc)
            clients = [self.client(r, r.choice(['nova-py', 'nova-ts', 'langchain']))]
            if r.random() < 0.5: clients.append((f"acme-internal-bot/1.{r.randint(0, 4)}", clients[0][1], MSG))
            peak = r.uniform(1.0, 3.0) / 60
            starts = self.arrivals(r, max(self.t0, created), self.t1, lambda t: peak * self.act(t, tz), peak)
            prof = dict(self.dev_profile(r, 'GB', sys if r.random() < 0.6 else None), tpls=COMPANY, tpl_p=0.7)
            self.user_traffic(r, a, self.sessions(r, starts, lambda: self.bip(r, office) if r.random() < 0.8 else home(), clients, 5, 60), prof)
    def p_framework(self, n):
        r = self.rng
        extra = ['search: look things up on the web', 'calculator: evaluate math expressions', 'python_repl: run python code', 'file_read: read a local file',
                 'sql_query: query the analytics database', 'send_email: send an email', 'browser: open a web page']
        for _ in range(n):
            cc = r.choices(list(self.CCS), list(self.CCS.values()))[0]
            tz, server = TZ[cc], r.random() < 0.5
            a = self.account('framework_user', created=self.t0 - (r.uniform(0.5, 14) if r.random() < 0.15 else r.uniform(15, 900)) * DAY,
                             tier=r.choice(['free', 'tier1', 'tier1', 'tier2', 'tier3']), verified=r.random() < 0.55, pay=pf(r) if r.random() < 0.8 else None, org='' if r.random() < 0.15 else None)
            if server:
                fixed = self.ip(r, r.choice(rows('cloud') + rows('dc')))
                pick = lambda: fixed
            else: pick = self.home_net(r, cc)
            base = self.client(r, 'nova-py' if r.random() < 0.8 else 'oai-py')
            cl = (f"opencrew/0.{r.choice([13, 14, 14])}.{r.randint(0, 3)} " + base[0], base[1], base[2])
            sys = SYS_FW if r.random() < 0.85 else sysh(a['id'] + 'fw')
            tools = FW_TOOLS if r.random() < 0.7 else '\n'.join(r.sample(extra, r.randint(2, 6)))
            agent, ntools = FW_AGENT % tools, tools.count('\n') + 1
            eph = r.lognormvariate(math.log(1.5), 0.8) / 60
            adopt, temp = (0.8 if r.random() < 0.1 else 0.0), r.choice([0, 0.7, None])
            for s in self.arrivals(r, max(self.t0, a['created']), self.t1, (lambda t: eph) if server else (lambda t: eph * self.act(t, tz)), eph):
                goal, t, net, obs = fill(r, agent), s, pick(), ''
                for step in range(r.randint(3, 12)):
                    pr = self.prompt(r, ('agentic', '', 'c'), sys=sys, text=goal + obs)
                    self.ev(a, t, net, cl, pr, self.model(r, t, 0.1, adopt, 600, 600), self.params(temp, 2048, r.random() < 0.3, tools=ntools), ctok=int(r.lognormvariate(math.log(120), 0.6)))
                    obs += "\nObservation: " + ' '.join(r.choice(QW) for _ in range(r.randint(5, 20))) + "\nThought:"
                    t += r.uniform(2, 10) + r.uniform(1, 15)
    # ---------- attack populations
    def p_hydra(self):
        r = self.rng
        camp, n = 'hydra-' + hx(r, 4), r.randint(70, 130)
        res, dc = self.exits(r, 1500), [self.ip(r, r.choice(rows('vpn') + rows('dc'))) for _ in range(90)]
        cards = []
        while len(cards) < n: cards += [pf(r)] * (1 if r.random() < 0.15 else r.randint(2, 6))
        waves, t = [], self.t0 + r.uniform(0, 120)
        pauses = [(p, p + r.uniform(300, 900)) for p in (r.uniform(self.t0, self.t1) for _ in range(2))]
        while t < self.t1:                      # controller dispatches synchronized waves, one work template per wave
            if not any(p0 <= t < p1 for p0, p1 in pauses): waves.append((t, r.randrange(len(HYDRA))))
            t += r.uniform(30, 60)
        sw, fsys = self.rel + r.uniform(900, 1800), sysh(f"{self.seed}-hydra")
        for i in range(n):
            m = r.uniform(1.0, 2.2)
            a0 = self.t0 + (r.uniform(0, 3000) if r.random() < 0.7 else r.uniform(3000, 7200))
            a1 = min(self.t1, a0 + r.uniform(80, 260) * 60)
            created = a0 - r.uniform(120, 1800) if r.random() < 0.12 else self.t0 - r.uniform(0.3, 5) * DAY
            card = cards[i] if r.random() < 0.85 else None
            a = self.account('hydra', True, camp, created, 'tier1' if card else 'free', r.random() < 0.2, card, '' if r.random() < 0.3 else None)
            cl = self.client(r, 'chrome', spoof='py3') if r.random() < 0.1 else self.client(r, r.choices(*self.DEV_UA)[0])
            pool = dc if r.random() < 0.25 else res['US' if r.random() < 0.6 else r.choice(list(res))]
            sys, temp, mt = r.choice([None, None, SYS_GENERIC, SYS_GENERIC, fsys]), r.choice([None, 0.7, 1.0]), r.choice([4096, 8192, None])
            times = []
            for wt, ti in waves:
                if a0 <= wt < a1 and r.random() < min(0.95, 0.6 * m):
                    tt = wt + r.expovariate(1 / 6.0)
                    for _ in range(1 + int(r.random() * (1 + 1.5 * m))):
                        times.append((tt, ti))
                        tt += r.uniform(2, 10)
            times = sorted(times + [(tt, -1) for tt in self.arrivals(r, a0, a1, None, 0.4 * m)])
            ex, exp = None, 0
            for tt, ti in times:
                if tt > exp:                    # sticky proxy session
                    ex, exp = r.choice(pool), tt + r.uniform(60, 600)
                if ti >= 0: pr = self.prompt(r, HYDRA[ti], sys=sys, cot_p=0.75, cot_list=HY_COT)
                elif r.random() < 0.1: pr = self.prompt(r, ('agentic', FW_AGENT % FW_TOOLS, 'c'), sys=SYS_FW)
                else: pr = self.prompt(r, r.choice(GEN[r.choice(CATS)]), sys=sys, cot_p=0.1)
                mdl = 'nova-4' if tt > sw and r.random() < 0.6 else ('nova-3-mini' if r.random() < 0.1 else 'nova-3')
                self.ev(a, tt, ex, cl, pr, mdl, self.params(temp, mt, r.random() < 0.2))
    def p_slow(self):
        r = self.rng
        camp, n = 'slowdrip-' + hx(r, 4), r.randint(35, 70)
        res = self.exits(r, 2000, {'US': 70, 'CA': 10, 'GB': 12, 'AU': 5})
        pool, shared, sw = [x for v in res.values() for x in v], [pf(r) for _ in range(max(2, n // 6))], self.rel + r.uniform(600, 3600)
        for i in range(n):
            pay = r.choice(shared) if r.random() < 0.3 else pf(r)
            a = self.account('slow_low', True, camp, self.t0 - r.uniform(14, 120) * DAY, r.choice(['tier1', 'tier1', 'tier2']), r.random() < 0.6, pay, '' if r.random() < 0.2 else None)
            cl, rpm, sys = self.client(r, r.choices(*self.DEV_UA)[0]), r.uniform(0.2, 1.0), r.choice([None, SYS_GENERIC])
            for ts in self.arrivals(r, self.t0 + r.uniform(0, 1800), self.t1, None, rpm):
                pr = self.prompt(r, r.choice(SLOW), sys=sys, cot_p=0.85, cot_list=SLOW_COT, pad=r.randint(0, 1200))
                self.ev(a, ts, r.choice(pool), cl, pr, 'nova-4' if ts > sw and r.random() < 0.35 else 'nova-3', self.params(r.choice([0.6, 0.8, 1.0]), 8192, False))
    def p_failover(self):
        r = self.rng
        camp, pool, cards = 'relay-' + hx(r, 4), [self.ip(r, r.choice(rows('vpn') + rows('dc'))) for _ in range(25)], [pf(r) for _ in range(4)]
        cls = [self.client(r, 'httpx'), self.client(r, 'nova-py')]
        for lane in range(r.randint(4, 6)):
            t, cl = self.t0 + r.uniform(0, 1200), cls[lane % 2]
            while t < self.t1 - 60:
                created = t - (r.uniform(60, 1800) if r.random() < 0.7 else r.uniform(0.5, 2) * DAY)
                a = self.account('failover', True, camp, created, 'tier1', r.random() < 0.1, r.choice(cards))
                ips, rpm, end = r.sample(pool, r.randint(2, 4)), r.uniform(15, 40), t + r.uniform(600, 1200)
                lim, rec = Limiter('tier1'), deque()
                while t < min(end, self.t1):
                    t += r.expovariate(rpm / 60)
                    pr = self.prompt(r, r.choice(FAIL), pad=r.randint(1500, 5500))
                    ok = lim.ok(t, pr[1])
                    if not ok: rec.append(t)
                    while rec and rec[0] < t - 120: rec.popleft()
                    self.ev(a, t, r.choice(ips), cl, pr, 'nova-4' if t > self.rel + 600 and r.random() < 0.5 else 'nova-3',
                            self.params(0.7, 8192, False), st=200 if ok else 429)
                    if len(rec) >= 6:           # burned: hand the work to a fresh account
                        break
                t += r.uniform(5, 90)
    def p_distiller(self, B):
        r = self.rng
        a = self.account('distiller', True, 'solo-' + hx(r, 4), self.t0 - r.uniform(20, 40) * 3600, 'tier2', False, pf(r))
        row = asn_row(24940, 'DE')
        v6 = self.block(r, row, 64, True)
        nets = [self.ip(r, row) for _ in range(4)] + [self.bip(r, v6) for _ in range(3)]
        cl, rate, sw = self.client(r, 'nova-py'), r.uniform(60, 100), self.rel + r.uniform(900, 1800)
        for ts in self.arrivals(r, self.t0 + r.uniform(0, 300), self.t1, lambda t: rate * (0.8 + 0.2 * math.sin(t / 900)), rate):
            cat, prob = self.problem(r, B)
            cot = r.random() < 0.85
            tx = ("Solve the following problem. Think step by step and show all of your reasoning before giving the final answer.\n\n" if cot else "Solve the following problem.\n\n") + prob
            pr = self.prompt(r, (cat, '', 'c' if cot or 'step by step' in prob else ''), text=tx)
            self.ev(a, ts, r.choice(nets), cl, pr, 'nova-4' if ts > sw and r.random() < 0.7 else 'nova-3', self.params(0.6, 16000, True))
    def p_logit(self):
        r = self.rng
        camp = 'logit-' + hx(r, 4)
        for i in range(r.randint(1, 2)):
            a = self.account('logit_harvester', True, camp, self.t0 - r.uniform(10, 25) * DAY, 'tier2', i == 0, pf(r))
            nets, cl, rate = [self.ip(r, asn_row(14061, 'US')) for _ in range(2)], self.client(r, 'oai-py'), r.uniform(15, 35)
            for ts in self.arrivals(r, self.t0 + r.uniform(0, 1200), self.t1, None, rate):
                self.ev(a, ts, r.choice(nets), cl, self.prompt(r, r.choice(LOGIT)), self.model(r, ts, 0.3, 0.5, 600, 300),
                        self.params(r.choice([0, 1.0]), 1, False, lp=True, tlp=20, lb=r.random() < 0.85), ctok=1, ep=CHAT)
    def p_poly(self):
        r = self.rng
        camp, cards = 'polyglot-' + hx(r, 4), [pf(r) for _ in range(3)]
        for i in range(r.randint(12, 24)):
            lang = r.choice(list(POLY))
            cc, tier = r.choice(POLY_CC[lang]), r.choice(['free', 'tier1', 'tier1'])
            pay = None if tier == 'free' else (r.choice(cards) if r.random() < 0.4 else pf(r))
            a = self.account('cot_polyglot', True, camp, self.t0 - (r.uniform(1, 7) if r.random() < 0.5 else r.uniform(30, 300)) * DAY, tier, r.random() < 0.4, pay, '' if r.random() < 0.3 else None)
            cl, rpm = self.client(r, r.choice(['chrome', 'safari', 'nova-py', 'oai-py', 'requests', 'nova-ts'])), r.uniform(0.5, 2.0) if tier != 'free' else r.uniform(0.5, 1.2)
            net, left = None, 0
            for ts in self.arrivals(r, self.t0 + r.uniform(0, 3600), self.t1, None, rpm):
                if left <= 0: net, left = self.ip(r, r.choice(rows('res', cc))), r.randint(5, 20)
                left -= 1
                self.ev(a, ts, net, cl, self.prompt(r, r.choice(POLY[lang]), lang), self.model(r, ts, 0.1, 0.4, 1200, 300),
                        self.params(r.choice([None, 0.7]), r.choice([None, 4096]), r.random() < 0.5))
    def p_hopper(self, B):
        r = self.rng
        a = self.account('model_hopper', True, 'hopper-' + hx(r, 4), self.t0 - r.uniform(18, 30) * DAY, 'tier3', True, pf(r))
        nets, cl, hop = [self.ip(r, asn_row(16509, 'US')) for _ in range(3)], self.client(r, 'nova-py'), self.rel + r.uniform(120, 480)
        lo, hi = r.uniform(10, 20), r.uniform(30, 50)
        for ts in self.arrivals(r, self.t0 + r.uniform(0, 600), self.t1, lambda t: hi if t > hop else lo, hi):
            cat, prob = self.problem(r, B)
            cot = r.random() < 0.9
            tx = ("For the problem below, output your full reasoning process first, then the answer on a line starting with ANSWER:.\n\n" if cot else "") + prob
            mdl = ('nova-4' if r.random() < 0.96 else 'nova-3') if ts > hop else ('nova-3' if r.random() < 0.9 else 'nova-3-mini')
            self.ev(a, ts, r.choice(nets), cl, self.prompt(r, (cat, '', 'c' if cot or 'step by step' in prob else ''), text=tx), mdl, self.params(0.7, 16000, True))
    # ---------- driver
    def run(self):
        r, B = self.rng, self.banks()
        steps = [lambda: self.p_devs(r.randint(200, 260)), lambda: self.p_apps(r.randint(30, 50)), self.p_support, self.p_batch,
                 lambda: self.p_eval(B), self.p_ci, self.p_gateway, self.p_synth, self.p_hackathon, self.p_team,
                 lambda: self.p_framework(r.randint(120, 170)), self.p_hydra, self.p_slow, self.p_failover,
                 lambda: self.p_distiller(B), self.p_logit, self.p_poly, lambda: self.p_hopper(B)]
        for s in steps:
            s()
            self.flush()
    def write(self, out):
        os.makedirs(out, exist_ok=True)
        self.out.sort()
        with open(os.path.join(out, 'events.jsonl'), 'w') as f:
            for _, _, line in self.out: f.write(line + '\n')
        with open(os.path.join(out, 'truth.jsonl'), 'w') as f:
            for aid in sorted(self.seen):
                a = self.accounts[aid]
                f.write(json.dumps({'account_id': aid, 'persona': a['persona'], 'is_attack': a['attack'], 'campaign': a['campaign']}) + '\n')

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--hours', type=float, default=3.0)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    t = time.time()
    g = Gen(args.seed, args.hours)
    g.run()
    g.write(args.out)
    print(f"wrote {len(g.out)} events, {len(g.seen)} accounts to {args.out} in {time.time() - t:.1f}s")

if __name__ == '__main__':
    main()
