#!/usr/bin/env python3
"""PyTorch eager twin of GrpoStepBenchmark.step: one GRPO step of the `small` CausalLm, as DefaultGrpoTrainer runs it.

Same work as the Java benchmark (GrpoConfig defaults, one step per invocation, a new trainer and optimizer each time):
  * model: the `small` preset (width 128, 2 pre-LN blocks, 4 heads, rotary positions, GELU MLP of 512, tied output
    layer, init std 0.02) over 7,016 tokens (6 specials, 10 item tokens, 7,000 words); a frozen reference copy;
  * 4 prompts of 270 tokens, G = 8 completions each, up to 24 completion tokens, stop at <eos> or newline;
  * rollout (GroupRollout through Generator): one prefill pass over the 4 prompts filling a KV cache, fanned out to
    the 32 rows, then one cached step per token; temperature 0.9 and top-p 0.9 sampling, the sampling policy's
    log-probability of each token (log-softmax of the raw logits) recorded; finished rows dropped from the cache;
  * reference log-probs (SequenceScorer): a prefill pass over the prompts, the first completion token read from the
    last prompt position, then one pass over the cache fanned out to the 32 completions (all but their last token),
    log-softmax over the vocabulary at each real position;
  * rewards (the reference reward: 1 for the target item, 0.3 for another item, -1 otherwise; here from token ids,
    the Java side parses decoded text) and group advantages ((r - mean) / (std + 1e-4), sample std, 0 for constant
    groups);
  * policy log-probs with autograd (PolicyLogProbs.compute): the prompt pass fills a cache that is fanned out to the
    completions, the completions run on top of it, log-softmax over the vocabulary, the entropy without gradient;
  * loss (DjlPolicyLoss, GRPO aggregation): ratio exp(logp - logp.detach()) (mu = 1), clipped surrogate with
    epsilon 0.2, k3 KL to the reference with beta 0.1, per-sequence token mean then mean over sequences; its
    metrics (clip fractions, KL, ratio, token count) read back; backward;
  * global gradient-norm clipping at 1.0, Adam (lr 1e-4, betas 0.9/0.99, eps 1e-8, no weight decay) created fresh
    for the step as DefaultGrpoTrainer.train creates its AdamW;
  * one thread (torch.set_num_threads(1)).

An optional tool (Debian's python3-torch with libopenblas0-pthread, OPENBLAS_NUM_THREADS=1), never a test
dependency. Prints one JSON line: median seconds per step and per rollout (generation plus reference log-probs).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/pytorch/grpo_step.py
"""
import argparse
import json
import statistics
import time

import torch

from causal_lm import CausalLm

EOS, NEWLINE, FIRST_ITEM, ITEMS, WORDS = 1, 5, 6, 10, 7000


def sample_top_p(logits, temperature, top_p, gen):
    """One token per row by temperature and nucleus sampling; also log softmax(logits)[token]."""
    probs = (logits / temperature).softmax(-1)
    sp, si = probs.sort(-1, descending=True)
    keep = (sp.cumsum(-1) - sp) < top_p  # the smallest prefix whose mass reaches top_p
    choice = torch.multinomial(sp * keep, 1, generator=gen)
    tok = si.gather(-1, choice).squeeze(-1)
    return tok, logits.log_softmax(-1).gather(-1, tok[:, None]).squeeze(-1)


@torch.no_grad()
def generate(policy, prompts, G, T, temperature, top_p, gen):
    """Returns tokens (N, T), lengths (N) and old log-probs (N, T)."""
    P, L = prompts.shape
    N = P * G
    cache = policy.new_cache()
    pos = torch.arange(L).expand(P, L)
    logits = policy.logits(policy.hidden(prompts, pos, None, cache)[:, -1])
    fan = torch.arange(P).repeat_interleave(G)
    cache.select_rows(fan)
    logits = logits[fan]
    tokens = torch.zeros(N, T, dtype=torch.long)
    old = torch.zeros(N, T)
    lengths = torch.full((N,), T, dtype=torch.long)
    active = torch.arange(N)
    for step in range(T):
        tok, lp = sample_top_p(logits, temperature, top_p, gen)
        tokens[active, step] = tok
        old[active, step] = lp
        stop = (tok == EOS) | (tok == NEWLINE)
        lengths[active[stop]] = step + 1
        if step == T - 1:
            break
        keep = ~stop
        if not keep.any():
            break
        if not keep.all():
            rows = keep.nonzero().squeeze(1)
            active, tok = active[rows], tok[rows]
            cache.select_rows(rows)
        b = active.numel()
        h = policy.hidden(tok.view(b, 1), torch.full((b, 1), L + step, dtype=torch.long), None, cache)
        logits = policy.logits(h[:, -1])
    return tokens, lengths, old


def completion_pass(model, prompts, tokens, G):
    """Hidden states (N, T, d) predicting each completion token: a prompt pass, its cache fanned out, the tails."""
    P, L = prompts.shape
    N, T = tokens.shape
    cache = model.new_cache()
    ph = model.hidden(prompts, torch.arange(L).expand(P, L), None, cache)
    fan = torch.arange(P).repeat_interleave(G)
    first = ph[:, -1][fan].unsqueeze(1)
    if T == 1:
        return first
    cache.select_rows(fan)
    tail_pos = (L + torch.arange(T - 1)).expand(N, T - 1)
    return torch.cat([first, model.hidden(tokens[:, :-1], tail_pos, None, cache)], 1)


