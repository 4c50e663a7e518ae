// After a valid launch: hand the launch token to the landing page in the URL fragment (never sent to a
// server); the page's session.js keeps it from there.
const { token, landing } = JSON.parse(document.getElementById("launch-data").textContent);
location.replace(`${landing}#token=${encodeURIComponent(token)}`);
