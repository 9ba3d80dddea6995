#!/usr/bin/env bash
# Writes to stdout a CSV of N targets shaped like the service benchmark's
# (benches/service.rs): six columns, ids in key order, mixed regions and
# risk classes. Used by the other bench/import_*.sh scripts.
#
#     bash bench/import_targets.sh 1000000 > targets.csv
set -euo pipefail
python3 - "${1:?number of targets}" <<'PY'
import sys
out = sys.stdout
out.write("id,name,region,industry,risk_class,unit\n")
for index in range(int(sys.argv[1])):
    mixed = ((index * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> 32
    region = mixed % 75 + 1
    risk = "ABCD"[(mixed >> 16) % 4]
    out.write(f"91{index * 7 + 3:016},单位{index},3201{region:02},餐饮服务,{risk},3201{region:02}-market\n")
PY
