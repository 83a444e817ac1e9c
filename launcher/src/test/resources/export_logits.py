"""Loads a model SparseLab exported as safetensors into PyTorch and writes its logits (issue 21).

    python3 export_logits.py MODEL.safetensors INPUTS.f32 COUNT DIM OUT.f32

The file is read without the safetensors package (8-byte little-endian header length, JSON header, raw data).
Dense layout: each fcN.weight/bias goes into an nn.Linear (the state-dict names), and each fcN.weight_mask is
applied with torch.nn.utils.prune.custom_from_mask. CSR layout (sparselab.layout == "csr"): each masked weight is a
torch.sparse_csr_tensor and the layer computes W @ x with it. The mlp's activation is the spec's (metadata).
"""
import json
import struct
import sys

import torch
import torch.nn.utils.prune as prune

DTYPES = {"F32": torch.float32, "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}
ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def load(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    meta = header.pop("__metadata__", {})
    base = 8 + length
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        raw = bytearray(data[base + start:base + end])
        tensors[name] = torch.frombuffer(raw, dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"]) \
            if end > start else torch.zeros(entry["shape"], dtype=DTYPES[entry["dtype"]])
    return tensors, meta


class Csr(torch.nn.Module):
    def __init__(self, weight, bias):
        super().__init__()
        self.weight = weight
        self.bias = torch.nn.Parameter(bias)

    def forward(self, x):
        return torch.mm(self.weight, x.t()).t() + self.bias


def main():
    path, inputs, count, dim, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    tensors, meta = load(path)
    spec = json.loads(meta["sparselab.spec"])
    activation = ACTIVATIONS[spec["model"].get("activation") or "relu"]
    csr = {c["name"]: c["matrix"] for c in json.loads(meta.get("sparselab.csr", "[]"))}
    names = sorted({n.split(".")[0] for n in tensors}, key=lambda n: int(n[2:]))
    layers = []
    for name in names:
        weight = name + ".weight"
        bias = tensors[name + ".bias"]
        if weight in csr:
            w = torch.sparse_csr_tensor(tensors[weight + ".crow_indices"], tensors[weight + ".col_indices"],
                                        tensors[weight + ".values"], size=tuple(csr[weight]))
            layers.append(Csr(w, bias))
            continue
        w = tensors[weight]
        linear = torch.nn.Linear(w.shape[1], w.shape[0])
        linear.load_state_dict({"weight": w, "bias": bias})
        if weight + "_mask" in tensors:
            prune.custom_from_mask(linear, "weight", tensors[weight + "_mask"])
        layers.append(linear)
    x = torch.frombuffer(bytearray(open(inputs, "rb").read()), dtype=torch.float32).reshape(count, dim)
    with torch.no_grad():
        for i, layer in enumerate(layers):
            x = layer(x)
            if i < len(layers) - 1:
                x = activation(x)
    open(out, "wb").write(x.contiguous().numpy().astype("<f4").tobytes())
    print("layers %d layout %s" % (len(layers), meta.get("sparselab.layout")))


if __name__ == "__main__":
    main()
