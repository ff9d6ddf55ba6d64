"""Cross-region court case filing (跨域立案)."""
