#!/usr/bin/env bash
# The example report (bench/results/sst2_report.html): a real S3 run on sst2 with the
# embedded LLM, then the full evaluation (LLM judge on 30 records per side, three learners),
# then the HTML report and a screenshot. Run it under the team's LLM lock:
#   flock /tmp/synthloop-llm.lock bench/example_report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUN=bench/runs/sst2_report
export HF_HUB_OFFLINE=1
start=$(date +%s)
$PY -m synthloop.cli s3 bench/configs/sst2_s3.yaml --out "$RUN" --force -q
echo "s3: $(( $(date +%s) - start )) s"
start=$(date +%s)
$PY -m synthloop.cli evaluate "$RUN" --judge 30 --also embed_lr,minilm_ft -q
echo "evaluate: $(( $(date +%s) - start )) s"
$PY -m synthloop.cli report "$RUN" -q --out bench/results/sst2_report.html
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --screenshot=bench/results/sst2_report.png --window-size=1280,5200 \
  "file://$PWD/bench/results/sst2_report.html" 2>/dev/null
