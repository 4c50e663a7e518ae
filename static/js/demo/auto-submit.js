// The OIDC answer: post the id_token to the tool at once; the Continue button covers no-JS browsers.
document.getElementById("launch-form").submit();
