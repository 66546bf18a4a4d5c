#!/usr/bin/env python3
"""Independent test vectors for io.llumnix.kvs.hash (KvsKeys, BlockHasher).

Regenerate (from the repository root, Python 3.8+, standard library only):

    python3 kvs-api/src/test/python/hash_vectors.py

It writes kvs-api/src/test/resources/hash/vectors.json, which is checked in and read by
KvsKeysTest and BlockHasherTest. Nothing here calls the Java code: canonical CBOR and XXH64 are
written out by hand from their definitions (RFC 8949; the xxHash specification) and vLLM's
`sha256` block hash uses the real `pickle.dumps`, so the two sides are computed independently.

Token ids are uint32, as the scheduler's wire types them; the Java side passes them as int.
"""

import hashlib
import json
import os
import pickle
import struct

MASK64 = (1 << 64) - 1

# --- canonical CBOR (only the shapes hashed: uint, bytes, text, array, null) ---------------


def cbor_head(major, value):
    if value < 24:
        return bytes([(major << 5) | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < (1 << (8 * size)):
            return bytes([(major << 5) | extra]) + value.to_bytes(size, "big")
    raise ValueError(value)


def cbor(x):
    if x is None:
        return b"\xf6"
    if isinstance(x, int):
        assert x >= 0
        return cbor_head(0, x)
    if isinstance(x, bytes):
        return cbor_head(2, len(x)) + x
    if isinstance(x, str):
        raw = x.encode("utf-8")
        return cbor_head(3, len(raw)) + raw
    if isinstance(x, (list, tuple)):
        return cbor_head(4, len(x)) + b"".join(cbor(item) for item in x)
    raise TypeError(type(x))


def sha256_cbor(x):
    return hashlib.sha256(cbor(x)).digest()


def sha256_pickle(x):
    return hashlib.sha256(pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)).digest()


# --- XXH64, from the specification --------------------------------------------------------

P1 = 0x9E3779B185EBCA87
P2 = 0xC2B2AE3D27D4EB4F
P3 = 0x165667B19E3779F9
P4 = 0x85EBCA77C2B2AE63
P5 = 0x27D4EB2F165667C5


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & MASK64


def xxh_round(acc, lane):
    acc = (acc + lane * P2) & MASK64
    return (rotl(acc, 31) * P1) & MASK64


def xxh_merge(acc, v):
    acc ^= xxh_round(0, v)
    return (acc * P1 + P4) & MASK64


def xxh64(data, seed=0):
    n = len(data)
    i = 0
    if n >= 32:
        v = [(seed + P1 + P2) & MASK64, (seed + P2) & MASK64, seed, (seed - P1) & MASK64]
        while i + 32 <= n:
            for lane in range(4):
                v[lane] = xxh_round(v[lane], struct.unpack_from("<Q", data, i + 8 * lane)[0])
            i += 32
        acc = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & MASK64
        for lane in v:
            acc = xxh_merge(acc, lane)
    else:
        acc = (seed + P5) & MASK64
    acc = (acc + n) & MASK64
    while i + 8 <= n:
        acc ^= xxh_round(0, struct.unpack_from("<Q", data, i)[0])
        acc = (rotl(acc, 27) * P1 + P4) & MASK64
        i += 8
    if i + 4 <= n:
        acc ^= (struct.unpack_from("<I", data, i)[0] * P1) & MASK64
        acc = (rotl(acc, 23) * P2 + P3) & MASK64
        i += 4
    while i < n:
        acc ^= (data[i] * P5) & MASK64
        acc = (rotl(acc, 11) * P1) & MASK64
        i += 1
    acc ^= acc >> 33
    acc = (acc * P2) & MASK64
    acc ^= acc >> 29
    acc = (acc * P3) & MASK64
    acc ^= acc >> 32
    return acc


# Published values (xxHash's and python-xxhash's documentation).
assert xxh64(b"") == 0xEF46DB3751D8E999
assert xxh64(b"a") == 0xD24EC4F1A98C6E5B
assert xxh64(b"abc") == 0x44BC2CF5AD770999
assert xxh64(b"Nobody inspects the spammish repetition") == 0xFBCEA83C8A378BF1
# RFC 8949 appendix A examples.
assert cbor(23) == bytes.fromhex("17") and cbor(24) == bytes.fromhex("1818")
assert cbor(1000000) == bytes.fromhex("1a000f4240")
assert cbor(1000000000000) == bytes.fromhex("1b000000e8d4a51000")
assert cbor([1, [2, 3], [4, 5]]) == bytes.fromhex("8301820203820405")
assert cbor("IETF") == bytes.fromhex("6449455446") and cbor(None) == bytes.fromhex("f6")


# --- the KV-store keys, as the Llumnix reference scheduler computes them ------------------


def chunks(tokens, size, save_unfull):
    full = len(tokens) // size
    out = [(tokens[i * size:(i + 1) * size], False) for i in range(full)]
    if save_unfull and len(tokens) % size:
        out.append((tokens[full * size:], True))
    return out


def keys_sha256_hex(tokens, size, save_unfull):
    keys, prev = [], b""
    for chunk, partial in chunks(tokens, size, save_unfull):
        prev = hashlib.sha256(prev + b"".join(struct.pack("<I", t) for t in chunk)).digest()
        keys.append(prev.hex() + ("_0" if partial else ""))
    return keys


def keys_sha256_cbor(tokens, size, save_unfull, seed):
    keys, prev = [], sha256_cbor(seed)
    for chunk, _ in chunks(tokens, size, save_unfull):
        prev = sha256_cbor([prev, list(chunk), None])
        keys.append(prev.hex() + "_0")
    return keys


def keys_xxhash(tokens, size, save_unfull, prefix):
    # The stream never restarts, so chunk i's digest is XXH64 of every token up to its end;
    # a partial last chunk is completed with zero tokens first.
    keys, end = [], 0
    for chunk, partial in chunks(tokens, size, save_unfull):
        end += len(chunk)
        stream = list(tokens[:end]) + ([0] * (size - len(chunk)) if partial else [])
        keys.append(prefix + str(xxh64(b"".join(struct.pack("<q", t) for t in stream))))
    return keys


# --- vLLM's prefix-cache block hashes -------------------------------------------------------


def vllm_block_hashes(algo, seed, tokens, block_size):
    hash_fn = sha256_pickle if algo == "sha256" else sha256_cbor
    none_hash = hash_fn(seed)
    parent, out = None, []
    for i in range(len(tokens) // block_size):
        block = tuple(tokens[i * block_size:(i + 1) * block_size])
        digest = hash_fn((parent or none_hash, block, None))
        out.append({"hex": digest.hex(),
                    "int64": int.from_bytes(digest, "big") & MASK64})
        parent = digest
    return none_hash, out


# --- the inputs -----------------------------------------------------------------------------

EDGE_TOKENS = [0, 23, 24, 255, 256, 65535, 65536, 128255, 2**31 - 1, 1, 2, 3]


def prompt(length, salt):
    """Deterministic token ids: the edge values first, then a spread up to Llama's vocab."""
    base = EDGE_TOKENS[salt % len(EDGE_TOKENS):] + EDGE_TOKENS[:salt % len(EDGE_TOKENS)]
    return [base[i] if i < len(base) else (i * 7919 + salt * 104729) % 128256
            for i in range(length)]


# Prompts by name, shared by the cases so that the file stays small. "high" holds uint32 ids
# above 2^31 (negative as a Java int): they are read as unsigned everywhere, so they become
# 4-byte CBOR heads and pickle LONG1.
PROMPTS = {"p%d" % n: prompt(n, n) for n in (0, 3, 8, 9, 600)}
PROMPTS.update({"b%d" % n: prompt(n, n + 1) for n in (15, 16, 40, 600)})
PROMPTS["high"] = [2**32 - 1, 2**31, 7, 2**31 + 5, 0, 65536, 2**31 - 1, 1, 9]
SEEDS = ["0", "12345"]
PREFIX = "iris." + "block.hash.key."


def kvs_cases():
    cases = []

    def case(algo, name, size, save_unfull, seed="0"):
        tokens = PROMPTS[name]
        if algo == "sha256_hex":
            keys = keys_sha256_hex(tokens, size, save_unfull)
        elif algo == "xxhash":
            keys = keys_xxhash(tokens, size, save_unfull, PREFIX)
        else:
            keys = keys_sha256_cbor(tokens, size, save_unfull, seed)
        cases.append({"algo": algo, "chunk_size": size, "save_unfull_chunk": save_unfull,
                      "hash_seed": seed, "prompt": name, "keys": keys})

    for name in ("p0", "p3", "p8", "p9", "p600", "high"):
        for size in (256, 4):
            for save_unfull in (False, True):
                case("sha256_hex", name, size, save_unfull)
                case("xxhash", name, size, save_unfull)
                for seed in SEEDS:
                    case("sha256_cbor", name, size, save_unfull, seed)
    return cases


def block_cases():
    cases = []

    def case(algo, seed, name, block_size):
        none_hash, blocks = vllm_block_hashes(algo, seed, PROMPTS[name], block_size)
        cases.append({"algo": algo, "seed": seed, "block_size": block_size, "prompt": name,
                      "none_hash": none_hash.hex(), "blocks": blocks})

    for algo in ("sha256", "sha256_cbor"):
        for seed in SEEDS:
            for name in ("p0", "b15", "b16", "b40", "b600"):
                case(algo, seed, name, 16)
        case(algo, "0", "high", 4)
    # One block longer than CPython's 64 KiB pickle frame, which the pickler splits.
    PROMPTS["rule30000"] = [(i * 7919) % 128256 for i in range(30000)]
    for algo in ("sha256", "sha256_cbor"):
        case(algo, "0", "rule30000", 30000)
    del PROMPTS["rule30000"]
    return cases


def xxh64_cases():
    """XXH64 of 8-byte little-endian words, to test the streaming hasher on its own."""
    out = []
    for n in (0, 1, 3, 4, 5, 8, 33):
        words = [(i * 0x9E3779B97F4A7C15 + 1) & MASK64 for i in range(n)]
        out.append({"words": [str(w) for w in words],
                    "xxh64": str(xxh64(b"".join(struct.pack("<Q", w) for w in words)))})
    return out


def pickle_cases():
    """Whole pickles, real pickle.dumps: the opcode choices and frames at their edges."""
    out = []
    blocks = [(120, 32, [1, 2, 300, 70000]), (0, 0, []), (1, 300, [5]), (3, 255, [2**31, 9]),
              (2, 70000, [1, 2]), (4, 32, [2**32 - 1, 0, 255, 256, 65535, 65536])]
    for byte, size, tokens in blocks:
        raw = pickle.dumps((bytes([byte]) * size, tuple(tokens), None), protocol=5)
        out.append({"parent_byte": byte, "parent_len": size, "tokens": tokens,
                    "length": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
                    "hex": raw.hex() if len(raw) < 400 else None})
    # Where CPython cuts a 64 KiB frame: a 300, then 1s ("fill") up to "count" tokens puts the
    # frame's end just before, on and just after the tuple's closing opcodes.
    for count in range(32746, 32753):
        tokens = [300] + [1] * (count - 1)
        raw = pickle.dumps((b"x" * 32, tuple(tokens), None), protocol=5)
        out.append({"parent_byte": 120, "parent_len": 32, "tokens": [300], "fill": 1,
                    "count": count, "length": len(raw),
                    "sha256": hashlib.sha256(raw).hexdigest(), "hex": None})
    for char, count in (("a", 0), ("0", 1), ("a", 255), ("a", 256), ("a", 70000), ("\u00e9", 3)):
        raw = pickle.dumps(char * count, protocol=5)
        out.append({"text_char": char, "text_len": count, "length": len(raw),
                    "sha256": hashlib.sha256(raw).hexdigest(),
                    "hex": raw.hex() if len(raw) < 400 else None})
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "resources", "hash", "vectors.json")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    data = {"generator": "kvs-api/src/test/python/hash_vectors.py",
            "kvs_keys": kvs_cases(), "vllm_blocks": block_cases(), "xxh64_words": xxh64_cases(),
            "pickles": pickle_cases(),
            # the rule the Java test applies to rebuild prompt "rule30000" (block_size 30000)
            "rule30000": "token i = i * 7919 % 128256", "prompts": PROMPTS}
    # One case a line: readable diffs without a line per token.
    with open(target, "w") as out:
        out.write("{\"generator\": %s" % json.dumps(data.pop("generator")))
        for name, value in data.items():
            if isinstance(value, list):
                lines = [json.dumps(case, separators=(",", ":")) for case in value]
                out.write(",\n%s: [\n%s\n]" % (json.dumps(name), ",\n".join(lines)))
            elif isinstance(value, dict):
                lines = ["%s: %s" % (json.dumps(key), json.dumps(item, separators=(",", ":")))
                         for key, item in value.items()]
                out.write(",\n%s: {\n%s\n}" % (json.dumps(name), ",\n".join(lines)))
            else:
                out.write(",\n%s: %s" % (json.dumps(name), json.dumps(value)))
        out.write("\n}\n")
    print("wrote", os.path.normpath(target))


if __name__ == "__main__":
    main()
