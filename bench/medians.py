#!/usr/bin/env python3
"""Prints the median of every criterion benchmark under target/criterion, in ms.

Run after `cargo bench --bench engine`; BENCHMARKS.md records its output.
"""
import glob
import json
import os

root = os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
for path in sorted(glob.glob(os.path.join(root, "**", "new", "estimates.json"), recursive=True)):
    name = os.path.relpath(os.path.dirname(os.path.dirname(path)), root)
    median = json.load(open(path))["median"]
    low, high = (median["confidence_interval"][k] / 1e6 for k in ("lower_bound", "upper_bound"))
    print(f"{name:45s} {median['point_estimate'] / 1e6:10.2f} ms   [{low:.2f} – {high:.2f}]")
