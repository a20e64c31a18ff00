"""faster-whisper on one file, for bench/stt.sh: prints timings and text as JSON.

usage: python fw_transcribe.py MODEL_DIR FILE THREADS BEAM
"""
import json
import sys
import time

from faster_whisper import WhisperModel

model_dir, path, threads, beam = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
t0 = time.perf_counter()
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
load_s = time.perf_counter() - t0
t1 = time.perf_counter()
language = "en" if model.model.is_multilingual is False else None
segments, info = model.transcribe(path, beam_size=beam, language=language)
text = " ".join(s.text.strip() for s in segments)
total_s = time.perf_counter() - t1
print(json.dumps({
    "engine": "faster-whisper",
    "threads": threads,
    "beam": beam,
    "audio_s": info.duration,
    "load_s": load_s,
    "transcribe_s": total_s,
    "rtf": total_s / info.duration,
    "text": text,
}))
