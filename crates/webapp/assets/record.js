// Recording in the meeting room: the browser's microphone through MediaRecorder (WebM/Opus),
// with a level meter and the elapsed time, uploaded with a progress bar when it stops — or
// an audio file chosen from the disk. The web app passes the upload on to the API as it
// arrives; the answer carries a sentence in the user's language.

const box = document.getElementById("recorder");

if (box) {
  const $ = (id) => document.getElementById(id);
  const start = $("record-start");
  const stop = $("record-stop");
  const time = $("record-time");
  const level = $("record-level");
  const file = $("record-file");
  const bar = $("record-upload");
  const status = $("record-status");
  const list = $("record-list");
  const csrf = document.querySelector("input[name=_csrf]");
  const say = (text) => {
    status.textContent = text;
  };
  let recorder = null;
  let ticking = null;
  let metering = null;

  const canRecord = !!(window.MediaRecorder && navigator.mediaDevices);
  box.hidden = false;
  start.disabled = !canRecord;
  if (!canRecord) say(box.dataset.unsupported);

  const clock = (ms) => {
    const s = Math.floor(ms / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };

  const meter = (stream) => {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    const ctx = new Ctx();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const x of samples) sum += x * x;
      level.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
    }, 100);
    return () => {
      clearInterval(timer);
      level.value = 0;
      ctx.close();
    };
  };

  const upload = (blob, name) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", box.dataset.upload);
    if (csrf) xhr.setRequestHeader("x-csrf-token", csrf.value);
    xhr.setRequestHeader("content-type", blob.type || "application/octet-stream");
    bar.hidden = false;
    bar.value = 0;
    start.disabled = true;
    file.disabled = true;
    say(box.dataset.uploading);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        bar.max = e.total;
        bar.value = e.loaded;
      }
    };
    const done = (message) => {
      bar.hidden = true;
      start.disabled = !canRecord;
      file.disabled = false;
      file.value = "";
      say(message);
    };
    xhr.onload = () => {
      let answer = {};
      try {
        answer = JSON.parse(xhr.responseText);
      } catch {
        answer = {};
      }
      done(answer.message || box.dataset.failed);
      if (xhr.status === 201) {
        const item = document.createElement("li");
        item.textContent = answer.track || name;
        list.append(item);
        $("record-uploads").hidden = false;
      }
    };
    xhr.onerror = () => done(box.dataset.failed);
    xhr.send(blob);
  };

  start.addEventListener("click", async () => {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      say(box.dataset.denied);
      return;
    }
    const types = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus"];
    const type = types.find((t) => MediaRecorder.isTypeSupported(t));
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const chunks = [];
    recorder.addEventListener("dataavailable", (e) => {
      if (e.data.size) chunks.push(e.data);
    });
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((t) => t.stop());
      if (metering) metering();
      const kind = (recorder.mimeType || "audio/webm").split(";")[0];
      upload(new Blob(chunks, { type: kind }), time.textContent);
    });
    const began = Date.now();
    time.textContent = clock(0);
    ticking = setInterval(() => {
      time.textContent = clock(Date.now() - began);
    }, 250);
    metering = meter(stream);
    recorder.start(1000);
    start.disabled = true;
    stop.disabled = false;
    file.disabled = true;
    say(box.dataset.recording);
  });

  stop.addEventListener("click", () => {
    if (!recorder) return;
    clearInterval(ticking);
    stop.disabled = true;
    recorder.stop();
  });

  file.addEventListener("change", () => {
    if (file.files && file.files[0]) upload(file.files[0], file.files[0].name);
  });
}
