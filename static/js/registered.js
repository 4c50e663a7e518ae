// Dynamic registration done: tell the LMS to close its registration dialog.
const target = window.opener || (window.parent !== window ? window.parent : null);
function close() { if (target) target.postMessage({ subject: "org.imsglobal.lti.close" }, "*"); }
document.getElementById("finish").addEventListener("click", close);
close();
