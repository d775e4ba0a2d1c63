"""A PyTorch eager twin of mllmrec's CausalLm with a KV cache, shared by pretrain_step.py, grpo_step.py and
kv_generation.py.

Same shape and arithmetic as dev.mllmrec.core.lm.CausalLm: token embedding (tied output layer), pre-LayerNorm blocks
(LayerNorm eps 1e-5, fused q/k/v projection, rotary positions on q and k read from cos/sin tables by each token's
position, attention as softmax(q k^T / sqrt(dh) + bias) v with a -1e9 additive causal and padding bias, output
projection, residual; LayerNorm, GELU MLP, residual), a final LayerNorm. Initialisation at the same scale: normal(0,
std) for embeddings and input projections, std / sqrt(2 layers) for the projections into the residual stream, zero
biases, unit gains (values differ from the Java generator's; the arithmetic does not depend on them).

The cache is the ordinary PyTorch one (as Hugging Face's DynamicCache): per layer a key and a value tensor
(batch, heads, length, dh), grown with torch.cat, rows selected with index_select. Not part of the test suite.
"""
import math

import torch
import torch.nn.functional as F

MASKED = -1e9

PRESETS = {  # d, layers, heads, mlp, ctx, std (LmConfig.Preset)
    "tiny": (32, 2, 2, 64, 512, 0.02),
    "mini": (64, 2, 1, 64, 1024, 0.1),
    "small": (128, 2, 4, 512, 1024, 0.02),
    "base": (256, 4, 4, 1024, 2048, 0.02),
}


class KvCache:
    """Keys and values per layer, plus an additive key bias (None while no cached key is masked)."""

    def __init__(self, layers):
        self.keys = [None] * layers
        self.values = [None] * layers
        self.key_bias = None
        self.length = 0

    def append(self, layer, k, v):
        if self.keys[layer] is None:
            self.keys[layer], self.values[layer] = k, v
        else:
            self.keys[layer] = torch.cat([self.keys[layer], k], 2)
            self.values[layer] = torch.cat([self.values[layer], v], 2)
        return self.keys[layer], self.values[layer]

    def select_rows(self, rows):
        for layer in range(len(self.keys)):
            if self.keys[layer] is not None:
                self.keys[layer] = self.keys[layer].index_select(0, rows)
                self.values[layer] = self.values[layer].index_select(0, rows)
        if self.key_bias is not None:
            self.key_bias = self.key_bias.index_select(0, rows)


