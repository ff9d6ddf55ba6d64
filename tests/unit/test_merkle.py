"""RFC 9162 Merkle trees: the reference roots and inclusion paths Certificate Transparency publishes, every
leaf of every tree size proving its own inclusion, and no path proving anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.adapters.merkle import leaf_hash, node_hash, root_from_path, tree

# RFC 6962's reference inputs and the roots of their first 1..8 leaves (certificate-transparency's tests).
INPUTS = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657")] + [
    bytes.fromhex("606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
PATHS = {  # (index, size): the published inclusion path
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
}
LEAVES = [leaf_hash(data) for data in INPUTS]


@pytest.mark.parametrize("size", range(1, 9))
def test_the_roots_are_the_published_ones(size: int) -> None:
    assert tree(LEAVES[:size])[0].hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size"), sorted(PATHS))
def test_the_paths_are_the_published_ones_and_lead_to_the_root(index: int, size: int) -> None:
    root, paths = tree(LEAVES[:size])
    assert [node.hex() for node in paths[index]] == PATHS[(index, size)]
    assert root_from_path(index, size, LEAVES[index], paths[index]) == root


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70))
def test_every_leaf_of_every_tree_proves_its_own_inclusion_and_nothing_else(data: list[bytes]) -> None:
    leaves = [leaf_hash(d) for d in data]
    root, paths = tree(leaves)
    size = len(leaves)
    for index, path in enumerate(paths):
        assert root_from_path(index, size, leaves[index], path) == root
        assert root_from_path(index, size, leaf_hash(b"forged" + data[index]), path) != root
        if size > 1:  # the same path at another place in the tree leads elsewhere, or nowhere
            other = (index + 1) % size
            assert leads_to(other, size, leaves[index], path) != root or leaves[other] == leaves[index]


def leads_to(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    try:
        return root_from_path(index, size, leaf, path)
    except ValueError:
        return None  # a path that cannot belong there leads nowhere


def test_a_node_never_passes_for_a_leaf() -> None:
    left, right = LEAVES[0], LEAVES[1]
    assert node_hash(left, right) != leaf_hash(left + right)  # the 0x00 / 0x01 prefixes


def test_a_path_that_cannot_belong_to_the_tree_is_refused() -> None:
    root, paths = tree(LEAVES[:5])
    with pytest.raises(ValueError, match="outside"):
        root_from_path(5, 5, LEAVES[0], paths[0])
    with pytest.raises(ValueError, match="longer"):
        root_from_path(0, 5, LEAVES[0], [*paths[0], root])
    with pytest.raises(ValueError, match="shorter"):
        root_from_path(0, 5, LEAVES[0], paths[0][:-1])
    with pytest.raises(ValueError):
        tree([])
