#!/usr/bin/env python3
"""A PyTorch SASRec twin of mllmrec's DJL SASRec, reading the same prepared work directory.

It trains on each user's training prefix (the sequence of W/sequences.jsonl without its last two items), with the
catalog of W/catalog.jsonl as vocabulary, validates after each epoch on the prepared validation samples and scores
the prepared test samples (W/samples/test-neg9-*, test-neg99-*) exactly as `mllmrec evaluate --model sasrec` does:
the hidden state at the last of the 9 history items against each candidate's embedding, ties by ascending item id.

Every choice that could explain a gap between the two implementations is an option, so that one can be changed at a
time (see docs/sasrec.md). Usage, from the repository root (one thread, as the Java side trains):

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/pytorch/sasrec_reference.py --work-dir W --seed 42 \
        --max-length 50 --windows last

Prints one JSON line per epoch on stderr and a JSON summary (validation and test metrics) on stdout.

`--side-features` makes it the content-aware SASRec of issue 13: each item's embedding, on the input and the output
side alike, is its learnt id embedding plus a learnt linear map (no bias) of fixed side features read from the work
directory's catalog: the genre multi-hot, the release-decade one-hot, and the poster's mean brightness (L*), mean
saturation (chroma C*ab) and warmth (0.4 a* + 0.9 b*, the built-in captioner's measure), each cut into terciles over
the catalog and one-hot coded ("coarse"). An item without a poster gets no poster bits.
"""
import argparse
import glob
import json
import math
import os
import random
import re
import sys
import time

import numpy as np
import torch


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def samples(work_dir, split, negatives):
    found = sorted(glob.glob(os.path.join(work_dir, "samples", f"{split}-neg{negatives}-*", "samples.jsonl")))
    if not found:
        sys.exit(f"no {split} samples at {negatives} negatives under {work_dir}/samples; run prepare first")
    return read_jsonl(found[-1])


def year_of(title):
    m = re.search(r"\((\d{4})(?:-\d{0,4})?\)\s*$", title.strip())
    return int(m.group(1)) if m else None


def poster_stats(path):
    """Mean L*, mean chroma and warmth of a poster (CIELAB through PIL, 8-bit scale converted to L* 0..100)."""
    from PIL import Image
    with Image.open(path) as im:
        im = im.convert("RGB")
        im.thumbnail((96, 96))
        lab = np.asarray(im.convert("LAB"), dtype=np.float64)
    l = lab[..., 0] * (100.0 / 255.0)
    a = lab[..., 1] - 128.0
    b = lab[..., 2] - 128.0
    return float(l.mean()), float(np.sqrt(a * a + b * b).mean()), float(0.4 * a.mean() + 0.9 * b.mean())


