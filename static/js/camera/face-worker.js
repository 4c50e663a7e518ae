// Face counting off the page's main thread: @vladmandic/human (served from static/node_modules) with only its
// BlazeFace detector, whose model ships in the npm package, so nothing is fetched from anywhere but the tool.
// Messages in: {type: "load"}, then {type: "detect", frame: ImageBitmap}. Out: {type: "ready", backend},
// {type: "faces", count, ms} or {type: "failed", message}.
import Human from "../../node_modules/@vladmandic/human/dist/human.esm.js";

const MODELS = new URL("../../node_modules/@vladmandic/human/models/", import.meta.url).href;
const OFF = { enabled: false };

function config(backend) {
  return {
    backend, modelBasePath: MODELS, cacheModels: false, warmup: "none", debug: false, cacheSensitivity: 0,
    filter: OFF, gesture: OFF, body: OFF, hand: OFF, object: OFF, segmentation: OFF,
    face: {
      enabled: true,
      // Every reading is a fresh detection (no skipped frames): the page asks only every few seconds.
      detector: { rotation: false, maxDetected: 5, minConfidence: 0.5, skipFrames: 0, skipTime: 0, return: false },
      mesh: OFF, iris: OFF, emotion: OFF, description: OFF, antispoof: OFF, liveness: OFF, attention: OFF,
    },
  };
}

let human = null;

/** WebGL where the worker has it (fast), else the CPU (always there; a reading every few seconds is fine). */
async function load() {
  for (const backend of ["webgl", "cpu"]) {
    const candidate = new Human(config(backend));
    try {
      await candidate.load();
      if (candidate.tf.getBackend() === backend) return candidate;
    } catch {
      // the next backend
    }
  }
  throw new Error("No face detection backend works in this browser.");
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === "load") {
      human = await load();
      self.postMessage({ type: "ready", backend: human.tf.getBackend() });
    } else if (data.type === "detect") {
      const began = performance.now();
      const result = await human.detect(data.frame);
      data.frame.close();
      self.postMessage({ type: "faces", count: result.face.length, ms: performance.now() - began });
    }
  } catch (error) {
    self.postMessage({ type: "failed", message: String(error?.message ?? error) });
  }
};
