#!/usr/bin/env python3
"""PyTorch eager twin of PretrainStepBenchmark: one item-sequence pre-training step of the `mini` CausalLm.

Same computation as mllmrec's SftTrainer on ItemSequenceWindows with SftStage's pre-training settings:
  * model: CausalLm's `mini` preset (width 64, 2 pre-LayerNorm blocks, 1 head, rotary positions, GELU MLP of 64,
    final LayerNorm, output layer tied to the token embedding, init std 0.1);
  * batch 128 windows of `history : [ITEM_a] " " [ITEM_b] ... " " [ITEM_j]` (21 tokens: the pipeline's word
    vocabulary holds the separating space as a token), loss on the 19 answer positions;
  * sampled softmax for the 10 item targets: each against 9 uniform negatives from the item pool (never the target),
    plus --pool-weight (0.5, SftConfig.RECOMMENDED_POOL_SOFTMAX_WEIGHT) times the exact softmax over the whole pool,
    the logits being the dot products of the hidden state with the tied embedding rows; the 9 separator targets share
    one sampled softmax over the separator plus --text-negatives (1024, SftStage.SEQUENCE_TEXT_NEGATIVES) distinct
    tokens drawn uniformly from the rest of the vocabulary (0: the softmax over the whole vocabulary, the recipe
    before it); summed NLL of both divided by the target count;
  * dropout 0.3 on the embeddings and on each sub-layer's output before its residual add;
  * Adam, learning rate 1e-3, betas (0.9, 0.98), eps 1e-8, no weight decay or clipping;
  * one thread (torch.set_num_threads(1)).
Negatives are drawn inside the step (vectorised, excluding the target but not the user's other items; the Java side
also excludes the user's history, which costs it a binary search per draw).

An optional tool (Debian's python3-torch), never a test dependency. Prints one JSON line with the median seconds
per step over --reps repetitions of --steps steps each (after --warmup steps).

  /usr/bin/python3 benchmarks/pytorch/pretrain_step.py --vocab 7608 --items 2943
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

from causal_lm import CausalLm

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=7608)
    ap.add_argument("--items", type=int, default=2943)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--negatives", type=int, default=9)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--text-negatives", type=int, default=1024)
    ap.add_argument("--pool-weight", type=float, default=0.5,
                    help="plus this share of the exact softmax over every item (SftConfig.poolSoftmaxWeight)")
    ap.add_argument("--content", type=int, default=0,
                    help="item-content width (0: none; the pipeline's minilm+facets is 413): random frozen vectors "
                         "and a learnt projection added to every item token's row, per occurrence")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--foreach", action="store_true", help="Adam's multi-tensor (foreach) implementation")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = CausalLm(args.vocab, "mini")
    if args.content > 0:
        model.set_content(torch.randn(args.items, args.content, generator=torch.Generator().manual_seed(5)), 9)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-8,
                           foreach=True if args.foreach else None)
    first_item = 9  # <pad> <eos> <unk> <think> </think> \n history : " "
    space = 8
    pool = torch.arange(first_item, first_item + args.items)
    B, W, K = args.batch, args.window, args.negatives
    T = 2 * W + 1
    pos = torch.arange(T).expand(B, T)
    gen = torch.Generator().manual_seed(3)
    batches = [pool[torch.randint(args.items, (B, W), generator=gen)] for _ in range(16)]

    def step(i):
        items = batches[i % len(batches)]
        ids = torch.full((B, T), space)
        ids[:, 0], ids[:, 1] = 6, 7
        ids[:, 2::2] = items  # (B, T): history : I1 " " I2 ... " " I10
        targets = items.reshape(-1)
        n = targets.numel()
        neg = pool[torch.randint(args.items, (n, K))]
        clash = neg == targets[:, None]
        while clash.any():
            neg[clash] = pool[torch.randint(args.items, (int(clash.sum()),))]
            clash = neg == targets[:, None]
        choices = torch.cat([targets[:, None], neg], 1)  # (n, K + 1), target first
        model.open_pass()  # as SftTrainer.microBatch: one projection of the items' content per pass
        hid = model.hidden(ids, pos, dropout=args.dropout)
        rows = hid[:, 1:T - 1:2].reshape(n, -1)  # hidden at t - 1 predicts token t
        logits = (model.embed(choices) @ rows.unsqueeze(-1)).squeeze(-1)
        nll = -logits.log_softmax(-1)[:, 0].sum()
        if args.pool_weight > 0:  # the exact softmax over the item pool (contiguous tokens from first_item)
            exact = F.linear(rows, model.embed(pool))
            nll = nll + args.pool_weight * F.cross_entropy(exact, targets - first_item, reduction="sum")
        sep = hid[:, 2:T - 1:2].reshape(-1, model.d)  # positions predicting the separators
        if args.text_negatives == 0:
            nll = nll + F.cross_entropy(F.linear(sep, model.embed(torch.arange(args.vocab))),
                                        torch.full((sep.shape[0],), space),
                                        reduction="sum")
        else:  # the separator first, then distinct uniform draws from the rest of the vocabulary
            draws = torch.randperm(args.vocab - 1)[:args.text_negatives]
            cand = torch.cat([torch.tensor([space]), draws + (draws >= space).long()])
            nll = nll - F.linear(sep, model.embed(cand)).log_softmax(-1)[:, 0].sum()
        (nll / (n + sep.shape[0])).backward()
        model.close_pass()
        opt.step()
        opt.zero_grad(set_to_none=False)
        return nll.item()

    for i in range(args.warmup):
        step(i)
    times = []
    for r in range(args.reps):
        t0 = time.perf_counter()
        for i in range(args.steps):
            step(i)
        times.append((time.perf_counter() - t0) / args.steps)
    print(json.dumps({"benchmark": "pretrain_step", "engine": "pytorch-eager " + torch.__version__,
                      "vocab": args.vocab, "items": args.items, "text_negatives": args.text_negatives, "pool_weight": args.pool_weight, "content": args.content, "params": sum(p.numel() for p in model.parameters()),
                      "seconds_per_step": statistics.median(times), "reps": times}))


if __name__ == "__main__":
    main()
