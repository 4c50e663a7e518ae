// The largest file the server takes (MAX_CONTENT_LENGTH, on the file field as data-max-bytes), checked before the
// file is sent, in the words of the server's own refusal (lti_tool/errors.py, too_large_message).

/** A size in bytes as people read it, rounded up to a tenth: 6000000 -> "5.8 MB", 2 MiB -> "2 MB". */
function megabytes(size) {
  const tenths = Math.ceil((size * 10) / (1024 * 1024));
  return `${Math.floor(tenths / 10)}${tenths % 10 ? `.${tenths % 10}` : ""} MB`;
}

/** True when the file chosen in `input` may be sent; otherwise false, and the reason shows next to the field (the
 * element its aria-errormessage names) until a file that fits is chosen. */
export function fitsUploadLimit(input) {
  const file = input.files[0];
  const limit = Number(input.dataset.maxBytes);
  const message = file && file.size > limit
    ? `This file is ${megabytes(file.size)}; the largest is ${megabytes(limit)}; split it into smaller files.`
    : "";
  const error = document.getElementById(input.getAttribute("aria-errormessage"));
  error.textContent = message;
  error.hidden = !message;
  input.setAttribute("aria-invalid", String(Boolean(message)));
  return !message;
}
