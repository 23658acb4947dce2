#!/usr/bin/env python3
"""Writes the bad safetensors inputs of the bad-input suite from a good one.

inputs/mixtral16.safetensors is a small Mixtral layer's weights with its input
(one token, routed to experts 3 and 0), made by

  cadre gpu mixtral-8x7b --set hidden_size=16 --set intermediate_size=16 \
      --set num_local_experts=4 --phase decode --tokens 1 --dump DIR

(DIR/weights.safetensors). Each variant changes the header only (a dtype, a
shape, a tensor's name), keeping every byte range consistent, so the file
parses and only the layer check can find the fault. Run from anywhere:

  python3 tests/badinput/make_weights.py
"""
import json
import pathlib
import struct

INPUTS = pathlib.Path(__file__).resolve().parent / "inputs"


def read(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def write(path, header, data):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def variant(name, change):
    header, data = read(INPUTS / "mixtral16.safetensors")
    change(header)
    write(INPUTS / name, header, data)


def set_field(tensor, field, value):
    def change(header):
        header[tensor][field] = value
    return change


def rename(tensor, new_name):
    def change(header):
        header[new_name] = header.pop(tensor)
    return change


E = "block_sparse_moe.experts."
# Expert 1 is reached by no token: before the whole-file check this passed --check.
variant("weights_dtype_unreached_expert.safetensors", lambda h: (set_field(E + "1.w2.weight", "dtype", "BF16")(h),
                                                              set_field(E + "1.w2.weight", "shape", [16, 8])(h)))
variant("weights_shape_unreached_expert.safetensors", set_field(E + "2.w1.weight", "shape", [8, 32]))
variant("weights_shape_router.safetensors", set_field("block_sparse_moe.gate.weight", "shape", [16, 4]))
variant("weights_dtype_routed_expert.safetensors", lambda h: (set_field(E + "3.w3.weight", "dtype", "BF16")(h),
                                                            set_field(E + "3.w3.weight", "shape", [8, 16])(h)))
variant("weights_missing_scale.safetensors", rename(E + "1.w1.weight_scale_inv", E + "1.w1.scale"))
variant("weights_missing_expert.safetensors", rename(E + "2.w2.weight", E + "2.w2.weights"))
