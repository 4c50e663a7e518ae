// Where an answer save goes: over the proctoring socket while it is connected (the server commits the saves of
// many pages together: a tenth of a PUT's worker CPU, bench/README.md, section 15), else as a PUT. A save the
// socket cannot carry goes as a PUT at once: not connected, closed before the reply, no reply in time, more
// messages than the socket takes a second (its guard is the socket's, not the answer's), or an attempt another
// write holds (the group does not wait for it; the PUT does). Both roads carry the save queue's `seq`, so a copy
// that arrives after a later choice changes nothing.
import { request } from "./request.js";
import { SocketUnavailable } from "./socket.js";

const TOO_MANY_MESSAGES = 429;
const BUSY = 503;

/**
 * The save queue's `send`.
 * @param {object} options
 * @param {() => (import("./socket.js").ProctorSocket | undefined)} options.socket  the page's socket, if any
 * @param {(questionId: number) => string} options.path  the PUT's path
 */
export function saveRoad({ socket, path }) {
  return async (questionId, payload) => {
    const open = socket();
    if (open) {
      try {
        return await open.save(questionId, payload);
      } catch (error) {
        if (!(error instanceof SocketUnavailable) && ![TOO_MANY_MESSAGES, BUSY].includes(error.status)) throw error;
      }
    }
    return request(path(questionId), { method: "PUT", body: payload });
  };
}
