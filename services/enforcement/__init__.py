"""同案同罚: discretion benchmarks and consistent administrative penalties across the three regions."""
