#!/usr/bin/env bash
# Checks that rmsnorm exports mean to Hugging Face's LlamaForCausalLM what they mean to dytrain: for a few
# model shapes, init a model with large weights (so every part of the forward pass moves the result),
# score a token sequence with `dytrain score` and with tools/hf_llama_check.py (HF Llama's forward in
# plain PyTorch, reading the export by HF's names), and compare every position's NLL.
# Needs python3 with torch (not part of the build): pip install torch.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python3 -c 'import torch' 2>/dev/null || { echo "check-hf-compat: needs python3 with torch" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "5 17 3 60 2 2 41 9 33 12 0 63 7 7 7 28 50 1 19 44 8 30 61 4" > "$WORK/ids.txt"
status=0
while read -r name sets; do
  [[ -z "$name" ]] && continue
  args=()
  for s in $sets; do args+=(--set "$s"); done
  "$ROOT/dytrain" init --config "$ROOT/configs/tiny.yaml" --set model.norm_type=rmsnorm --set model.init_std=0.4 \
    "${args[@]}" --out "$WORK/$name" >/dev/null
  "$ROOT/dytrain" score --model "$WORK/$name" --tokens-file "$WORK/ids.txt" > "$WORK/$name.dytrain.json"
  python3 "$ROOT/tools/hf_llama_check.py" "$WORK/$name" "$WORK/ids.txt" > "$WORK/$name.hf.json"
  python3 - "$name" "$WORK/$name.dytrain.json" "$WORK/$name.hf.json" <<'PY' || status=1
import json, sys
name, ours, hf = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
diff = max(abs(a - b) for a, b in zip(ours["nll"], hf["nll"]))
ok = len(ours["nll"]) == len(hf["nll"]) and diff < 1e-4
print(f"{name:28s} mean NLL dytrain {ours['mean_nll']:.6f}  HF Llama {hf['mean_nll']:.6f}  max |diff| {diff:.2e}  {'ok' if ok else 'MISMATCH'}")
sys.exit(0 if ok else 1)
PY
done <<'CASES'
gqa-untied
mha-tied model.num_kv_heads=4 model.tie_embeddings=true
rope-theta-500000 model.rope_theta=500000 model.norm_eps=1e-6
wide-heads model.hidden_size=64 model.num_heads=2 model.num_kv_heads=1 model.intermediate_size=96
CASES
exit $status
