#!/usr/bin/env python3
"""Oracle captions: a plumbing check of the caption path, NOT a captioner (docs/captions.md, section 4).

The built-in captions score like shuffled ones. That is either because the posters say little or because captions
do not reach the policy. To tell the two apart this writes captions that DO carry information about what users
watch together: each item's caption names one of 64 nouns ("A poster showing a lighthouse."), its cluster of
co-occurrence over the users' FULL sequences, validation and test items included. It leaks the evaluation targets
by design: use it only to check that real captions then beat shuffled ones, never as a result.

Clusters: counts of item pairs at most 3 apart in a sequence, positive pointwise mutual information, the top 32
singular vectors scaled by their singular values, rows to unit length, spherical k-means (64 clusters, 50 rounds,
seed 0). The image hashes and textualizer fields of the input captions are kept, so the file replaces W/captions.jsonl.

Usage: python3 oracle_captions.py WORK_DIR OUT.jsonl   (numpy; about a minute for 2,943 items)
"""
import json
import os
import sys

import numpy as np

NOUNS = """lighthouse violin tractor penguin volcano umbrella cathedral submarine cactus anchor telescope waterfall
bicycle pyramid dragon harbor glacier carousel locomotive orchard pumpkin skyscraper windmill lantern compass iceberg
tornado vineyard chandelier canoe meteor pagoda scarecrow accordion beehive castle desert jellyfish parrot rocket
saxophone tiger typewriter walrus zebra bridge candle diamond elephant feather giraffe hammock igloo kangaroo ladder
mushroom necklace owl piano quilt robot sailboat kettle banjo""".split()
CLUSTERS = 64


def main(work, out):
    sequences = [json.loads(line)["items"] for line in open(work + "/sequences.jsonl")]
    captions = [json.loads(line) for line in open(work + "/captions.jsonl")]
    ids = sorted({c["itemId"] for c in captions})
    index = {i: k for k, i in enumerate(ids)}
    n = len(ids)
    counts = np.zeros((n, n))
    for sequence in sequences:
        s = [index[i] for i in sequence if i in index]
        for p in range(len(s)):
            for q in range(max(0, p - 3), p):
                counts[s[p], s[q]] += 1
                counts[s[q], s[p]] += 1
    rows = counts.sum(1, keepdims=True) + 1e-9
    ppmi = np.maximum(np.log(np.maximum(counts * counts.sum() / (rows @ rows.T), 1e-12)), 0)
    u, s, _ = np.linalg.svd(ppmi, full_matrices=False)
    x = u[:, :32] * np.sqrt(s[:32])
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    rng = np.random.default_rng(0)
    centres = x[rng.choice(n, CLUSTERS, replace=False)]
    for _ in range(50):
        label = np.argmax(x @ centres.T, 1)
        for k in range(CLUSTERS):
            members = x[label == k]
            if len(members):
                centres[k] = members.mean(0) / (np.linalg.norm(members.mean(0)) + 1e-9)
    sizes = np.bincount(label, minlength=CLUSTERS)
    print(f"{n} items in {CLUSTERS} clusters of {sizes.min()} to {sizes.max()} items")
    if os.path.islink(out):
        # An ablation run directory links W/captions.jsonl: writing through the link would replace the captions
        # of every run that shares it. Replace the link with a file of its own.
        os.unlink(out)
    with open(out, "w") as f:
        for c in captions:
            f.write(json.dumps(dict(c, text=f"A poster showing a {NOUNS[label[index[c['itemId']]]]}.")) + "\n")


if __name__ == "__main__":
    assert len(set(NOUNS)) == CLUSTERS, len(set(NOUNS))
    main(sys.argv[1], sys.argv[2])
