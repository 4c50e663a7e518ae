// Uploads and downloads for the authoring pages, on session.js's authenticated fetch.
import { authFetch } from "../session.js";

/** Upload one file as multipart `file`; answers the JSON reply. */
export async function upload(path, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return (await authFetch(path, { method: "POST", body: form })).json();
}

/** Fetch a file with the token and hand it to the browser as a download named like the server says. */
export async function download(path, fallbackName) {
  const response = await authFetch(path);
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = disposition.match(/filename="?([^";]+)"?/)?.[1] || fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}
