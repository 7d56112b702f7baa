"""Exports a GPT-2 checkpoint directory written by llm.ts (config.json + model.safetensors, F32)
to ONNX, for apps/bench/src/prefill.ts to run with onnxruntime-web on the same weights as ours.

The model is Hugging Face's GPT2LMHeadModel written out with torch ops (transformers 5 needs a
newer PyTorch than Debian's 1.13): token + position embeddings, pre-LayerNorm blocks with causal
softmax attention and a tanh-GELU MLP (Conv1D weights [in, out]), the final LayerNorm, and the
output layer tied to the token embedding, for the LAST position only (what generation's prefill
needs, and what our `forward(ids, { lastOnly: true })` computes). The sequence length is a
dynamic axis.

Not here: timing (prefill.ts), the safetensors package (the format is read by hand: an 8-byte
header length, a JSON header, raw little-endian F32 data).

Usage: gpt2_onnx.py CHECKPOINT_DIR OUT.onnx
"""

import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn as nn


def read_safetensors(path):
    """name -> float32 tensor, from an F32 safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_length])
    start = 8 + header_length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"gpt2_onnx.py: {name} is {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        array = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=start + begin)
        tensors[name] = torch.from_numpy(array.reshape(info["shape"]).copy())
    return tensors


class GPT2(nn.Module):
    def __init__(self, config, weights):
        super().__init__()
        prefix = "transformer." if "transformer.wte.weight" in weights else ""
        self.n_head = config["n_head"]
        self.eps = config.get("layer_norm_epsilon", 1e-5)
        self.params = nn.ParameterDict(
            {name[len(prefix) :].replace(".", "_"): nn.Parameter(t, requires_grad=False) for name, t in weights.items()}
        )
        self.n_layer = config["n_layer"]
        self.C = config["n_embd"]  # sizes from the config, not from shapes: the export keeps them constant
        n = config["n_positions"]
        self.register_buffer("future", torch.triu(torch.ones(n, n, dtype=torch.bool), 1), persistent=False)

    def p(self, name):
        return self.params[name.replace(".", "_")]

    def ln(self, x, name):
        return nn.functional.layer_norm(x, (self.C,), self.p(f"{name}.weight"), self.p(f"{name}.bias"), self.eps)

    def conv1d(self, x, name):
        return x @ self.p(f"{name}.weight") + self.p(f"{name}.bias")  # Conv1D: weight [in, out]

    def forward(self, ids):  # ids [1, T] int64 -> logits [1, 1, V]
        T = ids.shape[1]
        x = self.p("wte.weight")[ids] + self.p("wpe.weight")[:T]
        C = self.C
        D = C // self.n_head
        for i in range(self.n_layer):
            h = f"h.{i}"
            q, k, v = self.conv1d(self.ln(x, f"{h}.ln_1"), f"{h}.attn.c_attn").split(C, dim=2)
            q, k, v = (t.reshape(1, T, self.n_head, D).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D))
            att = att.masked_fill(self.future[:T, :T], float("-inf")).softmax(dim=-1)
            y = (att @ v).transpose(1, 2).reshape(1, T, C)
            x = x + self.conv1d(y, f"{h}.attn.c_proj")
            m = self.conv1d(self.ln(x, f"{h}.ln_2"), f"{h}.mlp.c_fc")
            m = 0.5 * m * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (m + 0.044715 * m**3)))  # gelu_new
            x = x + self.conv1d(m, f"{h}.mlp.c_proj")
        x = self.ln(x[:, -1:, :], "ln_f")
        return x @ self.p("wte.weight").t()


def main():
    directory, out = sys.argv[1], sys.argv[2]
    with open(f"{directory}/config.json") as f:
        config = json.load(f)
    model = GPT2(config, read_safetensors(f"{directory}/model.safetensors")).eval()
    ids = torch.zeros(1, 8, dtype=torch.int64)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids,),
            out,
            input_names=["ids"],
            output_names=["logits"],
            dynamic_axes={"ids": {1: "t"}},
            opset_version=14,
        )
    print(json.dumps({"torch": torch.__version__}))


if __name__ == "__main__":
    main()