class CausalLm(torch.nn.Module):
    def __init__(self, vocab, preset="small", ctx=None, seed=1, theta=10000.0):
        super().__init__()
        d, layers, heads, mlp, default_ctx, std = PRESETS[preset]
        ctx = ctx or default_ctx
        g = torch.Generator().manual_seed(seed)
        self.d, self.heads, self.dh, self.layers = d, heads, d // heads, layers
        res_std = std / math.sqrt(2.0 * layers)
        P = torch.nn.Parameter
        self.tok_emb = P(torch.randn(vocab, d, generator=g) * std)
        self.blocks = []
        for l in range(layers):
            b = torch.nn.ParameterDict({
                "ln1_g": P(torch.ones(d)), "ln1_b": P(torch.zeros(d)),
                "qkv_w": P(torch.randn(3 * d, d, generator=g) * std), "qkv_b": P(torch.zeros(3 * d)),
                "out_w": P(torch.randn(d, d, generator=g) * res_std), "out_b": P(torch.zeros(d)),
                "ln2_g": P(torch.ones(d)), "ln2_b": P(torch.zeros(d)),
                "fc1_w": P(torch.randn(mlp, d, generator=g) * std), "fc1_b": P(torch.zeros(mlp)),
                "fc2_w": P(torch.randn(d, mlp, generator=g) * res_std), "fc2_b": P(torch.zeros(d)),
            })
            self.add_module("block%d" % l, b)
            self.blocks.append(b)
        self.lnf_g = P(torch.ones(d))
        self.lnf_b = P(torch.zeros(d))
        half = self.dh // 2
        freq = theta ** (-2.0 * torch.arange(half, dtype=torch.float64) / self.dh)
        ang = torch.arange(ctx, dtype=torch.float64)[:, None] * freq[None, :]
        self.register_buffer("cos", torch.cat([ang.cos(), ang.cos()], 1).float())
        self.register_buffer("sin", torch.cat([ang.sin(), ang.sin()], 1).float())
        self.content_proj = None
        self.pass_table = None

    def set_content(self, vectors, first_token, seed=2):
        """Frozen item-content vectors (items, c) for the tokens first_token.. and a learnt projection (c, d), as
        CausalLm's hybrid item tokens: a token's row is its embedding plus its content vector times the projection
        (zero content for other tokens); inside a pass (open_pass) gathered from one projection of every item, else per
        occurrence for fewer ids than items and once per item and gathered for more, as CausalLm.tokenRows does."""
        items, c = vectors.shape
        g = torch.Generator().manual_seed(seed)
        self.content_proj = torch.nn.Parameter(torch.randn(c, self.d, generator=g) * 0.1)
        self.register_buffer("content_vectors", torch.cat([torch.zeros(1, c), vectors]))
        index = torch.zeros(self.tok_emb.shape[0], dtype=torch.long)
        index[first_token:first_token + items] = torch.arange(1, items + 1)
        self.register_buffer("content_index", index)

    def open_pass(self):
        """A forward-and-backward pass, as CausalLm.forwardPass (SftTrainer opens one per micro-batch): every item
        row until close_pass() is gathered from one projection of all items' content."""
        if self.content_proj is not None:
            self.pass_table = self.content_vectors @ self.content_proj

    def close_pass(self):
        self.pass_table = None

    def embed(self, ids):
        """The rows of the tokens ids (any shape) in the tied table, with their projected content if set."""
        rows = F.embedding(ids, self.tok_emb)
        if self.content_proj is None:
            return rows
        slots = self.content_index[ids]
        if self.pass_table is not None:  # inside a forward pass: gather from its one projection
            return rows + F.embedding(slots, self.pass_table)
        if ids.numel() < self.content_vectors.shape[0]:
            return rows + self.content_vectors[slots] @ self.content_proj
        # Many ids (the sampled softmax's candidates): project each item once and gather, as CausalLm.tokenRows.
        return rows + F.embedding(slots, self.content_vectors @ self.content_proj)

    @staticmethod
    def rotate_half(x):
        h = x.shape[-1] // 2
        return torch.cat([-x[..., h:], x[..., :h]], -1)

    def new_cache(self):
        return KvCache(self.layers)

    def hidden(self, ids, pos, key_mask=None, cache=None, dropout=0.0):
        """ids, pos: (B, T) int64; key_mask: (B, T) 1 for real tokens or None; returns (B, T, d).

        dropout > 0 (training) drops on the embeddings and on each sub-layer's output before its residual add, as
        CausalLm's Dropout does."""

        def drop(t):
            return F.dropout(t, dropout, True) if dropout > 0 else t

        B, T = ids.shape
        d, H, dh = self.d, self.heads, self.dh
        past = 0 if cache is None else cache.length
        total = past + T
        x = drop(self.embed(ids))
        cos = F.embedding(pos, self.cos).view(B, 1, T, dh)
        sin = F.embedding(pos, self.sin).view(B, 1, T, dh)
        new_bias = None if key_mask is None else (1.0 - key_mask.float()) * MASKED
        key_bias = None
        past_bias = None if cache is None or past == 0 else cache.key_bias
        if past_bias is not None or new_bias is not None:
            fresh = new_bias if new_bias is not None else x.new_zeros(B, T)
            before = past_bias if past_bias is not None else (x.new_zeros(B, past) if past > 0 else None)
            key_bias = (fresh if before is None else torch.cat([before, fresh], 1)).view(B, 1, 1, total)
        bias = key_bias
        if T > 1:
            causal = torch.full((T, total), MASKED).triu(past + 1).view(1, 1, T, total)
            bias = causal if bias is None else bias + causal
        scale = 1.0 / math.sqrt(dh)
        for l, b in enumerate(self.blocks):
            h = F.layer_norm(x, (d,), b["ln1_g"], b["ln1_b"], 1e-5)
            qkv = F.linear(h, b["qkv_w"], b["qkv_b"]).view(B, T, 3, H, dh).permute(2, 0, 3, 1, 4)
            qk = qkv[:2]
            qk = qk * cos + self.rotate_half(qk) * sin
            q, k, v = qk[0] * scale, qk[1], qkv[2]
            if cache is not None:
                k, v = cache.append(l, k, v)
            s = q @ k.transpose(-1, -2)
            if bias is not None:
                s = s + bias
            att = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, d)
            x = x + drop(F.linear(att, b["out_w"], b["out_b"]))
            h2 = F.layer_norm(x, (d,), b["ln2_g"], b["ln2_b"], 1e-5)
            x = x + drop(F.linear(F.gelu(F.linear(h2, b["fc1_w"], b["fc1_b"])), b["fc2_w"], b["fc2_b"]))
        if cache is not None:
            if new_bias is not None or cache.key_bias is not None:
                fresh = new_bias if new_bias is not None else x.new_zeros(B, T)
                cache.key_bias = fresh if cache.key_bias is None and past == 0 else torch.cat(
                    [cache.key_bias if cache.key_bias is not None else x.new_zeros(B, past), fresh], 1)
            cache.length = total
        return F.layer_norm(x, (d,), self.lnf_g, self.lnf_b, 1e-5)

    def logits(self, hidden):
        return F.linear(hidden, self.tok_emb)
