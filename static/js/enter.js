// After a valid launch: hand the launch token to the landing page without a cookie.
const { token, landing } = JSON.parse(document.getElementById("launch-data").textContent);
try { sessionStorage.setItem("proctor-lti:launch-token", token); } catch { /* memory only */ }
location.replace(`${landing}#token=${encodeURIComponent(token)}`);