def side_features(entries):
    """One row per catalog entry (in the given order): genre multi-hot, decade one-hot, poster terciles."""
    genres = sorted({g for e in entries for g in e.get("genres", [])})
    decades = sorted({y // 10 for y in (year_of(e.get("title", "")) for e in entries) if y})
    stats = [poster_stats(e["image"]) if e.get("image") and os.path.exists(e["image"]) else None for e in entries]
    known = np.array([s for s in stats if s is not None]) if any(s is not None for s in stats) else np.zeros((0, 3))
    cuts = [np.quantile(known[:, j], [1 / 3, 2 / 3]) for j in range(3)] if len(known) else []
    width = len(genres) + len(decades) + (9 if cuts else 0)
    out = np.zeros((len(entries), width), dtype=np.float32)
    for r, e in enumerate(entries):
        for g in e.get("genres", []):
            out[r, genres.index(g)] = 1.0
        y = year_of(e.get("title", ""))
        if y:
            out[r, len(genres) + decades.index(y // 10)] = 1.0
        if cuts and stats[r] is not None:
            for j in range(3):
                out[r, len(genres) + len(decades) + 3 * j + int(np.searchsorted(cuts[j], stats[r][j]))] = 1.0
    return out, {"genres": len(genres), "decades": len(decades), "posters": sum(s is not None for s in stats)}


class SasRec(torch.nn.Module):
    def __init__(self, items, args, side=None):
        super().__init__()
        h = args.hidden_size
        self.args = args
        self.item_emb = torch.nn.Embedding(items + 1, h, padding_idx=0)
        # Side features: a fixed table (row 0, the padding, all zeros) and a learnt map into the embedding space.
        # A buffer, so that the initialisation below leaves it alone.
        self.register_buffer("side", None if side is None else torch.tensor(side))
        self.side_map = None if side is None else torch.nn.Linear(side.shape[1], h, bias=False)
        self.pos_emb = torch.nn.Embedding(args.max_length, h)
        self.drop = torch.nn.Dropout(args.dropout)
        self.ln1 = torch.nn.ModuleList()
        self.attn = torch.nn.ModuleList()
        self.ln2 = torch.nn.ModuleList()
        self.ffn1 = torch.nn.ModuleList()
        self.ffn2 = torch.nn.ModuleList()
        for _ in range(args.blocks):
            self.ln1.append(torch.nn.LayerNorm(h, eps=1e-8))
            self.attn.append(torch.nn.MultiheadAttention(h, args.heads, dropout=args.dropout, batch_first=True))
            self.ln2.append(torch.nn.LayerNorm(h, eps=1e-8))
            self.ffn1.append(torch.nn.Linear(h, h))
            self.ffn2.append(torch.nn.Linear(h, h))
        self.final_ln = torch.nn.LayerNorm(h, eps=1e-8)
        for name, p in self.named_parameters():
            if p.dim() > 1:
                torch.nn.init.xavier_normal_(p)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()

    def embed(self, ids):
        """Each item's embedding: the id embedding, plus the mapped side features with --side-features."""
        e = self.item_emb(ids)
        return e if self.side is None else e + self.side_map(self.side[ids])

    def table(self):
        """The output embeddings of items 1..n (tied to the input ones)."""
        w = self.item_emb.weight[1:]
        return w if self.side is None else w + self.side_map(self.side[1:])

    def forward(self, seq):
        a = self.args
        b, l = seq.shape
        real = (seq != 0).unsqueeze(-1).float()
        x = self.embed(seq) * math.sqrt(a.hidden_size) + self.pos_emb.weight.unsqueeze(0)
        x = self.drop(x) * real
        causal = ~torch.tril(torch.ones(l, l, dtype=torch.bool))
        # Padding keys masked as in the Java model; a query may always attend itself (no empty rows).
        pad = (seq == 0).unsqueeze(1).expand(b, l, l)
        mask = causal.unsqueeze(0) | pad
        mask = mask & ~torch.eye(l, dtype=torch.bool).unsqueeze(0)
        mask = mask.repeat_interleave(a.heads, dim=0)
        for i in range(a.blocks):
            if a.original_block:  # the paper and pmixer before norm_first: LN(x) queries x, residual from LN(x)
                q = self.ln1[i](x)
                y, _ = self.attn[i](q, x, x, attn_mask=mask, need_weights=False)
                x = q + y
                y = self.ln2[i](x)
                x = y + self.drop(self.ffn2[i](self.drop(torch.relu(self.ffn1[i](y)))))
            else:  # pre-norm, as the Java model
                y = self.ln1[i](x)
                y, _ = self.attn[i](y, y, y, attn_mask=mask, need_weights=False)
                x = x + self.drop(y)
                y = self.ln2[i](x)
                x = x + self.drop(self.ffn2[i](self.drop(torch.relu(self.ffn1[i](y)))))
            x = x * real
        return self.final_ln(x)


def windows(prefixes, max_length, stride):
    """Inputs and next-item targets, right-aligned and left-padded; stride 0: one window per user (the last)."""
    inputs, targets = [], []
    for seq in prefixes:
        n = len(seq)
        ends = [n - 1] if stride == 0 else list(range(n - 1, 0, -stride))
        for end in ends:
            inp = np.zeros(max_length, dtype=np.int64)
            tgt = np.zeros(max_length, dtype=np.int64)
            p, t = max_length - 1, end
            while p >= 0 and t >= 1:
                tgt[p] = seq[t]
                inp[p] = seq[t - 1]
                p -= 1
                t -= 1
            inputs.append(inp)
            targets.append(tgt)
    return torch.tensor(np.stack(inputs)), torch.tensor(np.stack(targets))


def score(model, index, requests, max_length):
    """Rank each request's candidates; returns the 0-based rank of each target."""
    model.eval()
    ranks = []
    with torch.no_grad():
        for start in range(0, len(requests), 512):
            chunk = requests[start:start + 512]
            seq = np.zeros((len(chunk), max_length), dtype=np.int64)
            for r, s in enumerate(chunk):
                known = [index[i] for i in s["history"] if i in index][-max_length:]
                if known:
                    seq[r, max_length - len(known):] = known
            last = model(torch.tensor(seq))[:, -1, :]
            for r, s in enumerate(chunk):
                cands = s["candidates"]
                idx = torch.tensor([index.get(c, 0) for c in cands])
                sc = (model.embed(idx) @ last[r]).tolist()
                sc = [v if index.get(c, 0) else -1e30 for v, c in zip(sc, cands)]
                order = sorted(range(len(cands)), key=lambda j: (-sc[j], cands[j]))
                ranks.append([cands[j] for j in order].index(s["target"]))
    model.train()
    return ranks


def metrics(ranks):
    n = max(1, len(ranks))
    out = {}
    for k in (1, 3, 5, 10):
        out[f"HR@{k}"] = sum(r < k for r in ranks) / n
    for k in (3, 5, 10):
        out[f"NDCG@{k}"] = sum(1 / math.log2(r + 2) for r in ranks if r < k) / n
    out["MRR"] = sum(1 / (r + 1) for r in ranks) / n
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max-length", type=int, default=50)
    ap.add_argument("--window-stride", type=int, default=0, help="0: one window per user (the last), as pmixer")
    ap.add_argument("--hidden-size", type=int, default=64)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--heads", type=int, default=1)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--patience", type=int, default=20, help="epochs without a better validation metric; 0: off")
    ap.add_argument("--metric", default="NDCG@3", help="validation metric watched (on validation-neg9)")
    ap.add_argument("--validation-negatives", type=int, default=9)
    ap.add_argument("--side-features", action="store_true",
                    help="content-aware: genres, decade and coarse poster brightness, saturation, warmth")
    ap.add_argument("--original-block", action="store_true", help="the paper's block: LN(x) as query only, residual from it")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)

    seqs = read_jsonl(os.path.join(args.work_dir, "sequences.jsonl"))
    entries = sorted(read_jsonl(os.path.join(args.work_dir, "catalog.jsonl")), key=lambda c: int(c["id"]))
    catalog = [int(c["id"]) for c in entries]
    index = {item: i + 1 for i, item in enumerate(catalog)}
    side, side_info = None, None
    if args.side_features:
        feats, side_info = side_features(entries)
        side = np.concatenate([np.zeros((1, feats.shape[1]), dtype=np.float32), feats])
        print(json.dumps({"side_features": side_info, "width": int(feats.shape[1])}), file=sys.stderr)
    prefixes = [[index[i] for i in s["items"][:-2]] for s in seqs if len(s["items"]) - 2 >= 2]
    x_all, y_all = windows(prefixes, args.max_length, args.window_stride)
    val = samples(args.work_dir, "validation", args.validation_negatives)
    tests = {m: samples(args.work_dir, "test", m) for m in (9, 99)}

    model = SasRec(len(catalog), args, side)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98))
    best, best_epoch, best_state, since = -1.0, 0, None, 0
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        perm = torch.randperm(len(x_all))
        total, steps = 0.0, 0
        for s in range(0, len(perm), args.batch_size):
            idx = perm[s:s + args.batch_size]
            x, y = x_all[idx], y_all[idx]
            h = model(x)
            keep = y.reshape(-1) != 0
            hk = h.reshape(-1, args.hidden_size)[keep]
            logits = hk @ model.table().t()
            loss = torch.nn.functional.cross_entropy(logits, y.reshape(-1)[keep] - 1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
        v = metrics(score(model, index, val, args.max_length))
        print(json.dumps({"epoch": epoch, "loss": total / steps, "seconds": round(time.time() - start, 1),
                          "validation": {k: round(v[k], 4) for k in ("HR@3", "NDCG@3")}}), file=sys.stderr)
        if v[args.metric] > best:
            best, best_epoch, since = v[args.metric], epoch, 0
            best_state = {k: t.clone() for k, t in model.state_dict().items()}
        elif args.patience > 0:
            since += 1
            if since >= args.patience:
                break
    model.load_state_dict(best_state)
    out = {"settings": vars(args), "windows": len(x_all), "best_epoch": best_epoch, "epochs": epoch,
           "seconds": round(time.time() - start, 1), "validation": {args.metric: best}, "side_features": side_info}
    for m, reqs in tests.items():
        out[f"test_neg{m}"] = metrics(score(model, index, reqs, args.max_length))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
