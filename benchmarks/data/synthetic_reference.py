#!/usr/bin/env python3
"""Writes a synthetic text-only dataset in the MLLMRec-R1 reference format, shaped like a real short-video catalog.

    python3 benchmarks/data/synthetic_reference.py OUT_DIR [--users 7000] [--items 20000] [--seed 1]

OUT_DIR gets train.tsv, test.tsv and synthetic_titles.csv (read them with `prepare --reference OUT_DIR --name
synthetic`). Titles are long (8 to 30 words, some non-ASCII), drawn from topic vocabularies; item popularity is
Zipf-like; each user follows one or two topics and often walks a topic's "series" (item i, then i + 1), so there is a
sequential signal to learn. Sequence lengths: 10 plus a geometric tail (mean about 14), so the default
`--min-interactions 10` keeps every user and the total is about 100,000 interactions. Deterministic for a seed;
standard library only. An optional tool for timing runs on a realistic catalog, never a test dependency.
"""
import argparse
import csv
import os
import random

SYLLABLES = ["ka", "lo", "mi", "ra", "tu", "ne", "so", "vi", "da", "pe", "zu", "ri", "ho", "ma", "li", "go", "ba",
             "ye", "fu", "ch", "é", "ñ", "ü", "qi", "xu"]


def word(rnd):
    return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--users", type=int, default=7000)
    ap.add_argument("--items", type=int, default=20000)
    ap.add_argument("--topics", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    common = [word(rnd) for _ in range(3000)]
    topic_words = [[word(rnd) for _ in range(60)] for _ in range(a.topics)]
    topic_of = [rnd.randrange(a.topics) for _ in range(a.items)]
    by_topic = [[] for _ in range(a.topics)]
    for i, t in enumerate(topic_of):
        by_topic[t].append(i + 1)
    with open(os.path.join(a.out, "synthetic_titles.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["item", "title"])
        for i in range(a.items):
            n = rnd.randint(8, 30)
            words = [rnd.choice(topic_words[topic_of[i]]) if rnd.random() < 0.4 else rnd.choice(common)
                     for _ in range(n)]
            w.writerow([i + 1, " ".join(words).capitalize()])
    weight = {t: [1.0 / (1 + k) ** 0.8 for k in range(len(items))] for t, items in enumerate(by_topic)}
    train, test = [], []
    for u in range(1, a.users + 1):
        length = 10 + min(int(rnd.expovariate(1 / 4.3)), 400)
        topics = rnd.sample(range(a.topics), 2)
        seq, seen = [], set()
        cur = None
        while len(seq) < length:
            t = topics[0] if rnd.random() < 0.7 else topics[1]
            items = by_topic[t]
            if cur is not None and topic_of[cur - 1] == t and rnd.random() < 0.5:
                k = items.index(cur)
                nxt = items[(k + 1) % len(items)]
            else:
                nxt = rnd.choices(items, weights=weight[t])[0]
            if nxt not in seen:
                seen.add(nxt)
                seq.append(nxt)
                cur = nxt
        test.append((f"u{u}", seq))
        train.append((f"u{u}", seq[:-1]))
    for name, rows in (("train.tsv", train), ("test.tsv", test)):
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            for user, seq in rows:
                f.write(user + "\t" + " ".join(map(str, seq)) + "\n")
    total = sum(len(s) for _, s in test)
    print(f"wrote {a.out}: {a.users} users, {a.items} items, {total} interactions")


if __name__ == "__main__":
    main()
