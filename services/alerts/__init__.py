"""Joint police alerts and linked response (重大警情联动)."""
