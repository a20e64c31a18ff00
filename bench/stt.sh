#!/usr/bin/env bash
# Speech-to-text throughput: Quorum's local Whisper (decode → 16 kHz → cut at pauses, packed
# into chunks of up to 28 s → workers) against faster-whisper (PyPI; CTranslate2's own wheel)
# on the same file, the same model directory and the same beam size, measured in
# one run on this machine. For each model: wall time, real-time factor (wall / audio), CPU
# time (user+sys), peak RSS, and the word error rate against the text that was spoken.
#
#   bash bench/stt.sh                 # tiny.en and base, ~3 minutes of speech
#   MODELS=tiny.en BEAM=1 bash bench/stt.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quorum/target}"
MODELS="${MODELS:-tiny.en base}"
BEAM="${BEAM:-5}"
cores=$(nproc)

bash scripts/setup.sh
venv="${QUORUM_TOOLS_DIR:-$HOME/.cache/quorum/tools}/bench-venv"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import faster_whisper' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet faster-whisper
fi
fw_version=$("$venv/bin/python" -c 'import faster_whisper, ctranslate2; print(faster_whisper.__version__, "/ ctranslate2", ctranslate2.__version__)')

cargo build --release -q -p quorum --features whisper --bin quorum --example bench_stt
bin="$CARGO_TARGET_DIR/release"
models="${QUORUM_MODELS_CACHE:-$HOME/.cache/quorum/models}"
mkdir -p "$models"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# ~3 minutes of meeting-like English in two voices, with pauses between turns.
python3 - "$work" <<'PY'
import pathlib, subprocess, sys
work = pathlib.Path(sys.argv[1])
lines = [
    "Good morning everyone, thanks for joining the weekly planning meeting.",
    "Let us start with the status of the mobile release.",
    "The login screen is finished and the tests are passing.",
    "We still need to fix the crash on older Android phones.",
    "I will look into that crash today and report back tomorrow.",
    "The marketing team wants the screenshots by Thursday.",
    "Can someone prepare the release notes for the app store?",
    "I can write the release notes before the end of the week.",
    "Next topic is the budget for the customer conference.",
    "We have spent about sixty percent of the budget so far.",
    "The venue is booked and the catering contract is signed.",
    "We should confirm the speakers and publish the agenda soon.",
    "I will send the agenda to the speakers by Monday.",
    "The support backlog grew again after the last update.",
    "Most of the tickets are about password resets.",
    "A self service reset page would remove most of them.",
    "Let us add that page to the plan for next month.",
    "The database upgrade is scheduled for Saturday night.",
    "Please avoid deploying anything during the upgrade window.",
    "We will keep a rollback plan ready in case of problems.",
    "Any other questions before we wrap up the meeting?",
    "Then thank you all, and see you next week.",
]
voices = ["en-us", "en-gb"]
parts, text = [], []
for i, line in enumerate(lines * 2):
    wav = work / f"l{i}.wav"
    subprocess.run(["espeak-ng", "-v", voices[i % 2], "-s", "150", "-w", str(wav), line], check=True)
    parts += [str(wav), str(work / "pause.wav")]
    text.append(line)
subprocess.run(["sox", "-n", "-r", "22050", "-c", "1", "-b", "16", str(work / "pause.wav"), "trim", "0", "0.8"], check=True)
subprocess.run(["sox", *parts, str(work / "speech.wav")], check=True)
(work / "reference.txt").write_text(" ".join(text))
PY

measure() { # label command… → JSON line with timings, CPU and RSS added
  local label=$1; shift
  /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" > "$work/out.json"
  read -r user sys rss < "$work/time"
  python3 - "$work/out.json" "$work/reference.txt" "$label" "$user" "$sys" "$rss" <<'PY'
import json, re, sys
out = json.load(open(sys.argv[1])); ref = open(sys.argv[2]).read()
def words(s): return [w for w in re.sub(r"[^\w' ]", " ", s.lower()).split() if w]
r, h = words(ref), words(out["text"])
prev = list(range(len(h) + 1))
for i, rw in enumerate(r):
    cur = [i + 1] + [0] * len(h)
    for j, hw in enumerate(h):
        cur[j + 1] = min(prev[j] + (rw != hw), prev[j + 1] + 1, cur[j] + 1)
    prev = cur
out.update(label=sys.argv[3], cpu_s=float(sys.argv[4]) + float(sys.argv[5]),
           rss_mib=int(sys.argv[6]) / 1024, wer=prev[-1] / len(r))
out.pop("text")
print(json.dumps(out))
PY
}

echo "# $(date -u +%F) $(nproc) cores; faster-whisper $fw_version; beam $BEAM; int8"
for model in $MODELS; do
  "$bin/quorum" models install "$model" --dir "$models" >/dev/null
  dir="$models/$model"
  measure "$model|faster-whisper threads=$cores" "$venv/bin/python" bench/fw_transcribe.py "$dir" "$work/speech.wav" "$cores" "$BEAM"
  measure "$model|quorum workers=1 threads=$cores" "$bin/examples/bench_stt" "$dir" "$work/speech.wav" 1 "$cores" "$BEAM"
  measure "$model|quorum workers=$cores threads=1" "$bin/examples/bench_stt" "$dir" "$work/speech.wav" "$cores" 1 "$BEAM"
  measure "$model|quorum workers=1 threads=1" "$bin/examples/bench_stt" "$dir" "$work/speech.wav" 1 1 "$BEAM"
  PACK_MS=0 measure "$model|quorum workers=$cores threads=1, a chunk per pause" "$bin/examples/bench_stt" "$dir" "$work/speech.wav" "$cores" 1 "$BEAM"
done > "$work/results.jsonl"
python3 - "$work/results.jsonl" <<'PY'
import json, sys
print("| model | engine | audio s | chunks | wall s | RTF | CPU s | peak RSS MiB | WER |")
print("|---|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    model, label = r["label"].split("|")
    chunks = r.get("chunks", "30 s windows")
    print(f"| {model} | {label} | {r['audio_s']:.0f} | {chunks} | {r['transcribe_s']:.1f} | {r['rtf']:.3f} "
          f"| {r['cpu_s']:.1f} | {r['rss_mib']:.0f} | {r['wer']:.3f} |")
PY
