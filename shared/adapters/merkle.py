"""Merkle trees as RFC 9162 (Certificate Transparency 2.0, §2.1) defines them, with SHA-256: how a relay
signs a batch of events once and each event still proves on its own that it was signed.

A leaf is `SHA-256(0x00 || data)`, a node `SHA-256(0x01 || left || right)` (so a node can never pass for a
leaf), and a tree of n > 1 leaves splits at the largest power of two below n. An event carries its index,
the batch's size and its inclusion path; the reader recomputes the root from them and checks the one
signature over the root.

Written here rather than taken from a package: these are the RFC's two short algorithms, checked against
Certificate Transparency's published reference roots and paths (tests/unit/test_merkle.py); the Python
Merkle packages wrap them in stateful tree objects that a relay signing a batch of events does not need.
"""

from __future__ import annotations

import hashlib


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def tree(leaves: list[bytes]) -> tuple[bytes, list[list[bytes]]]:
    """The root of these leaf hashes and every leaf's inclusion path (RFC 9162 §2.1.1 MTH and §2.1.3.1
    PATH, from the leaf's sibling up), in one pass."""
    if not leaves:
        raise ValueError("a tree of no leaves signs nothing")
    if len(leaves) == 1:
        return leaves[0], [[]]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)  # the largest power of two below the size
    left, left_paths = tree(leaves[:split])
    right, right_paths = tree(leaves[split:])
    return node_hash(left, right), [[*p, right] for p in left_paths] + [[*p, left] for p in right_paths]


def root_from_path(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """The root a leaf at `index` of a tree of `size` leaves leads to along `path` (RFC 9162 §2.1.3.2);
    ValueError if the path cannot belong to such a tree (the caller compares the root with a signed one)."""
    if not 0 <= index < size:
        raise ValueError("the leaf's index is outside the tree")
    fn, sn, root = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            raise ValueError("the path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            root = node_hash(sibling, root)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            root = node_hash(root, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the path is shorter than the tree is deep")
    return root
