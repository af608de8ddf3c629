#!/usr/bin/env python3
"""Scores an rmsnorm export the way Hugging Face's LlamaForCausalLM would, in plain PyTorch.

docs/ARCHITECTURE.md promises that an rmsnorm export loads unchanged in transformers' LlamaForCausalLM. transformers
is not installable here, so this script is the next best check: it reads config.json with LlamaConfig's
key names and defaults, requires exactly the parameter names LlamaForCausalLM declares (no more, no fewer),
and computes HF Llama's forward pass (fp32 RMSNorm, rotate_half RoPE, repeat_kv grouped-query attention,
SwiGLU) independently of dytrain's Java code. It prints the same JSON as `dytrain score`.

    python3 tools/hf_llama_check.py MODEL_DIR TOKENS_FILE
Needs python3 with torch; tools/check-hf-compat.sh runs it against `dytrain score`.
"""
import json
import math
import re
import struct
import sys

import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + header_len])
    metadata = header.pop("__metadata__", None)
    if metadata is None or metadata.get("format") not in ("pt", "tf", "flax", "mlx"):
        sys.exit(f"{path}: transformers refuses a safetensors file without metadata format pt (got {metadata})")
    data = blob[8 + header_len :]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            sys.exit(f"{path}: {name} has dtype {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32).reshape(info["shape"])
    return tensors


def expected_names(cfg):
    names = {"model.embed_tokens.weight", "model.norm.weight"}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        names |= {p + s + ".weight" for s in (
            "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
            "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", "input_layernorm", "post_attention_layernorm")}
    if not cfg["tie_word_embeddings"]:
        names.add("lm_head.weight")
    return names


def expected_shapes(cfg):
    d, i, v, hd = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"], cfg["head_dim"]
    q, kv = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    shapes = {"model.embed_tokens.weight": [v, d], "model.norm.weight": [d], "lm_head.weight": [v, d]}
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        shapes.update({p + "self_attn.q_proj.weight": [q, d], p + "self_attn.k_proj.weight": [kv, d],
                       p + "self_attn.v_proj.weight": [kv, d], p + "self_attn.o_proj.weight": [d, q],
                       p + "mlp.gate_proj.weight": [i, d], p + "mlp.up_proj.weight": [i, d],
                       p + "mlp.down_proj.weight": [d, i], p + "input_layernorm.weight": [d],
                       p + "post_attention_layernorm.weight": [d]})
    return shapes


def rms_norm(x, weight, eps):
    variance = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(cfg, w, ids):
    t = ids.shape[0]
    heads, kv_heads = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg["head_dim"]
    eps = cfg["rms_norm_eps"]
    inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = torch.outer(torch.arange(t).float(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.full((t, t), float("-inf")).triu(1)

    h = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        q = (x @ w[p + "self_attn.q_proj.weight"].T).view(t, heads, hd).transpose(0, 1)
        k = (x @ w[p + "self_attn.k_proj.weight"].T).view(t, kv_heads, hd).transpose(0, 1)
        v = (x @ w[p + "self_attn.v_proj.weight"].T).view(t, kv_heads, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = heads // kv_heads  # query head j reads key/value head j // rep
        k = k.repeat_interleave(rep, dim=0)
        v = v.repeat_interleave(rep, dim=0)
        scores = q @ k.transpose(1, 2) / math.sqrt(hd) + mask
        attn = torch.softmax(scores, dim=-1, dtype=torch.float32) @ v
        h = h + attn.transpose(0, 1).reshape(t, heads * hd) @ w[p + "self_attn.o_proj.weight"].T
        x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = torch.nn.functional.silu(x @ w[p + "mlp.gate_proj.weight"].T)
        h = h + (gate * (x @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    h = rms_norm(h, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return h @ head.T


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model_dir, tokens_file = sys.argv[1], sys.argv[2]
    with open(f"{model_dir}/config.json") as f:
        cfg = json.load(f)
    if cfg.get("model_type") != "llama" or "LlamaForCausalLM" not in cfg.get("architectures", []):
        sys.exit(f"{model_dir}/config.json: model_type {cfg.get('model_type')}, architectures {cfg.get('architectures')}")
    # LlamaConfig's defaults for keys a config leaves out or sets to null
    defaults = {"num_key_value_heads": cfg["num_attention_heads"], "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
                "tie_word_embeddings": False, "head_dim": cfg["hidden_size"] // cfg["num_attention_heads"]}
    for key, value in defaults.items():
        if cfg.get(key) is None:
            cfg[key] = value
    if cfg.get("hidden_act", "silu") != "silu" or cfg.get("rope_scaling") or cfg.get("attention_bias") or cfg.get("mlp_bias"):
        sys.exit(f"{model_dir}/config.json: this check covers plain LLaMA only (silu, no rope scaling, no biases)")
    weights = read_safetensors(f"{model_dir}/model.safetensors")
    want = expected_names(cfg)
    missing, unexpected = sorted(want - weights.keys()), sorted(weights.keys() - want)
    if missing or unexpected:
        sys.exit(f"{model_dir}/model.safetensors: missing {missing}, unexpected {unexpected}")
    for name, shape in expected_shapes(cfg).items():
        if name in weights and list(weights[name].shape) != shape:  # from_pretrained refuses a size mismatch
            sys.exit(f"{model_dir}/model.safetensors: {name} has shape {list(weights[name].shape)}, config.json implies {shape}")
    with open(tokens_file) as f:
        ids = torch.tensor([int(s) for s in re.split(r"[\s,]+", f.read().strip())], dtype=torch.int64)
    with torch.no_grad():
        logits = forward(cfg, weights, ids[:-1])
        nll = -torch.log_softmax(logits, dim=-1).gather(1, ids[1:, None])[:, 0]
    print(json.dumps({"nll": nll.tolist(), "mean_nll": nll.mean().item()}))


if __name__ == "__main__":
    main()