@torch.no_grad()
def reference_log_probs(reference, prompts, tokens, mask):
    """SequenceScorer's work: the first token from the prompt's last position, the rest from one fanned-out pass."""
    P, L = prompts.shape
    N, T = tokens.shape
    G = N // P
    cache = reference.new_cache()
    ph = reference.hidden(prompts, torch.arange(L).expand(P, L), None, cache)
    first = reference.logits(ph[:, -1]).log_softmax(-1)[torch.arange(P).repeat_interleave(G), tokens[:, 0]]
    cache.select_rows(torch.arange(P).repeat_interleave(G))
    th = reference.hidden(tokens[:, :-1], (L + torch.arange(T - 1)).expand(N, T - 1), None, cache)
    real = mask[:, 1:].bool()
    picked = th[real]
    rest = reference.logits(picked).log_softmax(-1).gather(-1, tokens[:, 1:][real][:, None]).squeeze(1)
    ref = torch.zeros(N, T)
    ref[:, 0] = first
    ref[:, 1:][real] = rest
    return ref


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=4)
    ap.add_argument("--group", type=int, default=8)
    ap.add_argument("--prompt-tokens", type=int, default=270)
    ap.add_argument("--max-completion", type=int, default=24)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--epsilon", type=float, default=0.2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    vocab = 6 + ITEMS + WORDS
    policy = CausalLm(vocab, "small")
    reference = CausalLm(vocab, "small")
    reference.load_state_dict(policy.state_dict())
    for p in reference.parameters():
        p.requires_grad_(False)
    G, T = args.group, args.max_completion
    g0 = torch.Generator().manual_seed(3)
    prompts = FIRST_ITEM + ITEMS + torch.randint(WORDS, (args.prompts, args.prompt_tokens), generator=g0)
    targets = FIRST_ITEM + torch.arange(args.prompts) % ITEMS
    params = list(policy.parameters())
    timing = {"rollout": 0.0}

    def step(i):
        gen = torch.Generator().manual_seed(1000 + i)
        opt = torch.optim.Adam(params, lr=1e-4, betas=(0.9, 0.99), eps=1e-8)
        opt.zero_grad(set_to_none=False)
        t0 = time.perf_counter()
        tokens, lengths, _ = generate(policy, prompts, G, T, 0.9, 0.9, gen)
        Tm = int(lengths.max())
        tokens = tokens[:, :Tm]
        mask = (torch.arange(Tm)[None, :] < lengths[:, None]).float()
        ref = reference_log_probs(reference, prompts, tokens, mask)
        timing["rollout"] += time.perf_counter() - t0
        # Rewards from the first completion token, group advantages.
        first = tokens[:, 0]
        is_item = (first >= FIRST_ITEM) & (first < FIRST_ITEM + ITEMS)
        rewards = torch.where(is_item, torch.where(first == targets.repeat_interleave(G), 1.0, 0.3), -1.0)
        r = rewards.view(-1, G).double()
        std = r.std(1, keepdim=True)
        adv = torch.where(std == 0, torch.zeros_like(r), (r - r.mean(1, keepdim=True)) / (std + 1e-4)).float()
        adv = adv.view(-1, 1)
        # Policy log-probs with autograd, the loss, backward, clipping and Adam.
        hidden = completion_pass(policy, prompts, tokens, G)
        ls = policy.logits(hidden).log_softmax(-1)
        logp = ls.gather(-1, tokens[:, :, None]).squeeze(-1)
        det = ls.detach()
        entropy = -(det.exp() * det).sum(-1)
        ratio = (logp - logp.detach()).exp()
        lo, hi = 1 - args.epsilon, 1 + args.epsilon
        surrogate = -torch.minimum(ratio * adv, ratio.clamp(lo, hi) * adv)
        d = ref - logp
        exp_d = d.exp()
        kl = exp_d - d - 1
        per_token = (surrogate + args.beta * kl) * mask
        loss = (per_token.sum(1) / mask.sum(1).clamp_min(1)).mean()
        r_ = ratio.detach()
        is_low = (r_ < lo) & (adv < 0)
        is_high = (r_ > hi) & (adv > 0)
        count = mask.sum()
        denom = count.clamp_min(1)
        metrics = torch.stack([(is_low.float() * mask).sum() / denom, (is_high.float() * mask).sum() / denom,
                               ((is_low | is_high).float() * mask).sum() / denom, (kl.detach() * mask).sum() / denom,
                               (r_ * mask).sum() / denom, count]).tolist()
        loss.backward()
        value = loss.item()
        entropy_sum = (entropy * mask).sum().item()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return value, entropy_sum, metrics

    for i in range(args.warmup):
        step(i)
    times, rollouts = [], []
    for rep in range(args.reps):
        timing["rollout"] = 0.0
        t0 = time.perf_counter()
        for i in range(args.steps):
            step(args.warmup + rep * args.steps + i)
        times.append((time.perf_counter() - t0) / args.steps)
        rollouts.append(timing["rollout"] / args.steps)
    print(json.dumps({"benchmark": "grpo_step", "engine": "pytorch-eager " + torch.__version__,
                      "prompts": args.prompts, "group": G, "prompt_tokens": args.prompt_tokens,
                      "max_completion": T, "params": sum(p.numel() for p in params),
                      "seconds_per_step": statistics.median(times), "seconds_per_rollout": statistics.median(rollouts),
                      "reps": times, "rollout_reps": rollouts}))


if __name__ == "__main__":
    main()
