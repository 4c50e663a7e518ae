// LTI Platform Storage (lti.put_data / lti.get_data over postMessage): the platform keeps the
// login's state for the tool when the browser will not keep the tool's cookie in an iframe.
const TIMEOUT_MS = 2000;

function targetFrame(target) {
  const parent = window.parent !== window ? window.parent : window.opener;
  if (!parent) return null;
  return target === "_parent" ? parent : parent.frames[target];
}

function ask(target, platformOrigin, message) {
  return new Promise((resolve, reject) => {
    const frame = targetFrame(target);
    if (!frame) { reject(new Error("no platform frame")); return; }
    const messageId = crypto.randomUUID();
    const timer = setTimeout(() => { window.removeEventListener("message", onMessage); reject(new Error("timeout")); }, TIMEOUT_MS);
    function onMessage(event) {
      const data = event.data;
      if (event.origin !== platformOrigin || typeof data !== "object" || data === null) return;
      if (data.subject !== `${message.subject}.response` || data.message_id !== messageId) return;
      clearTimeout(timer);
      window.removeEventListener("message", onMessage);
      if (data.error) reject(new Error(data.error.message || data.error.code)); else resolve(data);
    }
    window.addEventListener("message", onMessage);
    frame.postMessage({ ...message, message_id: messageId }, platformOrigin);
  });
}

export function stateKey(state) { return `lti1p3_state_${state}`; }

export function putData(target, platformOrigin, key, value) {
  return ask(target, platformOrigin, { subject: "lti.put_data", key, value });
}

export async function getData(target, platformOrigin, key) {
  return (await ask(target, platformOrigin, { subject: "lti.get_data", key })).value;
}
