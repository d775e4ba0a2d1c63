#!/usr/bin/env python3
"""PyTorch eager twin of KvCacheGenerationBenchmark.withKvCache: greedy decoding with a KV cache.

Same work as the Java benchmark (Generator.generate with the cache): the `small` CausalLm (width 128, 2 pre-LN blocks,
4 heads, rotary positions, GELU MLP of 512, tied output layer, init std 0.02) over 8,000 tokens with a context of
2,048; a batch of one prompt of --prompt-length random tokens; one prefill pass filling the cache and giving the last
position's logits, then 31 cached steps of one token; each of the 32 new tokens is the arg-max of the logits, and its
log-probability (log-softmax of the logits) is recorded as Generator does; no stop token. One thread.

An optional tool (Debian's python3-torch with libopenblas0-pthread, OPENBLAS_NUM_THREADS=1), never a test
dependency. Prints one JSON line per prompt length: the median generated tokens per second over --reps repetitions
of --runs generations each.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/pytorch/kv_generation.py --prompt-length 64 256 1024
"""
import argparse
import json
import statistics
import time

import torch

from causal_lm import CausalLm

VOCAB, NEW_TOKENS = 8000, 32


@torch.no_grad()
def generate(model, prompt, new_tokens):
    B, L = prompt.shape
    cache = model.new_cache()
    logits = model.logits(model.hidden(prompt, torch.arange(L).expand(B, L), None, cache)[:, -1])
    out = []
    for step in range(new_tokens):
        tok = logits.argmax(-1)
        out.append((tok, logits.log_softmax(-1).gather(-1, tok[:, None])))
        if step == new_tokens - 1:
            break
        h = model.hidden(tok.view(B, 1), torch.full((B, 1), L + step, dtype=torch.long), None, cache)
        logits = model.logits(h[:, -1])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompt-length", type=int, nargs="+", default=[64, 256, 1024])
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = CausalLm(VOCAB, "small", ctx=2048)
    for p in model.parameters():
        p.requires_grad_(False)
    for length in args.prompt_length:
        prompt = 6 + torch.randint(VOCAB - 6, (1, length), generator=torch.Generator().manual_seed(7))
        for _ in range(args.warmup):
            generate(model, prompt, NEW_TOKENS)
        rates = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            for _ in range(args.runs):
                generate(model, prompt, NEW_TOKENS)
            rates.append(args.runs * NEW_TOKENS / (time.perf_counter() - t0))
        print(json.dumps({"benchmark": "kv_generation", "engine": "pytorch-eager " + torch.__version__,
                          "prompt_length": length, "new_tokens": NEW_TOKENS,
                          "tokens_per_second": statistics.median(rates), "reps": rates}), flush=True)


if __name__ == "__main__":
    main()
