// LTI Platform Storage (lti_storage_target=_parent): the tool keeps its login state here, in memory,
// when its iframe cannot keep cookies. Only the tool's origin is answered; values are kept per origin.
const SUPPORTED = ["lti.capabilities", "lti.put_data", "lti.get_data"];

/** Answer lti.capabilities, lti.put_data and lti.get_data messages from `toolOrigin`. */
export function servePlatformStorage(toolOrigin) {
  const store = new Map();
  window.addEventListener("message", (event) => {
    if (event.origin !== toolOrigin || !event.source) return;
    const reply = answer(store, event.origin, event.data);
    if (reply) event.source.postMessage(reply, event.origin);
  });
}

/** The reply to one message, or null for messages that are not ours. */
export function answer(store, origin, data) {
  if (!data || typeof data !== "object" || !SUPPORTED.includes(data.subject)) return null;
  const { subject, message_id: messageId, key, value } = data;
  if (subject === "lti.capabilities") {
    return {
      subject: "lti.capabilities.response",
      message_id: messageId,
      supported_messages: SUPPORTED.map((name) => ({ subject: name })),
    };
  }
  const reply = { subject: `${subject}.response`, message_id: messageId, key };
  if (typeof key !== "string" || !key) {
    return { ...reply, error: { code: "bad_request", message: "key must be a non-empty string" } };
  }
  const storeKey = `${origin} ${key}`;
  if (subject === "lti.put_data") {
    store.set(storeKey, value);
    return { ...reply, value };
  }
  if (!store.has(storeKey)) {
    return { ...reply, error: { code: "bad_request", message: `no value stored under ${key}` } };
  }
  return { ...reply, value: store.get(storeKey) };
}
