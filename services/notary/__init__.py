"""Notary linkage: certificates verified across regions, proofs shared instead of paper (公证联动)."""
